"""The words of every notification. Pure functions of rows already read (the sender prefetches
them for a whole batch) and the recipient's render context."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from domain.balance import Balance
from domain.groups import forms
from domain.notices import BalanceWhy
from domain.orders import Line, OrderView
from domain.text import N_
from models import GroupOrder, Order, Payment, User
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
from ui.keyboard import Keyboard
from ui.payments import balance_lines, entry_line, how_to_pay_lines, pay_button
from ui.render import button, q

Rendered = tuple[str, InlineKeyboardMarkup | None]


def _title(group: GroupOrder, user: User, ctx: RenderContext) -> str:
    return q(group_title(group, user, ctx.locale))


def _money(
    group: GroupOrder, order: Order, balance: Balance | None, user: User, ctx: RenderContext,
    people: dict[int, User] | None = None, items: Sequence[Line] = (),
) -> tuple[list[str], InlineKeyboardMarkup | None]:  # fmt: skip
    """The balance, how to pay it and the Pay button (what a buyer needs to act on it)."""
    if balance is None:
        return [], None
    lines = balance_lines(balance, user, ctx, order=order, group=group, people=people, items=items)
    lines += how_to_pay_lines(group, order, balance, buyer=user)
    pay = pay_button(group, order, balance, ctx.locale)
    markup = InlineKeyboardMarkup(inline_keyboard=[[pay]]) if pay is not None else None
    return lines, markup


def group_formed(
    group: GroupOrder, view: OrderView, user: User, ctx: RenderContext,
    balance: Balance | None = None, people: dict[int, User] | None = None,
) -> Rendered:  # fmt: skip
    """The payment request: the order at the final price, its balance and how to pay."""
    lines = [
        _("✅ <b>{title}</b> has formed!").format(title=_title(group, user, ctx)),
        _("Your order {number} is confirmed at the final price: <b>{amount}</b>.").format(
            number=view.order.id, amount=q(final_amount_text(view, ctx.locale))
        ),
    ]
    lines += confirmed_lines(view, group, ctx.locale)[:-1]
    money, markup = _money(group, view.order, balance, user, ctx, people, view.lines)
    lines += money
    if not money:
        lines.append(_("Your regional agent will contact you about payment and pickup."))
    return "\n".join(lines), markup


def _ended(
    text: str, group: GroupOrder, order: Order, balance: Balance | None, user: User,
    ctx: RenderContext, people: dict[int, User] | None = None,
) -> Rendered:  # fmt: skip
    """A group that will not ship: nothing is charged, or what was paid comes back."""
    if balance is not None and balance.refund_due > 0:
        money, markup = _money(group, order, balance, user, ctx, people)
        return "\n".join([text, _("Your order {number} is cancelled.").format(number=order.id),
                          *money, _("Your agent will refund you and record it here.")]), markup  # fmt: skip
    return "\n".join(
        [text, _("Your order {number} is cancelled; nothing is charged.").format(number=order.id)]
    ), None


def group_failed(
    group: GroupOrder, order: Order, user: User, ctx: RenderContext,
    balance: Balance | None = None, people: dict[int, User] | None = None,
) -> Rendered:  # fmt: skip
    text = _("😔 <b>{title}</b> did not reach its minimum ({progress}) and will not ship.").format(
        title=_title(group, user, ctx), progress=q(progress_line(group, ctx.locale))
    )
    return _ended(text, group, order, balance, user, ctx, people)


def group_cancelled(
    group: GroupOrder, order: Order, user: User, ctx: RenderContext,
    balance: Balance | None = None, people: dict[int, User] | None = None,
) -> Rendered:  # fmt: skip
    text = _("❌ <b>{title}</b> was cancelled by the export centre: {reason}").format(
        title=_title(group, user, ctx), reason=q(group.cancel_reason or "—")
    )
    return _ended(text, group, order, balance, user, ctx, people)


BALANCE_HEADINGS = {
    BalanceWhy.PAID: N_("💰 A payment for order {number} ({title}) was recorded. Thank you!"),
    BalanceWhy.UNDONE: N_(
        "↩️ A payment for order {number} ({title}) was recorded by mistake and has been taken back."
    ),
    BalanceWhy.REFUNDED: N_("↩️ A refund for order {number} ({title}) was made."),
    BalanceWhy.TIER: N_(
        "🎉 The group of your order {number} ({title}) reached a cheaper price: the difference "
        "comes back to you."
    ),
    BalanceWhy.TIER_UP: N_(
        "📈 Orders were withdrawn from the group of your order {number} ({title}), so its price "
        "went up again: there is something left to pay."
    ),
    BalanceWhy.NOT_SUPPLIED: N_(
        "😔 A product of your order {number} ({title}) could not be supplied: it is not charged."
    ),
}


def balance_notice(
    group: GroupOrder, order: Order, balance: Balance, why: str, entry: Payment | None,
    user: User, ctx: RenderContext, people: dict[int, User] | None = None,
    items: Sequence[Line] = (),
) -> Rendered | None:  # fmt: skip
    """The buyer's new balance and what changed it (None: a cheaper tier that leaves nothing
    to refund, since it went up again before this was sent)."""
    heading = BALANCE_HEADINGS.get(BalanceWhy(why)) if why in set(BalanceWhy) else None
    # worded from the balance when it is sent: a move of the tier that later moves undid says
    # nothing (the notice of the move that stands does)
    if why == BalanceWhy.TIER and balance.refund_due <= 0:
        return None
    if why == BalanceWhy.TIER_UP and not (
        balance.still_due > 0 and balance.paid > balance.refunded
    ):
        return None
    if heading is None:
        return None
    lines = [_(heading).format(number=order.id, title=_title(group, user, ctx))]
    if entry is not None and why == BalanceWhy.UNDONE:  # no longer in the balance below
        lines.append(entry_line(entry, user, ctx, people))
    money, markup = _money(group, order, balance, user, ctx, people, items)
    lines += money
    return "\n".join(lines), markup


def order_handed(group: GroupOrder, order: Order, user: User, ctx: RenderContext) -> Rendered:
    return (
        _("📦 Order {number} ({title}) has been handed over to you. Enjoy!").format(
            number=order.id, title=_title(group, user, ctx)
        ),
        None,
    )


def _open_group(group: GroupOrder) -> Keyboard:
    """The keyboard of a notice about a group: a button that opens it (more may be added)."""
    kb = Keyboard()
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
