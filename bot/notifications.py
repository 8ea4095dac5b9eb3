"""Rendering outbox rows, in the recipient's language, when they are sent."""

from __future__ import annotations

from datetime import datetime

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.callbacks import GroupCb
from handlers.group_views import (
    final_amount_text,
    group_title,
    measure_text,
    progress_line,
    time_left,
)
from handlers.ui import button, q
from models import GroupOrder, Notification, Order, User
from services import groups

Rendered = tuple[str, InlineKeyboardMarkup | None]


def _group_button(group_id: int) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.row(button(_("👥 Open the group"), GroupCb(id=group_id).pack()))
    return kb.as_markup()


async def render(
    session: AsyncSession, notification: Notification, user: User, now: datetime
) -> Rendered | None:
    """Text and keyboard for a notification, or None when it no longer applies."""
    locale = user.locale or "en"
    payload = notification.payload
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
        from services.catalog import localized

        lines += [
            f"• {line.quantity} × {q(localized(p.names, locale))}" for line, _o, p in view.lines
        ]
        lines.append(_("Your regional agent will contact you about payment and pickup."))
        return "\n".join(lines), None
    if kind == "group_failed" and order is not None:
        return (
            _(
                "😔 <b>{title}</b> did not reach its minimum ({progress}) and will not ship. "
                "Your order {number} is cancelled; nothing is charged."
            ).format(title=title, progress=q(progress_line(group, locale)), number=order.id),
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
