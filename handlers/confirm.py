"""Confirmation prompts that act on exactly what they showed.

A destructive command (/gb_cancel, /gb_close, /agent_remove) keeps what it is about to do under a
short random token, with an expiry, in the admin's FSM data; the "Yes" button carries that token.
Two prompts open at once each keep their own target and arguments, and a "Yes" whose token is
unknown, used or expired changes nothing."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from core.clock import Clock
from handlers.routing import RouterSpec
from ui.callbacks import ConfirmAction, ConfirmCb
from ui.render import button, show

router = RouterSpec(__name__)

TTL = timedelta(minutes=30)
KEY = "confirmations"
MAX_PENDING = 20  # per admin; the oldest are forgotten first


async def ask(
    state: FSMContext, action: str, payload: dict[str, Any], *, now: datetime, yes: str,
    no: str,
) -> InlineKeyboardMarkup:  # fmt: skip
    """Remember the pending action and return the prompt's keyboard: `yes` does it, `no` (say
    what it keeps: "Keep the group", not a "Cancel" that would mean "don't cancel") does not."""
    data = await state.get_data()
    pending: dict[str, dict[str, Any]] = {
        token: entry
        for token, entry in (data.get(KEY) or {}).items()
        if entry.get("expires", 0) > now.timestamp()
    }
    token = secrets.token_urlsafe(6)
    pending[token] = {"action": action, "payload": payload, "expires": (now + TTL).timestamp()}
    while len(pending) > MAX_PENDING:
        pending.pop(next(iter(pending)))
    await state.update_data({KEY: pending})
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                button(yes, ConfirmCb(a=ConfirmAction(action), t=token).pack()),
                button(no, ConfirmCb(a=ConfirmAction(action), t=token, no=True).pack()),
            ]
        ]
    )


async def take(
    state: FSMContext, callback_data: ConfirmCb, *, now: datetime
) -> dict[str, Any] | None:
    """The payload of the pending action the button names, once (None: unknown, used, expired
    or for another action)."""
    data = await state.get_data()
    pending = dict(data.get(KEY) or {})
    entry = pending.pop(callback_data.t, None)
    await state.update_data({KEY: pending})
    if entry is None or entry.get("action") != callback_data.a:
        return None
    if entry.get("expires", 0) <= now.timestamp():
        return None
    return dict(entry.get("payload") or {})


def expired_text() -> str:
    return _("This confirmation has expired or was already used. Nothing was changed.")


async def take_or_refuse(
    callback: CallbackQuery, state: FSMContext, callback_data: ConfirmCb, *, now: datetime
) -> dict[str, Any] | None:
    """`take`, and when there is nothing to take, the tap is told so (and None returned)."""
    pending = await take(state, callback_data, now=now)
    if pending is None:
        await callback.answer(expired_text(), show_alert=True)
    return pending


@router.callback_query(ConfirmCb.filter(F.no))
async def on_no(
    callback: CallbackQuery, callback_data: ConfirmCb, state: FSMContext, clock: Clock
) -> None:
    """The prompt's Cancel: the pending action is forgotten; the prompt says so."""
    await take(state, callback_data, now=clock.now())
    await callback.answer(_("Cancelled. Nothing was changed."))
    await show(callback, _("Cancelled. Nothing was changed."))


async def clear_dialog(state: FSMContext) -> None:
    """Leave any dialog and forget its data, but not the confirmations still open: a /start or
    a Cancel elsewhere does not take a pending "Yes" away."""
    pending = (await state.get_data()).get(KEY)
    await state.clear()
    if pending:
        await state.update_data({KEY: pending})
