"""What agents see: an order as its agent reads it, with the buttons to act on it, their
regions, and pick lists (also as CSV)."""

from __future__ import annotations

import csv
import io

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from domain import geo, pricing
from domain.balance import Balance
from domain.catalog import localized
from domain.money import BASE_CURRENCY
from domain.orders import OrderView
from domain.text import spreadsheet_safe
from models import GroupOrder, Order, OrderStatus, User
from services import agents
from services.agents import OrderCard, PickList, RegionGroups
from ui.callbacks import AgentAction, AgentCb
from ui.checkout import delivery_lines, note_text
from ui.context import RenderContext, current
from ui.groups import (
    GROUP_STATUS_NAMES,
    ORDER_STATUS_NAMES,
    group_title,
    order_lines,
    progress_line,
    time_left,
    yuan,
)
from ui.keyboard import Keyboard
from ui.payments import agent_money_buttons, balance_lines
from ui.render import button, fit, item_line, q, tr
from ui.shipments import status_text


def region_label(country: str, city: str, locale: str) -> str:
    return f"{tr(city)}, {geo.country_name(country, locale)}"


def agent_buttons(card: OrderCard) -> InlineKeyboardMarkup:
    """What an agent can do with the order now: record a payment while something is due (also
    on collection), a refund while one is due, hand it over once it arrived or is paid."""
    order = card.order
    kb = Keyboard()
    row = agent_money_buttons(order, card.balance, current().locale)
    if order.status in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.READY_FOR_PICKUP):
        row.append(
            button(_("📦 Mark handed over"), AgentCb(id=order.id or 0, a=AgentAction.HANDED).pack())
        )
    for start in range(0, len(row), 2):
        kb.row(*row[start : start + 2])
    kb.row(
        button(_("📋 Pick list"), AgentCb(id=order.group_id, a=AgentAction.PICK).pack()),
        button(_("💶 Collection"), AgentCb(id=order.group_id, a=AgentAction.COLLECT).pack()),
    )
    return kb.as_markup()


def agent_order_text(card: OrderCard, agent: User, ctx: RenderContext) -> str:
    """An order as its agent sees it: buyer (with a link), lines, amount, group and deadline."""
    order, group, buyer, locale = card.order, card.group, card.buyer, ctx.locale
    name = q(buyer.first_name if buyer and buyer.first_name else str(order.user_id))
    who = f'<a href="tg://user?id={order.user_id}">{name}</a>'
    if buyer and buyer.username:
        who += f" @{q(buyer.username)}"
    lines = [
        _("Order {number} · {title}").format(
            number=order.id, title=q(group_title(group, agent, locale))
        ),
        _("Buyer: {who}").format(who=who),
    ]
    if card.lines:
        view = OrderView(order, card.lines)
        tier = pricing.tier_index(group.tiers, group.total)
        lines += order_lines(view, tier, BASE_CURRENCY, None, locale)[:-1]  # agents reckon in yuan
        for line, _offer, product in card.lines:
            note = note_text(line)
            if note:
                lines.append(f"   {note} ({q(localized(product.names, locale))})")
            if not line.supplied:
                lines.append(
                    "   "
                    + _("✖ not supplied: {product}").format(
                        product=q(localized(product.names, locale))
                    )
                )
    delivery = delivery_lines(buyer) if buyer is not None else []
    if delivery:
        lines += delivery  # home or restaurant: the address and phone, not a pickup point
    elif card.point is not None:
        lines.append(_("📍 Pickup point: {place}").format(place=q(card.point.name)))
    status = _(ORDER_STATUS_NAMES.get(order.status, order.status))
    lines.append(_("Status: {status}").format(status=q(status)))
    if card.balance is not None:
        lines += balance_lines(
            card.balance, agent, ctx, order=order, group=group, for_agent=True, items=card.lines
        )
    if group.status == "open":
        lines.append(
            _("⏰ Closes in {time}").format(time=q(time_left(group.deadline, ctx.now, locale)))
        )
    return "\n".join(lines)


def current_event(card: OrderCard) -> str:
    """The heading an edited alert shows: the order is gone, or this is its latest state."""
    return "cancelled" if card.order.status == OrderStatus.CANCELLED else "update"


def agent_alert(card: OrderCard, event: str, agent: User, ctx: RenderContext) -> str:
    heading = {
        "placed": _("🆕 <b>New order</b>"),
        "changed": _("✏️ <b>Order changed</b>"),
        "cancelled": _("❌ <b>Order cancelled</b>"),
    }.get(event, _("🔔 <b>Order update</b>"))
    return heading + "\n" + agent_order_text(card, agent, ctx)


def regions_text(regions: list[RegionGroups], user: User) -> str:
    """/region: each region's groups with their status (open, formed, shipped), progress and
    order counts."""
    locale = current().locale
    lines = [_("🗺 <b>Your regions</b>")]
    for found in regions:
        region, mine, stats = found.region, found.groups, found.stats
        lines += ["", f"<b>{q(region_label(region.country, region.city, locale))}</b>"]
        if not mine:
            lines.append(_("No group orders here yet."))
        for group in mine:
            counts = stats[group.id or 0]
            status = _(GROUP_STATUS_NAMES.get(group.status, group.status))
            shipment = found.shipments.get(group.shipment_id or 0)
            if shipment is not None and group.status == "shipped":
                status += " · " + status_text(shipment)  # shipped · travelling
            lines.append(
                ngettext(
                    "<b>{id}</b> · {title}\n   {status} · {progress} · {count} order (paid: {paid}, handed over: {handed})",
                    "<b>{id}</b> · {title}\n   {status} · {progress} · {count} orders (paid: {paid}, handed over: {handed})",
                    counts.orders,
                ).format(
                    id=group.id, title=q(group_title(group, user, locale)), progress=q(progress_line(group, locale)),
                    status=q(status),
                    count=counts.orders, paid=counts.paid, handed=counts.handed,
                )
            )  # fmt: skip
    lines += [
        "",
        _(
            "Pick list: /picklist ID · money: /collect ID · an order: /paid ORDER, /refund "
            "ORDER, /handed ORDER"
        ),
    ]
    return fit(lines)


class SafeWriter:
    """A csv writer whose cells are neutralised for spreadsheets (names are the buyers' own)."""

    def __init__(self, writer) -> None:  # noqa: ANN001
        self.writer = writer

    def writerow(self, row: list[object]) -> None:
        self.writer.writerow([spreadsheet_safe(cell) for cell in row])


def picklist_view(picklist: PickList, user: User) -> tuple[str, bytes]:
    """The pick list of a group: text, and the same as CSV."""
    group, entries = picklist.group, picklist.entries
    locale = current().locale
    by_point: dict[str, list[agents.PickEntry]] = {}
    for entry in entries:
        delivered = delivery_lines(entry.buyer) if entry.buyer is not None else []
        label = (
            _("🚚 Delivery")
            if delivered
            else entry.pickup_point.name
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
            "note",
            "supplied",
            "delivery",
            "address",
            "phone",
            "business_name",
            "vat_number",
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
            lines += ["   " + detail for detail in (delivery_lines(buyer) if buyer else [])]
            for line, _offer, product in entry.lines:
                product_name = localized(product.names, locale)
                if not line.supplied:  # taken off the order: nothing to pick
                    lines.append(
                        "   " + _("✖ not supplied: {product}").format(product=q(product_name))
                    )
                else:
                    lines.append(item_line(line.quantity, product_name, indent="   "))
                    note = note_text(line)
                    if note:
                        lines.append(f"      {note}")
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
                        line.note or "",
                        "yes" if line.supplied else "no",
                        buyer.delivery if buyer else "",
                        (buyer.address or "") if buyer else "",
                        (buyer.phone or "") if buyer else "",
                        (buyer.business_name or "") if buyer else "",
                        (buyer.vat_number or "") if buyer else "",
                    ]
                )
    if not entries:
        lines.append(_("No orders in this group."))
    else:
        lines += ["", _("<b>Totals</b>")] + [
            item_line(qty, name) for name, qty in sorted(totals.items())
        ]
    return "\n".join(lines), out.getvalue().encode("utf-8-sig")


def group_formed_summary(
    group: GroupOrder, orders: list[Order], buyers: dict[int, User], agent: User, ctx: RenderContext,
    money: dict[int, Balance] | None = None,
) -> tuple[str, InlineKeyboardMarkup]:  # fmt: skip
    """To an agent when a group of their city forms: what is still to collect (in yuan, what
    each balance leaves; part payments count), and who has paid in full."""
    locale = ctx.locale
    money = money or {}
    to_collect = sum(
        max(0, money[o.id or 0].outstanding_cny) if (o.id or 0) in money else (o.amount_cny or 0)
        for o in orders
        if o.paid_at is None
    )
    paid = [o for o in orders if o.paid_at is not None]
    lines = [
        ngettext(
            "✅ <b>{title}</b> has formed: {count} order to hand over.",
            "✅ <b>{title}</b> has formed: {count} orders to hand over.",
            len(orders),
        ).format(title=q(group_title(group, agent, locale)), count=len(orders)),
        _("Still to collect: {amount}").format(amount=q(yuan(to_collect, locale))),
        ngettext(
            "Already paid: {count} order",
            "Already paid: {count} orders",
            len(paid),
        ).format(count=len(paid)),
    ]
    for order in paid:
        buyer = buyers.get(order.user_id)
        name = buyer.first_name if buyer and buyer.first_name else str(order.user_id)
        lines.append(f"   💰 {order.id} · {q(name)}")
    kb = Keyboard()
    kb.row(
        button(_("📋 Pick list"), AgentCb(id=group.id or 0, a=AgentAction.PICK).pack()),
        button(_("💶 Collection"), AgentCb(id=group.id or 0, a=AgentAction.COLLECT).pack()),
    )
    return fit(lines), kb.as_markup()
