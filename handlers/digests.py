"""Buyers (and agents, admins) choose their digest: /digest or Settings → Digest and alerts;
the buttons at the end of every digest and group alert change or stop them in one tap."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from core.config import Settings
from domain import digests as rules
from domain import geo
from handlers import confirm
from handlers.routing import RouterSpec, unknown_command_text
from models import User
from services import digests
from ui.callbacks import DigestAction, DigestCb
from ui.context import current
from ui.digests import digest_screen
from ui.render import cancel_markup, q, show, stale
from ui.states import DigestState

router = RouterSpec(__name__)

FREQUENCIES = (rules.Frequency.DAILY, rules.Frequency.WEEKLY, rules.Frequency.OFF)


@router.message(Command("digest"))
async def cmd_digest(message: Message, user: User) -> None:
    text, markup = digest_screen(user, current())
    await message.answer(text, reply_markup=markup)


@router.message(Command("digest_now"))
async def cmd_digest_now(
    message: Message, session: AsyncSession, user: User, clock: Clock, is_admin: bool,
    settings: Settings,
) -> None:  # fmt: skip
    """Admins: your own digest of the last week, at once (to see what people get)."""
    if not is_admin:
        await message.answer(unknown_command_text())
        return
    if user.digest == rules.Frequency.OFF:
        await message.answer(_("Your digest is off: turn it on in /digest first."))
        return
    sent = await digests.preview(session, user=user, now=clock.now(), admin_ids=settings.admin_ids)
    if not sent:
        await message.answer(_("Your digest would be empty: nothing new in the last week."))


@router.callback_query(DigestCb.filter())
async def on_digest(
    callback: CallbackQuery, callback_data: DigestCb, session: AsyncSession, user: User,
    state: FSMContext, clock: Clock,
) -> None:  # fmt: skip
    action, value, now = callback_data.a, callback_data.v, clock.now()
    if not user.onboarded:
        await stale(callback)
        return
    note = None
    if action == DigestAction.FREQUENCY and value < len(FREQUENCIES):
        await digests.set_preferences(session, user=user, now=now, frequency=FREQUENCIES[value])
    elif action == DigestAction.DAY and value < 7:
        await digests.set_preferences(session, user=user, now=now, weekday=value)
    elif action == DigestAction.HOUR:
        await digests.set_preferences(session, user=user, now=now, hour=value)
    elif action == DigestAction.ALERTS and value in (0, 1):
        await digests.set_preferences(session, user=user, now=now, group_alerts=bool(value))
    elif action == DigestAction.STOP:
        await digests.set_preferences(session, user=user, now=now, frequency=rules.Frequency.OFF)
        note = _("🔕 No more digests. You can turn them back on here any time.")
    elif action == DigestAction.ALERTS_OFF:
        await digests.set_preferences(session, user=user, now=now, group_alerts=False)
        note = _("🔕 No more alerts about new groups. You can turn them back on here any time.")
    elif action == DigestAction.ZONE:
        await state.set_state(DigestState.zone)
        await callback.answer()
        await _reply(
            callback,
            _(
                "Send your time zone as its name, e.g. <code>Europe/Rome</code>, "
                "<code>America/Sao_Paulo</code> or <code>Asia/Shanghai</code>. It is now {zone}."
            ).format(zone=user.timezone),
            cancel_markup(),
        )
        return
    elif action != DigestAction.SHOW:
        await stale(callback)
        return
    await callback.answer(note or None)
    text, markup = digest_screen(user, current())
    if note:
        text = note + "\n\n" + text
    if callback_data.new or note:  # from a digest or an alert: it stays as it was
        await _reply(callback, text, markup)
        return
    await show(callback, text, markup)


async def _reply(callback: CallbackQuery, text: str, markup: InlineKeyboardMarkup) -> None:
    """A new message under the one tapped (or, if that one is too old to be seen, to the chat)."""
    if isinstance(callback.message, Message):
        await callback.message.answer(text, reply_markup=markup)
    elif callback.bot is not None:
        await callback.bot.send_message(callback.from_user.id, text, reply_markup=markup)


@router.message(StateFilter(DigestState.zone), F.text, ~F.text.startswith("/"))
async def on_zone(
    message: Message, session: AsyncSession, user: User, state: FSMContext, clock: Clock
) -> None:
    match = geo.find_zone(message.text or "")
    if match is None:
        await message.answer(
            _("“{value}” is not a time zone I know. Try e.g. <code>Europe/Rome</code>.").format(
                value=q((message.text or "")[:64])
            ),
            reply_markup=cancel_markup(),
        )
        return
    await digests.set_preferences(session, user=user, now=clock.now(), timezone=match)
    await confirm.clear_dialog(state)
    text, markup = digest_screen(user, current())
    await message.answer(_("🕒 Time zone: {zone}").format(zone=match) + "\n\n" + text,
                         reply_markup=markup)  # fmt: skip
