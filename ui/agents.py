"""What agents see: an order as its agent reads it, with the buttons to act on it, and regions."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain import geo, pricing
from domain.money import BASE_CURRENCY
from models import OrderStatus, User
from services import groups
from services.agents import OrderCard
from services.groups import OrderView
from ui.callbacks import AgentAction, AgentCb
from ui.context import RenderContext
from ui.groups import ORDER_STATUS_NAMES, final_amount_text, group_title, order_lines, time_left
from ui.money import format_amounts
from ui.render import button, q, tr


def region_label(country: str, city: str, locale: str) -> str:
    return f"{tr(city)}, {geo.country_name(country, locale)}"


def agent_buttons(card: OrderCard) -> InlineKeyboardMarkup:
    order = card.order
    kb = InlineKeyboardBuilder()
    row = []
    if order.paid_at is None and order.status in (OrderStatus.PLACED, OrderStatus.CONFIRMED):
        row.append(button(_("💰 Mark paid"), AgentCb(id=order.id or 0, a=AgentAction.PAID).pack()))
    if order.status in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.READY_FOR_PICKUP):
        row.append(
            button(_("📦 Handed over"), AgentCb(id=order.id or 0, a=AgentAction.HANDED).pack())
        )
    if row:
        kb.row(*row)
    kb.row(button(_("📋 Pick list"), AgentCb(id=order.group_id, a=AgentAction.PICK).pack()))
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
        if order.amount_cny is not None:
            amount = final_amount_text(view, locale)
        else:
            currency = (buyer.currency if buyer else None) or BASE_CURRENCY
            amount = format_amounts(
                groups.order_amount(view, tier),
                groups.order_amount_local(view, tier, card.rate, currency),
                currency if card.rate else BASE_CURRENCY,
                locale,
            )
        lines.append(_("Amount: {amount}").format(amount=q(amount)))
    if card.point is not None:
        lines.append(_("📍 Pickup point: {place}").format(place=q(card.point.name)))
    status = _(ORDER_STATUS_NAMES.get(order.status, order.status))
    paid = _(" · 💰 paid") if order.paid_at else ""
    lines.append(_("Status: {status}").format(status=q(status)) + paid)
    if group.status == "open":
        lines.append(
            _("⏰ Closes in {time}").format(time=q(time_left(group.deadline, ctx.now, locale)))
        )
    return "\n".join(lines)


def agent_alert(card: OrderCard, event: str, agent: User, ctx: RenderContext) -> str:
    heading = {
        "placed": _("🆕 <b>New order</b>"),
        "changed": _("✏️ <b>Order changed</b>"),
        "cancelled": _("❌ <b>Order cancelled</b>"),
    }.get(event, _("🔔 <b>Order update</b>"))
    return heading + "\n" + agent_order_text(card, agent, ctx)
