"""Rendering helpers shared by the routers: escaping, editing in place, stale-button alerts."""

from __future__ import annotations

import re
from html import escape

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    CallbackQuery,
    InaccessibleMessage,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
)
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from ui.callbacks import MenuAction, MenuCb

CAPTION_LIMIT = 1024
TEXT_LIMIT = 4096


def q(value: object) -> str:
    """Escape anything interpolated into an HTML message."""
    return escape(str(value), quote=False)


def tr(value: str | None) -> str:
    """A data value that may have a translation (a common city's name); never gettext("")."""
    return _(value) if value else ""


def fit(lines: list[str], limit: int = TEXT_LIMIT - 96) -> str:
    """Join lines into one message without cutting a line (nor an HTML tag) in half; what does
    not fit is counted in a last line."""
    kept: list[str] = []
    size = 0
    for index, line in enumerate(lines):
        if size + len(line) + 1 > limit:
            rest = len(lines) - index
            kept.append(
                ngettext("… and {count} more line", "… and {count} more lines", rest).format(
                    count=rest
                )
            )
            break
        kept.append(line)
        size += len(line) + 1
    return "\n".join(kept)


def truncate(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a line break: every line keeps its HTML tags balanced,
    so the cut text still parses. A single overlong line loses its tags instead."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit - 2)
    if cut > 0:
        return text[:cut] + "\n…"
    plain = re.sub(r"<[^>]*>", "", text)[: limit - 1]
    if plain.rfind("&") > plain.rfind(";"):
        plain = plain[: plain.rfind("&")]  # no half an entity
    return plain + "…"


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split at line breaks (else spaces) so each part fits one Telegram message. Tags opened in
    one part are not carried over: notifications keep their markup within a line."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= 0:
            cut = text.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    parts.append(text)
    return parts


def item_line(quantity: int, name: str, *, indent: str = "") -> str:
    """`• 2 × Dried shiitake` (the name escaped): one product line of an order or a list."""
    return f"{indent}• {quantity} × {q(name)}"


def button(text: str, callback_data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=callback_data)


def home_button() -> InlineKeyboardButton:
    return button(_("🏠 Menu"), MenuCb(action=MenuAction.HOME).pack())


def cancel_markup() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[button(_("✖ Cancel"), MenuCb(action=MenuAction.CANCEL).pack())]]
    )


async def stale(callback: CallbackQuery) -> None:
    """The answer to a button that no longer means anything (or never did)."""
    await callback.answer(
        _("This button is out of date. Please open the menu again with /start."), show_alert=True
    )


def _is_not_modified(error: TelegramBadRequest) -> bool:
    return "message is not modified" in error.message


async def show(
    target: Message | CallbackQuery,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    photo: str | None = None,
) -> None:
    """Reply to a command, or replace the message a button was pressed on (same message where
    Telegram allows it: a text can't become a photo, so that swap deletes and sends)."""
    if isinstance(target, Message):
        await _send(target, text, markup, photo)
        return
    message = target.message
    if message is None or isinstance(message, InaccessibleMessage):
        if target.from_user is not None and target.bot is not None:
            await _send_to(target.bot, target.from_user.id, text, markup, photo)
        return
    try:
        if photo and message.photo:
            await message.edit_media(
                InputMediaPhoto(media=photo, caption=truncate(text, CAPTION_LIMIT)),
                reply_markup=markup,
            )
        elif not photo and not message.photo and message.text is not None:
            await message.edit_text(text, reply_markup=markup)
        else:
            await _send(message, text, markup, photo)
            await _delete_quietly(message)
    except TelegramBadRequest as error:
        if _is_not_modified(error):
            return
        if "message to edit not found" in error.message or "can't be edited" in error.message:
            await _send(message, text, markup, photo)
            return
        raise


async def _send(
    message: Message, text: str, markup: InlineKeyboardMarkup | None, photo: str | None
) -> None:
    if photo:
        await message.answer_photo(
            photo, caption=truncate(text, CAPTION_LIMIT), reply_markup=markup
        )
    else:
        await message.answer(truncate(text, TEXT_LIMIT), reply_markup=markup)


async def _send_to(bot, chat_id: int, text: str, markup, photo) -> None:  # noqa: ANN001
    if photo:
        await bot.send_photo(
            chat_id, photo, caption=truncate(text, CAPTION_LIMIT), reply_markup=markup
        )
    else:
        await bot.send_message(chat_id, truncate(text, TEXT_LIMIT), reply_markup=markup)


async def _delete_quietly(message: Message) -> None:
    try:
        await message.delete()
    except TelegramBadRequest:
        pass  # too old to delete: leaving it is harmless
