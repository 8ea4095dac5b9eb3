"""/broadcast: a message to a segment of users, previewed, confirmed, sent through the outbox with live progress.

1. The segment: everyone, a language, a country or a city (the values recipients actually
   have, with their counts, a page at a time), buyers with open orders, or agents.
2. The message: a text, or a photo with a caption, kept as the admin formatted it
   (`message.html_text`: entities become escaped HTML, so HTML typed literally stays text).
3. One preview per language among the recipients, rendered exactly as they will get it.
4. The confirmation (`handlers.confirm`), whose Yes sends it; the prompt becomes the live
   progress message, with ⏹ Stop. Stop acts at once, without a second question: it is the safe
   direction (it only keeps messages from going out), and a mistaken broadcast must be stoppable
   while every second sends dozens more. /broadcasts lists the latest ones.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Protocol

from aiogram import F
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InaccessibleMessage, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from handlers import confirm
from handlers.routing import RouterSpec
from models import User
from services import broadcast
from services.broadcast import CHOSEN_FROM_LIST, BroadcastError, Option, Segment, SegmentKind
from ui import broadcast as views
from ui.broadcast import BroadcastAction, BroadcastCb
from ui.callbacks import ConfirmAction, ConfirmCb
from ui.context import current, use_context
from ui.render import show, stale

router = RouterSpec(__name__, admin_only=True)
SEGMENT = "bc_segment"  # the chosen segment, in the dialog's state
OPTIONS = "bc_options"  # the list of values on screen: kind, [[value, city, count], ...], more


class BroadcastDialog(StatesGroup):
    segment = State()
    message = State()


class ProgressRunner(Protocol):
    """bot.scheduler.BroadcastProgress, as the dispatcher carries it (`broadcast_progress`)."""

    async def run_one(self, broadcast_id: int, *, force: bool = False) -> int: ...


# ── step 1: the segment ──────────────────────────────────────────────────────────────────


async def _menu(target: Message | CallbackQuery, session: AsyncSession) -> None:
    text, markup = views.segment_menu(await broadcast.menu_counts(session))
    if isinstance(target, Message):
        await target.answer(text, reply_markup=markup)
    else:
        await show(target, text, markup)


@router.message(Command("broadcast"))
async def cmd_broadcast(message: Message, session: AsyncSession, state: FSMContext) -> None:
    await confirm.clear_dialog(state)
    await state.set_state(BroadcastDialog.segment)
    await _menu(message, session)


async def _options(state: FSMContext) -> tuple[SegmentKind, list[Option], int] | None:
    stored = (await state.get_data()).get(OPTIONS) or {}
    try:
        kind = SegmentKind(stored["kind"])
        found = [Option(str(v), str(c), int(n)) for v, c, n in stored["items"]]
        return kind, found, int(stored.get("more", 0))
    except (TypeError, KeyError, ValueError):
        return None


@router.callback_query(
    StateFilter(BroadcastDialog.segment), BroadcastCb.filter(F.a == BroadcastAction.SEGMENT)
)
async def on_kind(
    callback: CallbackQuery, callback_data: BroadcastCb, session: AsyncSession, state: FSMContext
) -> None:
    kind = callback_data.k
    if kind not in CHOSEN_FROM_LIST:
        await _chosen(callback, session, state, Segment(kind))
        return
    found, more = await broadcast.options(session, kind)
    await state.update_data(
        {OPTIONS: {"kind": str(kind), "items": [[o.value, o.city, o.count] for o in found],
                   "more": more}}
    )  # fmt: skip
    await callback.answer()
    await show(callback, *views.options_view(kind, found, more, 0))


@router.callback_query(
    StateFilter(BroadcastDialog.segment), BroadcastCb.filter(F.a == BroadcastAction.PAGE)
)
async def on_page(callback: CallbackQuery, callback_data: BroadcastCb, state: FSMContext) -> None:
    stored = await _options(state)
    if stored is None or stored[0] != callback_data.k:
        await stale(callback)
        return
    kind, found, more = stored
    await callback.answer()
    await show(callback, *views.options_view(kind, found, more, callback_data.i))


@router.callback_query(
    StateFilter(BroadcastDialog.segment), BroadcastCb.filter(F.a == BroadcastAction.PICK)
)
async def on_pick(
    callback: CallbackQuery, callback_data: BroadcastCb, session: AsyncSession, state: FSMContext
) -> None:
    stored = await _options(state)
    if stored is None or stored[0] != callback_data.k or callback_data.i >= len(stored[1]):
        await stale(callback)
        return
    kind, found, _more = stored
    try:
        segment = Segment.from_dict(found[callback_data.i].segment(kind).to_dict())
    except BroadcastError:
        await stale(callback)
        return
    await _chosen(callback, session, state, segment)


@router.callback_query(
    StateFilter(BroadcastDialog.segment), BroadcastCb.filter(F.a == BroadcastAction.BACK)
)
async def on_back(callback: CallbackQuery, session: AsyncSession) -> None:
    await callback.answer()
    await _menu(callback, session)


async def _chosen(
    callback: CallbackQuery, session: AsyncSession, state: FSMContext, segment: Segment
) -> None:
    total = await broadcast.count(session, segment)
    if not total:
        await callback.answer(views.nobody_text(), show_alert=True)
        return
    await state.update_data({SEGMENT: segment.to_dict(), OPTIONS: None})
    await state.set_state(BroadcastDialog.message)
    await callback.answer()
    await show(callback, *views.ask_message_view(segment, total))


# ── step 2: the message, previewed ───────────────────────────────────────────────────────


@router.message(StateFilter(BroadcastDialog.message))
async def on_message(
    message: Message, session: AsyncSession, state: FSMContext, clock: Clock, i18n: I18n
) -> None:
    try:
        segment = Segment.from_dict((await state.get_data()).get(SEGMENT))
    except BroadcastError:
        await confirm.clear_dialog(state)
        await message.answer(_("This broadcast was cancelled. Send /broadcast to start again."))
        return
    photo: str | None = None
    if message.text is not None and message.text.startswith("/"):
        # a command kept inside dialogs (/help, /cancel's siblings) is not the message to send
        await message.answer(
            _("That is a command, not the message to send. Write the message, or press Cancel."),
            reply_markup=views.cancel_only(),
        )
        return
    if message.photo:
        photo = message.photo[-1].file_id
        plain = message.caption or ""
    elif message.text is not None:
        plain = message.text
    else:
        await message.answer(views.unsupported_text(), reply_markup=views.cancel_only())
        return
    body = message.html_text.replace("\x00", "") if plain else ""
    plain = plain.replace("\x00", "")
    found = await broadcast.audience(session, segment)
    if not found.total:
        await confirm.clear_dialog(state)
        await message.answer(views.error_text(BroadcastError("nobody")))
        return
    previews: list[tuple[str, int, str]] = []
    for locale, _readers in found.locales:
        with i18n.use_locale(locale), use_context(replace(current(), locale=locale)):
            previews.append((locale, views.plain_length(plain), views.recipient_text(body)))
    try:
        broadcast.check_message(
            lengths=[length for _l, length, _t in previews], photo=photo is not None, text=plain
        )
    except BroadcastError as error:
        await message.answer(views.error_text(error), reply_markup=views.cancel_only())
        return
    readers = dict(found.locales)
    for locale, _length, text in previews:
        markup = views.preview_markup(locale, readers[locale])
        try:
            if photo is not None:
                await message.answer_photo(photo, caption=text, reply_markup=markup)
            else:
                await message.answer(text, reply_markup=markup)
        except TelegramBadRequest as error:  # what Telegram refuses here, it would refuse to all
            await message.answer(
                views.refused_text(error.message), reply_markup=views.cancel_only()
            )
            return
    await confirm.clear_dialog(state)  # the prompt below holds what it sends
    markup = await confirm.ask(
        state, ConfirmAction.BROADCAST,
        {"segment": segment.to_dict(), "text": body, "photo": photo},
        now=clock.now(), yes=views.yes_label(found.total), no=_("↩ Don't send"),
    )  # fmt: skip
    await message.answer(views.confirm_text(segment, found), reply_markup=markup)


# ── step 3: sent, with live progress ─────────────────────────────────────────────────────


def _payload(pending: dict[str, Any]) -> tuple[Segment, str, str | None] | None:
    try:
        segment = Segment.from_dict(pending.get("segment"))
    except BroadcastError:
        return None
    text, photo = pending.get("text"), pending.get("photo")
    if not isinstance(text, str) or not (photo is None or isinstance(photo, str)):
        return None
    return segment, text, photo


@router.callback_query(ConfirmCb.filter((F.a == ConfirmAction.BROADCAST) & ~F.no))
async def on_send(
    callback: CallbackQuery, callback_data: ConfirmCb, session: AsyncSession, state: FSMContext,
    user: User, clock: Clock,
) -> None:  # fmt: skip
    pending = await confirm.take_or_refuse(callback, state, callback_data, now=clock.now())
    if pending is None:
        return
    found = _payload(pending)
    if found is None:
        await stale(callback)
        return
    segment, text, photo = found
    prompt = callback.message
    message_id = (
        prompt.message_id
        if prompt is not None and not isinstance(prompt, InaccessibleMessage)
        else None
    )
    try:
        created = await broadcast.create(
            session, admin_id=user.id, segment=segment, text=text, photo=photo,
            token=callback_data.t, progress_message_id=message_id, now=clock.now(),
        )  # fmt: skip
    except BroadcastError as error:
        await callback.answer(views.error_text(error), show_alert=True)
        await show(callback, views.error_text(error))
        return
    if not created.created:  # a second tap of the same Yes
        await callback.answer(_("It is already going out."))
        return
    sent = created.broadcast
    await callback.answer(views.yes_label(sent.total))
    # the prompt becomes the progress message: the bar at nought, with ⏹ Stop; the progress
    # pass edits it from here on
    progress = broadcast.progress_of(
        sent, broadcast.Counts(pending=sent.total), clock.now(), final=False
    )
    ctx = current()
    await show(callback, views.progress_text(progress, ctx), views.progress_markup(progress))


@router.callback_query(BroadcastCb.filter(F.a == BroadcastAction.STOP))
async def on_stop(
    callback: CallbackQuery, callback_data: BroadcastCb, session: AsyncSession, user: User,
    clock: Clock, broadcast_progress: ProgressRunner | None = None,
) -> None:  # fmt: skip
    """⏹ Stop (under the progress message, or in /broadcasts): at once, no second question."""
    try:
        stopped = await broadcast.stop(
            session, broadcast_id=callback_data.id, admin_id=user.id, now=clock.now()
        )
    except BroadcastError as error:
        await callback.answer(views.error_text(error), show_alert=True)
        if error.code == "already_sent" and broadcast_progress is not None:
            await broadcast_progress.run_one(callback_data.id, force=True)
        return
    await callback.answer(views.stopped_text(stopped.skipped))
    if broadcast_progress is not None:  # the final report now, not at the next pass
        await broadcast_progress.run_one(callback_data.id, force=True)


@router.message(Command("broadcasts"))
async def cmd_broadcasts(message: Message, session: AsyncSession) -> None:
    text, markup = views.list_view(await broadcast.latest(session), current())
    await message.answer(text, reply_markup=markup)
