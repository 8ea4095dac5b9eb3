"""Agents see their regions (/region), pick lists (/picklist, also as CSV) and mark orders paid
or handed over (/paid, /handed, or the buttons of their alerts) — only in their own regions.
Admins appoint them (handlers.admin.agents)."""

from __future__ import annotations

import csv
import io

from aiogram import F
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from domain.text import spreadsheet_safe
from handlers.routing import RouterSpec
from models import Agent, GroupOrder, Order, User
from services import agents, groups
from services.agents import AgentError
from services.catalog import localized
from ui.agents import agent_buttons, agent_order_text, region_label
from ui.callbacks import AgentCb
from ui.context import current
from ui.errors import error_text
from ui.groups import ORDER_STATUS_NAMES, group_title, progress_line
from ui.render import fit, q, show

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
    locale = current().locale
    lines = [_("🗺 <b>Your regions</b>")]
    for region in regions:
        lines += ["", f"<b>{q(region_label(region.country, region.city, locale))}</b>"]
        mine = await agents.groups_in_region(session, region)
        if not mine:
            lines.append(_("No open or formed group orders."))
        stats = await groups.order_stats(session, [group.id or 0 for group in mine])
        for group in mine:
            counts = stats[group.id or 0]
            lines.append(
                ngettext(
                    "<b>{id}</b> · {title}\n   {progress} · {count} order, {paid} paid, {handed} handed over",
                    "<b>{id}</b> · {title}\n   {progress} · {count} orders, {paid} paid, {handed} handed over",
                    counts.orders,
                ).format(
                    id=group.id, title=q(group_title(group, user, locale)), progress=q(progress_line(group, locale)),
                    count=counts.orders, paid=counts.paid, handed=counts.handed,
                )
            )  # fmt: skip
    lines += ["", _("Pick list: /picklist ID · mark an order: /paid ORDER, /handed ORDER")]
    await message.answer(fit(lines))


class SafeWriter:
    """A csv writer whose cells are neutralised for spreadsheets (names are the buyers' own)."""

    def __init__(self, writer) -> None:  # noqa: ANN001
        self.writer = writer

    def writerow(self, row: list[object]) -> None:
        self.writer.writerow([spreadsheet_safe(cell) for cell in row])


async def picklist_view(
    session: AsyncSession, user: User, group_id: int
) -> tuple[str, bytes] | None:
    """The pick list of a group in the agent's region: text, and the same as CSV."""
    group = await session.get(GroupOrder, group_id)
    if group is None or not await agents.covers(session, user_id=user.id, group=group):
        return None
    locale = current().locale
    entries = await agents.pick_list(session, group_id=group_id)
    by_point: dict[str, list[agents.PickEntry]] = {}
    for entry in entries:
        label = (
            entry.pickup_point.name
            if entry.pickup_point
            else _("Delivery / no pickup point chosen")
        )
        by_point.setdefault(label, []).append(entry)
    lines = [_("📋 <b>Pick list</b> · {title}").format(title=q(group_title(group, user, locale)))]
    out = io.StringIO()
    writer = SafeWriter(csv.writer(out))
    writer.writerow(
        [
            "pickup_point",
            "order",
            "buyer_id",
            "buyer",
            "username",
            "product",
            "quantity",
            "status",
            "paid",
        ]
    )
    totals: dict[str, int] = {}
    for label, group_entries in sorted(by_point.items()):
        lines += ["", f"📍 <b>{q(label)}</b>"]
        for entry in group_entries:
            order, buyer = entry.order, entry.buyer
            name = buyer.first_name if buyer else str(order.user_id)
            status = _(ORDER_STATUS_NAMES.get(order.status, order.status))
            paid = "💰" if order.paid_at else ""
            lines.append(
                f'{order.id}. <a href="tg://user?id={order.user_id}">{q(name)}</a> · {q(status)} {paid}'.rstrip()
            )
            for line, _offer, product in entry.lines:
                product_name = localized(product.names, locale)
                lines.append(f"   • {line.quantity} × {q(product_name)}")
                totals[product_name] = totals.get(product_name, 0) + line.quantity
                writer.writerow(
                    [
                        label,
                        order.id,
                        order.user_id,
                        name,
                        buyer.username if buyer else "",
                        product.slug,
                        line.quantity,
                        order.status,
                        "yes" if order.paid_at else "no",
                    ]
                )
    if not entries:
        lines.append(_("No orders in this group."))
    else:
        lines += ["", _("<b>Totals</b>")] + [
            f"• {qty} × {q(name)}" for name, qty in sorted(totals.items())
        ]
    return "\n".join(lines), out.getvalue().encode("utf-8-sig")


async def send_picklist(target: Message, session: AsyncSession, user: User, group_id: int) -> bool:
    view = await picklist_view(session, user, group_id)
    if view is None:
        return False
    text, data = view
    from ui.render import split_text

    for part in split_text(text):
        await target.answer(part)
    await target.answer_document(BufferedInputFile(data, filename=f"picklist-group-{group_id}.csv"))
    return True


def parse_id(text: str | None) -> int | None:
    value = (text or "").strip().lstrip("#")
    return int(value) if value.isdecimal() and len(value) < 10 else None


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


async def act(
    action: str, session: AsyncSession, user: User, order_id: int, now
) -> tuple[bool, str, Order | None]:  # noqa: ANN001
    try:
        if action == "paid":
            order = await agents.mark_paid(
                session, order_id=order_id, agent_user_id=user.id, now=now
            )
            return (
                True,
                _("💰 Order {number} is marked paid; the buyer is told.").format(number=order_id),
                order,
            )
        order = await agents.mark_handed(session, order_id=order_id, agent_user_id=user.id, now=now)
        return (
            True,
            _("📦 Order {number} is handed over; the buyer is told.").format(number=order_id),
            order,
        )
    except AgentError as error:
        return False, error_text(error), None


@router.message(Command("paid", "handed"))
async def cmd_mark(
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
    _ok, text, _order = await act(command.command, session, user, order_id, clock.now())
    await message.answer(text)


@router.callback_query(AgentCb.filter(F.a.in_({"paid", "handed"})))
async def on_mark(
    callback: CallbackQuery,
    callback_data: AgentCb,
    session: AsyncSession,
    user: User,
    clock: Clock,
) -> None:
    ok, text, order = await act(callback_data.a, session, user, callback_data.id, clock.now())
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
