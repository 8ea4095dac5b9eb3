"""Agents see their regions (/region), pick lists (/picklist, also as CSV) and mark orders paid
or handed over (/paid, /handed, or the buttons of their alerts) — only in their own regions.
Admins appoint them (handlers.admin.agents)."""

from __future__ import annotations

from datetime import datetime

from aiogram import F
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from domain.text import parse_id
from handlers.routing import RouterSpec
from models import Agent, Order, User
from services import agents
from services.agents import AgentError
from ui.agents import agent_buttons, agent_order_text, picklist_view, regions_text
from ui.callbacks import AgentCb
from ui.context import current
from ui.errors import error_text
from ui.render import show, split_text

router = RouterSpec(__name__)


# ── agents ───────────────────────────────────────────────────────────────────────────────


async def require_agent(message: Message, session: AsyncSession, user: User) -> list[Agent] | None:
    regions = await agents.agents_of_user(session, user.id)
    if not regions:
        await message.answer(
            _("⛔ This command is for agents. An admin can make you the agent of your city.")
        )
        return None
    return regions


@router.message(Command("region"))
async def cmd_region(message: Message, session: AsyncSession, user: User, clock: Clock) -> None:
    regions = await require_agent(message, session, user)
    if regions is None:
        return
    await message.answer(regions_text(await agents.region_groups(session, regions), user))


async def send_picklist(target: Message, session: AsyncSession, user: User, group_id: int) -> bool:
    picklist = await agents.agent_pick_list(session, user_id=user.id, group_id=group_id)
    if picklist is None:
        return False
    text, data = picklist_view(picklist, user)
    for part in split_text(text):
        await target.answer(part)
    await target.answer_document(BufferedInputFile(data, filename=f"picklist-group-{group_id}.csv"))
    return True


@router.message(Command("picklist"))
async def cmd_picklist(
    message: Message, command: CommandObject, session: AsyncSession, user: User
) -> None:
    if await require_agent(message, session, user) is None:
        return
    group_id = parse_id(command.args)
    if group_id is None:
        await message.answer(_("Usage: /picklist GROUP_ID (see /region)"))
        return
    if not await send_picklist(message, session, user, group_id):
        await message.answer(_("⛔ This group order is not in your region (or does not exist)."))


@router.message(Command("handed"))
async def cmd_handed(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    user: User,
    clock: Clock,
) -> None:
    if await require_agent(message, session, user) is None:
        return
    order_id = parse_id(command.args)
    if order_id is None:
        await message.answer(_("Usage: /{command} ORDER_NUMBER").format(command=command.command))
        return
    _ok, text, _order = await hand_over(session, user, order_id, clock.now())
    await message.answer(text)


async def hand_over(
    session: AsyncSession, user: User, order_id: int, now: datetime
) -> tuple[bool, str, Order | None]:
    try:
        order = await agents.mark_handed(session, order_id=order_id, agent_user_id=user.id, now=now)
    except AgentError as error:
        return False, error_text(error), None
    return (
        True,
        _("📦 Order {number} is handed over; the buyer is told.").format(number=order_id),
        order,
    )


@router.callback_query(AgentCb.filter(F.a == "handed"))
async def on_mark(
    callback: CallbackQuery,
    callback_data: AgentCb,
    session: AsyncSession,
    user: User,
    clock: Clock,
) -> None:
    ok, text, order = await hand_over(session, user, callback_data.id, clock.now())
    await callback.answer(text, show_alert=not ok)
    if not ok or order is None:
        return
    card = (await agents.order_cards(session, [order.id or 0]))[order.id or 0]
    await show(callback, agent_order_text(card, user, current()), agent_buttons(card))


@router.callback_query(AgentCb.filter(F.a == "pick"))
async def on_pick(
    callback: CallbackQuery, callback_data: AgentCb, session: AsyncSession, user: User
) -> None:
    if not isinstance(callback.message, Message) or not await send_picklist(
        callback.message, session, user, callback_data.id
    ):
        await callback.answer(
            _("⛔ This group order is not in your region (or does not exist)."), show_alert=True
        )
        return
    await callback.answer()
