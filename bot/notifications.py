"""Rendering outbox rows, in the recipient's language, when they are sent."""

from __future__ import annotations

from datetime import datetime

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from models import GroupOrder, Notification, Order, User
from services import groups
from services.money import format_amounts
from ui.callbacks import AgentCb, GroupCb
from ui.groups import (
    ORDER_STATUS_NAMES,
    confirmed_lines,
    final_amount_text,
    group_title,
    measure_text,
    order_lines,
    progress_line,
    time_left,
)
from ui.render import button, q

Rendered = tuple[str, InlineKeyboardMarkup | None]


def _group_button(group_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.row(button(_("👥 Open the group"), GroupCb(id=group_id).pack()))
    return kb.as_markup()


def agent_buttons(order: Order) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    row = []
    if order.paid_at is None and order.status in ("placed", "confirmed"):
        row.append(button(_("💰 Mark paid"), AgentCb(id=order.id or 0, a="paid").pack()))
    if order.status in ("paid", "shipped", "ready_for_pickup"):
        row.append(button(_("📦 Handed over"), AgentCb(id=order.id or 0, a="handed").pack()))
    if row:
        kb.row(*row)
    kb.row(button(_("📋 Pick list"), AgentCb(id=order.group_id, a="pick").pack()))
    return kb.as_markup()


async def agent_order_text(
    session: AsyncSession, order: Order, group: GroupOrder, agent: User, locale: str, now: datetime
) -> str:
    """An order as its agent sees it: buyer (with a link), lines, amount, group and deadline."""
    from services import catalog, pricing

    buyer = await session.get(User, order.user_id)
    view = await groups.order_of(session, group_id=group.id or 0, user_id=order.user_id)
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
    if view is not None and view.lines:
        tier = pricing.tier_index(group.tiers, group.total)
        lines += order_lines(view, tier, "CNY", None, locale)[:-1]  # the agent reckons in yuan
        if order.amount_cny is not None:
            amount = final_amount_text(view, locale)
        else:
            currency = (buyer.currency if buyer else None) or "CNY"
            rate = await catalog.get_rate(session, currency)
            amount = format_amounts(
                groups.order_amount(view, tier),
                groups.order_amount_local(view, tier, rate, currency),
                currency if rate else "CNY",
                locale,
            )
        lines.append(_("Amount: {amount}").format(amount=q(amount)))
    if buyer and buyer.pickup_point_id:
        from models import PickupPoint

        point = await session.get(PickupPoint, buyer.pickup_point_id)
        if point is not None:
            lines.append(_("📍 Pickup point: {place}").format(place=q(point.name)))
    status = _(ORDER_STATUS_NAMES.get(order.status, order.status))
    paid = _(" · 💰 paid") if order.paid_at else ""
    lines.append(_("Status: {status}").format(status=q(status)) + paid)
    if group.status == "open":
        lines.append(
            _("⏰ Closes in {time}").format(time=q(time_left(group.deadline, now, locale)))
        )
    return "\n".join(lines)


async def render_agent_alert(
    session: AsyncSession,
    order: Order,
    group: GroupOrder,
    agent: User,
    event: str,
    locale: str,
    now: datetime,
) -> Rendered:
    heading = {
        "placed": _("🆕 <b>New order</b>"),
        "changed": _("✏️ <b>Order changed</b>"),
        "cancelled": _("❌ <b>Order cancelled</b>"),
    }.get(event, _("🔔 <b>Order update</b>"))
    text = heading + "\n" + await agent_order_text(session, order, group, agent, locale, now)
    return text, agent_buttons(order)


async def render(
    session: AsyncSession, notification: Notification, user: User, now: datetime
) -> Rendered | None:
    """Text and keyboard for a notification, or None when it no longer applies."""
    locale = user.locale or "en"
    payload = notification.payload
    if notification.kind == "text":  # already worded (and escaped) by whoever queued it
        text = str(payload.get("text", ""))
        return (text, None) if text else None
    group = await session.get(GroupOrder, int(payload.get("group_id", 0)))
    if group is None:
        return None
    title = q(group_title(group, user, locale))
    order = await session.get(Order, int(payload["order_id"])) if payload.get("order_id") else None
    kind = notification.kind

    if kind == "group_formed" and order is not None:
        view = await groups.order_of(session, group_id=group.id or 0, user_id=user.id)
        assert view is not None
        lines = [
            _("✅ <b>{title}</b> has formed!").format(title=title),
            _("Your order {number} is confirmed at the final price: <b>{amount}</b>.").format(
                number=order.id, amount=q(final_amount_text(view, locale))
            ),
        ]

        lines += confirmed_lines(view, group, locale)[:-1]
        lines.append(_("Your regional agent will contact you about payment and pickup."))
        return "\n".join(lines), None
    if kind == "group_failed" and order is not None:
        text = _(
            "😔 <b>{title}</b> did not reach its minimum ({progress}) and will not ship. "
            "Your order {number} is cancelled; nothing is charged."
        ).format(title=title, progress=q(progress_line(group, locale)), number=order.id)
        if order.paid_at:
            text += "\n" + _("You paid in advance: your agent will refund you.")
        return text, None
    if kind == "agent_order" and order is not None:
        from services import agents

        if not await agents.covers(session, user_id=user.id, group=group):
            return None  # no longer the agent of that city
        return await render_agent_alert(
            session, order, group, user, payload.get("event", ""), locale, now
        )
    if kind == "order_paid" and order is not None:
        return (
            _("💰 Your payment for order {number} ({title}) has been received. Thank you!").format(
                number=order.id, title=title
            ),
            None,
        )
    if kind == "order_handed" and order is not None:
        return (
            _("📦 Order {number} ({title}) has been handed over to you. Enjoy!").format(
                number=order.id, title=title
            ),
            None,
        )
    if kind == "group_cancelled" and order is not None:
        return (
            _(
                "❌ <b>{title}</b> was cancelled by the export centre: {reason}\n"
                "Your order {number} is cancelled; nothing is charged."
            ).format(title=title, reason=q(group.cancel_reason or "—"), number=order.id),
            None,
        )
    if kind == "group_min_reached":
        if group.status != "open":
            return None
        return (
            _(
                "🎉 <b>{title}</b> has reached its minimum: it will form at the deadline. "
                "Share it with friends to reach a cheaper tier!"
            ).format(title=title),
            _group_button(group.id or 0),
        )
    if kind == "group_reminder":
        if group.status != "open" or group.deadline <= now:
            return None
        if group.total >= group.min_total:
            state = _("The minimum is reached.")
        else:
            state = _("Still missing: {missing}.").format(
                missing=q(measure_text(group.min_total - group.total, group.measure, locale))
            )
        kb = InlineKeyboardBuilder()
        kb.row(button(_("👥 Open the group"), GroupCb(id=group.id or 0).pack()))
        kb.row(button(_("🔕 Mute reminders"), GroupCb(id=group.id or 0, a="mute").pack()))
        return (
            _("⏰ <b>{title}</b> closes in {time}.\n{progress}\n{state}").format(
                title=title,
                time=q(time_left(group.deadline, now, locale)),
                progress=q(progress_line(group, locale)),
                state=state,
            ),
            kb.as_markup(),
        )
    return None
