"""The words of every notification. Pure functions of rows already read (the sender prefetches
them for a whole batch) and the recipient's render context."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from domain.groups import forms
from domain.orders import OrderView
from models import GroupOrder, Order, User
from ui.callbacks import GroupAction, GroupCb
from ui.context import RenderContext
from ui.groups import (
    confirmed_lines,
    deadline_text,
    final_amount_text,
    group_name,
    group_title,
    measure_text,
    progress_line,
    time_left,
)
from ui.render import button, q

Rendered = tuple[str, InlineKeyboardMarkup | None]


def _title(group: GroupOrder, user: User, ctx: RenderContext) -> str:
    return q(group_title(group, user, ctx.locale))


def group_formed(group: GroupOrder, view: OrderView, user: User, ctx: RenderContext) -> Rendered:
    lines = [
        _("✅ <b>{title}</b> has formed!").format(title=_title(group, user, ctx)),
        _("Your order {number} is confirmed at the final price: <b>{amount}</b>.").format(
            number=view.order.id, amount=q(final_amount_text(view, ctx.locale))
        ),
    ]
    lines += confirmed_lines(view, group, ctx.locale)[:-1]
    lines.append(_("Your regional agent will contact you about payment and pickup."))
    return "\n".join(lines), None


def group_failed(group: GroupOrder, order: Order, user: User, ctx: RenderContext) -> Rendered:
    text = _(
        "😔 <b>{title}</b> did not reach its minimum ({progress}) and will not ship. "
        "Your order {number} is cancelled; nothing is charged."
    ).format(
        title=_title(group, user, ctx),
        progress=q(progress_line(group, ctx.locale)),
        number=order.id,
    )
    if order.paid_at:
        text += "\n" + _("You paid in advance: your agent will refund you.")
    return text, None


def group_cancelled(group: GroupOrder, order: Order, user: User, ctx: RenderContext) -> Rendered:
    return (
        _(
            "❌ <b>{title}</b> was cancelled by the export centre: {reason}\n"
            "Your order {number} is cancelled; nothing is charged."
        ).format(
            title=_title(group, user, ctx), reason=q(group.cancel_reason or "—"), number=order.id
        ),
        None,
    )


def order_paid(group: GroupOrder, order: Order, user: User, ctx: RenderContext) -> Rendered:
    return (
        _("💰 Your payment for order {number} ({title}) has been received. Thank you!").format(
            number=order.id, title=_title(group, user, ctx)
        ),
        None,
    )


def order_handed(group: GroupOrder, order: Order, user: User, ctx: RenderContext) -> Rendered:
    return (
        _("📦 Order {number} ({title}) has been handed over to you. Enjoy!").format(
            number=order.id, title=_title(group, user, ctx)
        ),
        None,
    )


def _open_group(group: GroupOrder) -> InlineKeyboardBuilder:
    """The keyboard of a notice about a group: a button that opens it (more may be added)."""
    kb = InlineKeyboardBuilder()
    kb.row(button(_("👥 Open the group"), GroupCb(id=group.id or 0).pack()))
    return kb


def min_reached(group: GroupOrder, user: User, ctx: RenderContext) -> Rendered:
    kb = _open_group(group)
    return (
        _(
            "🎉 <b>{title}</b> has reached its minimum: it will form at the deadline. "
            "Share it with friends to reach a cheaper tier!"
        ).format(title=_title(group, user, ctx)),
        kb.as_markup(),
    )


def reminder(group: GroupOrder, user: User, ctx: RenderContext) -> Rendered:
    if forms(group.total, group.min_total):
        state = _("The minimum is reached.")
    else:
        state = _("Still missing: {missing}.").format(
            missing=q(measure_text(group.min_total - group.total, group.measure, ctx.locale))
        )
    kb = _open_group(group)
    kb.row(button(_("🔕 Mute reminders"), GroupCb(id=group.id or 0, a=GroupAction.MUTE).pack()))
    return (
        _("⏰ <b>{title}</b> closes in {time}.\n{progress}\n{state}").format(
            title=q(group_name(group)),  # "closes" is said once, with the time left
            time=q(time_left(group.deadline, ctx.now, ctx.locale)),
            progress=q(progress_line(group, ctx.locale)),
            state=state,
        ),
        kb.as_markup(),
    )


def deadline_moved(group: GroupOrder, user: User, ctx: RenderContext) -> Rendered:
    kb = _open_group(group)
    return (
        _(
            "⏳ <b>{name}</b> stays open longer: it now closes {deadline}. "
            "You can still join or change your order until then."
        ).format(
            name=q(group_name(group)), deadline=q(deadline_text(group.deadline, user, ctx.locale))
        ),
        kb.as_markup(),
    )
