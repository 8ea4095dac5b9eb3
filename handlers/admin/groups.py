"""Admins run open group orders: /gb_list, /gb_extend, /gb_cancel and /gb_close; the
destructive ones ask for confirmation first."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from domain.group_spec import (
    SpecError,
    parse_deadline,
)
from domain.groups import forms
from handlers import confirm
from handlers.routing import RouterSpec
from models import User
from services import groups
from services.groups import GroupError
from ui.admin import open_groups_text
from ui.callbacks import ConfirmCb
from ui.context import current
from ui.errors import error_text
from ui.groups import group_title
from ui.render import q, show

router = RouterSpec(__name__, admin_only=True)


@router.message(Command("gb_list"))
async def cmd_gb_list(message: Message, session: AsyncSession, user: User) -> None:
    found = await groups.all_open_groups(session)
    if not found:
        await message.answer(_("No group order is open. Open one with /gb_new."))
        return
    stats = await groups.order_stats(session, [group.id or 0 for group in found])
    await message.answer(open_groups_text(found, stats, user))


def parse_group_id(text: str) -> int | None:
    text = text.strip().lstrip("#")
    return int(text) if text.isdecimal() and len(text) < 10 else None


@router.message(Command("gb_extend"))
async def cmd_gb_extend(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    user: User,
    clock: Clock,
) -> None:
    parts = (command.args or "").split(maxsplit=1)
    group_id = parse_group_id(parts[0]) if parts else None
    if group_id is None or len(parts) < 2:
        await message.answer(
            _(
                "Usage: /gb_extend ID DEADLINE, e.g. /gb_extend 3 +2d or /gb_extend 3 2026-12-24 12:00"
            )
        )
        return
    now = clock.now()
    try:
        before = await groups.get_group(session, group_id)
        # +2d moves the deadline two days later than it is (not two days from now)
        deadline = parse_deadline(parts[1], timezone=user.timezone, now=now, base=before.deadline)
        group = await groups.extend(
            session, group_id=group_id, deadline=deadline, now=now, admin_id=user.id
        )
    except SpecError as error:
        await message.answer(error_text(error))
        return
    except GroupError as error:
        await message.answer(error_text(error, admin=True))
        return
    await message.answer(
        _("✅ Extended: {title}").format(title=q(group_title(group, user, current().locale)))
    )


@router.message(Command("gb_cancel"))
async def cmd_gb_cancel(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    user: User,
    state: FSMContext,
    clock: Clock,
) -> None:
    parts = (command.args or "").split(maxsplit=1)
    group_id = parse_group_id(parts[0]) if parts else None
    reason = " ".join(parts[1].split()) if len(parts) > 1 else ""
    if group_id is None or not reason or len(reason) > 500:
        await message.answer(
            _(
                "Usage: /gb_cancel ID REASON — the reason is sent to every participant (at most 500 characters)."
            )
        )
        return
    try:
        group = await groups.get_group(session, group_id)
    except GroupError as error:
        await message.answer(error_text(error, admin=True))
        return
    count = len(await groups.participants(session, group_id))
    markup = await confirm.ask(
        state, "gb_cancel", {"group_id": group_id, "reason": reason}, now=clock.now(),
        yes=_("🗑 Yes, cancel the group"), no=_("↩ Keep the group"),
    )  # fmt: skip
    await message.answer(
        ngettext(
            "Cancel {title}? {count} order will be cancelled and its buyer told: “{reason}”",
            "Cancel {title}? {count} orders will be cancelled and every buyer told: “{reason}”",
            count,
        ).format(
            title=q(group_title(group, user, current().locale)), count=count, reason=q(reason)
        ),
        reply_markup=markup,
    )


@router.callback_query(ConfirmCb.filter((F.a == "gb_cancel") & ~F.no))
async def on_cancel_ok(
    callback: CallbackQuery,
    callback_data: ConfirmCb,
    session: AsyncSession,
    state: FSMContext,
    clock: Clock,
    user: User,
) -> None:
    pending = await confirm.take_or_refuse(callback, state, callback_data, now=clock.now())
    if pending is None:
        return
    try:
        outcome = await groups.cancel(
            session, group_id=int(pending["group_id"]), reason=str(pending["reason"]),
            now=clock.now(), admin_id=user.id,
        )  # fmt: skip
    except GroupError as error:
        await callback.answer(error_text(error, admin=True), show_alert=True)
        return
    await callback.answer()
    await show(
        callback,
        ngettext(
            "Group order {id} is cancelled; {count} buyer will be told.",
            "Group order {id} is cancelled; {count} buyers will be told.",
            outcome.orders,
        ).format(id=outcome.group_id, count=outcome.orders),
    )


@router.message(Command("gb_close"))
async def cmd_gb_close(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    user: User,
    state: FSMContext,
    clock: Clock,
) -> None:
    group_id = parse_group_id(command.args or "")
    if group_id is None:
        await message.answer(
            _(
                "Usage: /gb_close ID — closes the group now: it forms if it reached its minimum, else it fails."
            )
        )
        return
    try:
        group = await groups.get_group(session, group_id)
    except GroupError as error:
        await message.answer(error_text(error, admin=True))
        return
    verdict = (
        _("It has reached its minimum and will form.")
        if forms(group.total, group.min_total)
        else _("It has NOT reached its minimum and will fail.")
    )
    await message.answer(
        _("Close {title} now? {verdict}").format(
            title=q(group_title(group, user, current().locale)), verdict=verdict
        ),
        reply_markup=await confirm.ask(
            state,
            "gb_close",
            {"group_id": group_id, "version": group.version},
            now=clock.now(),
            yes=_("🔒 Yes, close it now"),
            no=_("↩ Keep it open"),
        ),  # fmt: skip
    )


@router.callback_query(ConfirmCb.filter((F.a == "gb_close") & ~F.no))
async def on_close_ok(
    callback: CallbackQuery,
    callback_data: ConfirmCb,
    session: AsyncSession,
    state: FSMContext,
    clock: Clock,
    user: User,
) -> None:
    pending = await confirm.take_or_refuse(callback, state, callback_data, now=clock.now())
    if pending is None:
        return
    try:
        outcome = await groups.close(
            session, group_id=int(pending["group_id"]), now=clock.now(), force=True,
            expected_version=int(pending["version"]), admin_id=user.id,
        )  # fmt: skip
    except GroupError as error:
        await callback.answer(error_text(error, admin=True), show_alert=True)
        return
    if outcome is None:
        await callback.answer(error_text(GroupError("not_open"), admin=True), show_alert=True)
        return
    await callback.answer()
    text = (
        ngettext(
            "Group order {id} formed; {count} order confirmed.",
            "Group order {id} formed; {count} orders confirmed.",
            outcome.orders,
        )
        if outcome.status == "formed"
        else ngettext(
            "Group order {id} failed; {count} order cancelled.",
            "Group order {id} failed; {count} orders cancelled.",
            outcome.orders,
        )
    )
    await show(callback, text.format(id=outcome.group_id, count=outcome.orders))
