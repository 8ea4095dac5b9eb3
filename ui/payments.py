"""How money reads: an order's balance (due, each payment and refund, what is left either way),
how to pay (in the buyer's language), the Pay button, the agent's payment prompts, and the
collection list of a group (also as CSV)."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from domain.balance import (
    Balance,
    State,
    buyer_may_pay,
    may_undo,
    methods_of,
    payment_reference,
    refund_reason,
)
from domain.iban import format_iban
from domain.money import BASE_CURRENCY, telegram_takes
from domain.orders import Line
from domain.text import N_
from models import (
    EntryKind,
    GroupOrder,
    GroupStatus,
    Order,
    Payment,
    PayMethod,
    PickupPoint,
    User,
)
from ui.callbacks import AgentAction, AgentCb, InvoiceCb, PayAction, PayCb
from ui.context import RenderContext
from ui.keyboard import Keyboard
from ui.moments import deadline_text
from ui.money import format_amounts, format_money
from ui.render import button, q

METHOD_NAMES = {
    PayMethod.TELEGRAM: N_("💳 card in Telegram"),
    PayMethod.CASH: N_("💵 cash"),
    PayMethod.TRANSFER: N_("🏦 bank transfer"),
}
REASONS = {
    "left": N_("you left the group"),  # to the buyer; AGENT_REASONS to their agent
    "failed": N_("the group did not form"),
    "cancelled": N_("the group was cancelled"),
    "tier": N_("the group reached a cheaper price"),
    "not_supplied": N_("a product could not be supplied"),
    "overpaid": N_("more was paid than is due"),
}
AGENT_REASONS = {**REASONS, "left": N_("the buyer left the group")}


def method_name(method: str) -> str:
    return _(METHOD_NAMES.get(method, method))  # type: ignore[call-overload]


def amount(value: int, value_cny: int, balance: Balance, locale: str) -> str:
    """In the order's currency with the yuan beside it (`12,54 € (98,00 CN¥)`)."""
    return format_amounts(value_cny, value, balance.currency, locale)


def entry_amount(entry: Payment, locale: str) -> str:
    if entry.currency == BASE_CURRENCY:
        return format_money(entry.amount, BASE_CURRENCY, locale)
    return format_amounts(entry.amount_cny, entry.amount, entry.currency, locale)


def person(user: User | None, user_id: int | None) -> str:
    if user_id is None:
        return _("Telegram Payments")
    name = user.first_name if user and user.first_name else str(user_id)
    return q(name)


def entry_line(
    entry: Payment, user: User, ctx: RenderContext, people: dict[int, User] | None = None
) -> str:
    """`💵 cash · 12,54 € (98,00 CN¥) · Tue, Dec 1, 10:02 · recorded by Li` (a refund says so)."""
    people = people or {}
    when = deadline_text(entry.recorded_at, user, ctx.locale)
    who = person(people.get(entry.recorded_by or 0), entry.recorded_by)
    values = {
        "method": q(method_name(entry.method)),
        "amount": q(entry_amount(entry, ctx.locale)),
        "when": q(when),
        "who": who,
    }
    if entry.kind == EntryKind.REFUND:
        return _("↩️ Refunded · {method} · {amount} · {when} · by {who}").format(**values)
    return _("✔️ Paid · {method} · {amount} · {when} · recorded by {who}").format(**values)


def balance_lines(
    balance: Balance, user: User, ctx: RenderContext, *, order: Order, group: GroupOrder,
    people: dict[int, User] | None = None, for_agent: bool = False, items: Sequence[Line] = (),
) -> list[str]:  # fmt: skip
    """The balance, each entry, and what is left, in the order's currency beside the yuan."""
    locale = ctx.locale
    due = balance.due
    lines = []
    if due.provisional:
        lines.append(
            _("💰 Due: {amount} (provisional: at the group's current price)").format(
                amount=q(amount(due.amount, due.amount_cny, balance, locale))
            )
        )
    else:
        lines.append(
            _("💰 Due: {amount}").format(
                amount=q(amount(due.amount, due.amount_cny, balance, locale))
            )
        )
    for entry in balance.entries:
        lines.append("   " + entry_line(entry, user, ctx, people))
    state = balance.state
    if state == State.DUE and balance.entries:
        lines.append(
            _("Still to pay: <b>{amount}</b>").format(
                amount=q(amount(balance.outstanding, balance.outstanding_cny, balance, locale))
            )
        )
    elif state == State.DUE:
        lines.append(
            _("Nothing paid yet: <b>{amount}</b> to pay.").format(
                amount=q(amount(balance.outstanding, balance.outstanding_cny, balance, locale))
            )
        )
    elif state == State.PAID:
        lines.append(_("✅ Paid in full."))
    elif state == State.REFUND_DUE:
        reason = refund_reason(order, group, list(items))
        text = (
            _("↩️ To refund to the buyer: <b>{amount}</b> ({reason})")
            if for_agent
            else _("↩️ To be refunded to you: <b>{amount}</b> ({reason})")
        )
        lines.append(
            text.format(
                amount=q(amount(-balance.outstanding, -balance.outstanding_cny, balance, locale)),
                reason=q(_((AGENT_REASONS if for_agent else REASONS).get(reason, reason))),
            )
        )
    elif state == State.REFUNDED:
        lines.append(_("✅ Refunded in full."))
    return lines


def how_to_pay_lines(
    group: GroupOrder, order: Order, balance: Balance, *, point: PickupPoint | None = None,
    agent: User | None = None, buyer: User | None = None,
) -> list[str]:  # fmt: skip
    """How the buyer can pay what is still due (nothing when nothing is, or not yet)."""
    if balance.still_due <= 0 or not buyer_may_pay(order, group):
        return []
    lines = [_("<b>How to pay</b>:")]
    for method in methods_of(group, invoices=True):
        if method == PayMethod.TELEGRAM:
            lines.append(_("• 💳 By card, here in Telegram: tap “Pay” below."))
        elif method == PayMethod.CASH and group.status == GroupStatus.OPEN:
            # paid on joining: now, not at collection
            where = point.name if point is not None else group.pickup_point
            if where:
                lines.append(
                    _("• 💵 In cash at {place}, now: your agent records it.").format(place=q(where))
                )
            else:
                lines.append(_("• 💵 In cash to your agent, now: they record it."))
        elif method == PayMethod.CASH and buyer is not None and buyer.delivery != "pickup":
            lines.append(_("• 💵 In cash when your order is delivered."))  # home, restaurant
        elif method == PayMethod.CASH:
            where = point.name if point is not None else group.pickup_point
            if where and agent is not None:
                lines.append(
                    _("• 💵 In cash at {place}, to {agent}, when you collect.").format(
                        place=q(where), agent=_agent_link(agent)
                    )
                )
            elif where:
                lines.append(_("• 💵 In cash at {place}, when you collect.").format(place=q(where)))
            else:
                lines.append(_("• 💵 In cash to your agent, when you collect."))
        elif method == PayMethod.TRANSFER and group.iban:
            lines.append(
                _(
                    "• 🏦 By bank transfer to {beneficiary}, IBAN <code>{iban}</code>, with the "
                    "reference <code>{reference}</code> (your agent records it when it arrives)."
                ).format(
                    beneficiary=q(group.beneficiary or "—"),
                    iban=q(format_iban(group.iban)),
                    reference=q(payment_reference(order.id or 0)),
                )
            )
    return lines


def _agent_link(agent: User) -> str:
    name = q(agent.first_name or str(agent.id))
    return f'<a href="tg://user?id={agent.id}">{name}</a>'


def pay_button(
    group: GroupOrder, order: Order, balance: Balance, locale: str
) -> InlineKeyboardButton | None:
    """💳 Pay 25,09 € — when Telegram Payments is a way to pay this group and something is due."""
    if balance.still_due <= 0 or not buyer_may_pay(order, group):
        return None
    if PayMethod.TELEGRAM not in methods_of(group, invoices=True):
        return None
    if not telegram_takes(balance.currency):
        return None  # a currency Telegram Payments does not take: the other ways only
    label = _("💳 Pay {amount}").format(
        amount=format_money(balance.still_due, balance.currency, locale)
    )
    return button(label, InvoiceCb(id=order.id or 0).pack())


# ── agents ──────────────────────────────────────────────────────────────────────────────


def agent_money_buttons(order: Order, balance: Balance | None, locale: str) -> list[InlineKeyboardButton]:  # fmt: skip
    """On an agent's card: record a payment while something is due, a refund while one is."""
    if balance is None:
        return []
    found = []
    if balance.still_due > 0 and order.status != "cancelled":
        found.append(
            button(_("💰 Record payment"), AgentCb(id=order.id or 0, a=AgentAction.PAID).pack())
        )
    if balance.refund_due > 0:
        found.append(
            button(
                _("↩️ Refund {amount}").format(
                    amount=format_money(balance.refund_due, balance.currency, locale)
                ),
                AgentCb(id=order.id or 0, a=AgentAction.REFUND).pack(),
            )
        )
    return found


def record_prompt(
    order: Order, buyer: User | None, balance: Balance, ctx: RenderContext,
    typed: int | None = None,
) -> tuple[str, InlineKeyboardMarkup]:  # fmt: skip
    """Asks the agent to confirm a payment: the amount (what is due, or what they typed) and
    how it was paid, each a button that records it; another amount; keep it as it is."""
    locale = ctx.locale
    value = typed if typed is not None else balance.still_due
    name = q(buyer.first_name if buyer and buyer.first_name else str(order.user_id))
    lines = [
        _("💰 <b>Record a payment</b> for order {number} · {buyer}").format(
            number=order.id, buyer=name
        ),
        _("Still to pay: {amount}").format(
            amount=q(amount(balance.still_due, balance.outstanding_cny, balance, locale))
        ),
    ]
    if typed is not None:
        lines.append(
            _("Received: <b>{amount}</b>").format(
                amount=q(format_money(typed, balance.currency, locale))
            )
        )
    lines.append(_("Tap how it was paid to record it; the buyer is told."))
    kb = Keyboard()
    shown = q(format_money(value, balance.currency, locale))
    for method in (PayMethod.CASH, PayMethod.TRANSFER):
        kb.row(
            button(
                _("✅ {method}: {amount}").format(method=method_name(method), amount=shown),
                PayCb(id=order.id or 0, a=PayAction.OK, m=method, n=value, v=balance.outstanding).pack(),
            )
        )  # fmt: skip
    if typed is None:
        kb.row(
            button(
                _("✍️ Another amount"),
                PayCb(id=order.id or 0, a=PayAction.TYPE, v=balance.outstanding).pack(),
            )
        )
    kb.row(button(_("⬅ Keep it as it is"), PayCb(id=order.id or 0, a=PayAction.NO).pack()))
    return "\n".join(lines), kb.as_markup()


def amount_cancel_markup(order_id: int) -> InlineKeyboardMarkup:
    """Under "type the amount received": Cancel, which records nothing."""
    return InlineKeyboardMarkup(
        inline_keyboard=[[button(_("✖ Cancel"), PayCb(id=order_id, a=PayAction.NO).pack())]]
    )


def recorded_view(
    entry: Payment, order: Order, balance: Balance, ctx: RenderContext
) -> tuple[str, InlineKeyboardMarkup | None]:
    """After recording: what was recorded, what is left, and Undo while it may be undone."""
    locale = ctx.locale
    lines = [
        _("💰 Recorded {amount} ({method}) for order {number}; the buyer is told.").format(
            amount=q(entry_amount(entry, locale)), method=q(method_name(entry.method)),
            number=order.id,
        ),
    ]  # fmt: skip
    if balance.still_due > 0:
        lines.append(
            _("Still to pay: {amount}").format(
                amount=q(amount(balance.still_due, balance.outstanding_cny, balance, locale))
            )
        )
    elif balance.refund_due > 0:
        lines.append(
            _("Paid more than is due: {amount} to give back.").format(
                amount=q(amount(balance.refund_due, -balance.outstanding_cny, balance, locale))
            )
        )
    else:
        lines.append(_("✅ Paid in full."))
    markup = None
    if may_undo(entry, ctx.now):
        lines.append(_("A mistake? You can undo it for 10 minutes."))
        kb = Keyboard()
        kb.row(button(_("↩️ Undo"), AgentCb(id=entry.id or 0, a=AgentAction.UNDO).pack()))
        markup = kb.as_markup()
    return "\n".join(lines), markup


def refund_prompt(
    order: Order, group: GroupOrder, buyer: User | None, balance: Balance, ctx: RenderContext,
    lines: Sequence[Line] = (),
) -> tuple[str, InlineKeyboardMarkup]:  # fmt: skip
    """Asks the agent to confirm the refund was made: how much, why, and each way it goes back
    (the ways the money came in; a card payment is refunded at the provider first)."""
    locale = ctx.locale
    name = q(buyer.first_name if buyer and buyer.first_name else str(order.user_id))
    reason = refund_reason(order, group, lines)
    text = [
        _("↩️ <b>Refund</b> {amount} to {buyer} for order {number} ({reason}).").format(
            amount=q(amount(balance.refund_due, -balance.outstanding_cny, balance, locale)),
            buyer=name, number=order.id,
            reason=q(_(AGENT_REASONS.get(reason, reason))),
        ),
    ]  # fmt: skip
    parts = balance.refund_parts()
    if len(parts) > 1:
        text += [
            f"• {q(method_name(method))}: {q(format_money(share, balance.currency, locale))}"
            for method, share in parts
        ]
    if any(method == PayMethod.TELEGRAM for method, _share in parts):
        charges = [e.charge_id for e in balance.entries if e.method == PayMethod.TELEGRAM]
        text.append(
            _(
                "It was paid with Telegram Payments: refund it in your payment provider's "
                "dashboard first (charge {charge}), then record it here."
            ).format(charge=q(", ".join(c for c in charges if c) or "—"))
        )
    if any(method != PayMethod.TELEGRAM for method, _share in parts):
        shown = ", ".join(method_name(m) for m, _s in parts if m != PayMethod.TELEGRAM)
        text.append(
            _("Give it back the way it was paid ({method}), then record it here; the buyer is told.").format(
                method=q(shown)
            )
        )  # fmt: skip
    kb = Keyboard()
    kb.row(
        button(
            _("✅ Refund made: {amount}").format(
                amount=format_money(balance.refund_due, balance.currency, locale)
            ),
            PayCb(id=order.id or 0, a=PayAction.REFUND_OK, n=balance.refund_due, v=balance.outstanding).pack(),
        )
    )  # fmt: skip
    kb.row(button(_("⬅ Keep it as it is"), PayCb(id=order.id or 0, a=PayAction.NO).pack()))
    return "\n".join(text), kb.as_markup()


def invoice_texts(
    group_title: str, order: Order, labels: Sequence[tuple[str, int]], names: dict[str, str]
) -> tuple[str, str, list[tuple[str, int]]]:
    """The invoice's title (≤ 32 characters), description (≤ 255) and labelled prices."""
    title = _("Order {number}").format(number=order.id)[:32]
    description = _("{group} · order {number}").format(group=group_title, number=order.id)
    prices = []
    for key, value in labels:
        label = names.get(key) or _("Balance of order {number}").format(number=order.id)
        prices.append((label[:64], value))
    return title, description[:255], prices
