"""Last in line: what no other router took. Registered last on purpose (see bot.dispatcher)."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.i18n import gettext as _

from handlers.routing import RouterSpec, unknown_command_text
from models import User
from ui.callbacks import ONBOARDING, LangCb
from ui.profile import language_markup
from ui.render import stale

router = RouterSpec(__name__)
gate = RouterSpec(f"{__name__}.gate")


class NotOnboarded(Filter):
    async def __call__(self, event: TelegramObject, user: User | None = None) -> bool:
        return user is not None and not user.onboarded


@gate.message(NotOnboarded())
@gate.callback_query(NotOnboarded(), ~LangCb.filter())
async def finish_setup_first(event: Message | CallbackQuery, user: User) -> None:
    """Until language, country and city are chosen, everything leads back to the set-up."""
    text = _("Let's finish setting you up first. Choose your language:")
    markup = language_markup(user.locale, ONBOARDING)
    if isinstance(event, CallbackQuery):
        await event.answer()
        if event.message is not None:
            await event.message.answer(text, reply_markup=markup)
        return
    await event.answer(text, reply_markup=markup)


@router.callback_query()
async def unknown_callback(callback: CallbackQuery) -> None:
    """Malformed, forged or outdated button data."""
    await stale(callback)


@router.message(F.text.startswith("/") | F.caption.startswith("/"))
async def unknown_command(message: Message) -> None:
    """A command no router took (a photo's caption can carry one too: the console's /photo)."""
    await message.answer(unknown_command_text())


@router.message()
async def unsupported(message: Message) -> None:
    await message.answer(_("I can only read text. Send /help to see what I can do."))
