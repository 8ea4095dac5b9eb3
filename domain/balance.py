"""An order's balance: what is due, what was paid and refunded, and what is left either way.

Payment is not an order status but a balance beside it (DESIGN.md). Everything is in the order's
currency, in minor units, with the yuan beside it; each column adds up on its own. The due is
provisional while the group is open (at its current tier) and final once it forms (at the final
tier, without the lines that could not be supplied); a cancelled order, or one in a group that
failed or was cancelled, owes nothing, so whatever was paid for it is to be refunded."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from domain import money, pricing
from models import (
    EntryKind,
    GroupOffer,
    GroupOrder,
    GroupStatus,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PayMethod,
    PayWhen,
    Product,
    RefundReason,
)

UNDO_WINDOW = timedelta(minutes=10)  # an agent's mis-tap can be taken back this long
MAX_PAYMENT = 10**10  # minor units: a hundred million euros is a typo, not a payment
# an agent may record money until the order is handed over (cash on collection)
RECORDABLE = (
    OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.PAID, OrderStatus.SHIPPED,
    OrderStatus.READY_FOR_PICKUP, OrderStatus.DELIVERED,
)  # fmt: skip
ENDED = (GroupStatus.FAILED, GroupStatus.CANCELLED)
METHOD_ORDER = (PayMethod.TELEGRAM, PayMethod.CASH, PayMethod.TRANSFER)


class State(StrEnum):
    NOTHING = "nothing"  # nothing due, nothing paid
    DUE = "due"  # something is still to pay
    PAID = "paid"  # paid in full
    REFUND_DUE = "refund_due"  # more was paid than is due
    REFUNDED = "refunded"  # nothing due any more and what was paid went back


@dataclass(frozen=True)
class Due:
    amount: int  # in `currency`
    amount_cny: int
    currency: str
    rate: int | None  # units of `currency` per yuan × 10⁶ (None: yuan)
    provisional: bool  # the group is open: the amount follows its tier


@dataclass(frozen=True)
class Balance:
    due: Due
    entries: tuple[Payment, ...] = field(default_factory=tuple)  # live ones, oldest first

    def _sum(self, kind: str, attr: str) -> int:
        return sum(getattr(e, attr) for e in self.entries if e.kind == kind)

    @property
    def currency(self) -> str:
        return self.due.currency

    @property
    def paid(self) -> int:
        return self._sum(EntryKind.PAYMENT, "amount")

    @property
    def paid_cny(self) -> int:
        return self._sum(EntryKind.PAYMENT, "amount_cny")

    @property
    def refunded(self) -> int:
        return self._sum(EntryKind.REFUND, "amount")

    @property
    def refunded_cny(self) -> int:
        return self._sum(EntryKind.REFUND, "amount_cny")

    @property
    def outstanding(self) -> int:
        """Still to pay (positive) or to refund (negative), in the order's currency."""
        return self.due.amount - self.paid + self.refunded

    @property
    def outstanding_cny(self) -> int:
        return self.due.amount_cny - self.paid_cny + self.refunded_cny

    @property
    def still_due(self) -> int:
        return max(0, self.outstanding)

    @property
    def refund_due(self) -> int:
        return max(0, -self.outstanding)

    @property
    def state(self) -> State:
        if self.outstanding > 0:
            return State.DUE
        if self.outstanding < 0:
            return State.REFUND_DUE
        if self.due.amount > 0:
            return State.PAID
        return State.REFUNDED if self.paid else State.NOTHING

    def by_method(self) -> dict[str, int]:
        """Net money per way of paying (payments less refunds), in the order's currency."""
        found: dict[str, int] = {}
        for entry in self.entries:
            sign = 1 if entry.kind == EntryKind.PAYMENT else -1
            found[entry.method] = found.get(entry.method, 0) + sign * entry.amount
        return found

    def refund_method(self) -> str:
        """How a refund goes back: the way the latest money still held came in."""
        parts = self.refund_parts()
        return parts[0][0] if parts else PayMethod.CASH

    def refund_parts(self) -> list[tuple[str, int]]:
        """The refund due, split by the ways the money came in (each way gives back at most
        what it holds, the latest money first): €5 in cash and €4.72 by transfer go back as
        €5 in cash and €4.72 by transfer, not €9.72 by transfer."""
        left = self.refund_due
        held = self.by_method()
        parts: list[tuple[str, int]] = []
        for entry in reversed(self.entries):
            if left <= 0:
                break
            if entry.kind != EntryKind.PAYMENT or held.get(entry.method, 0) <= 0:
                continue
            if any(method == entry.method for method, _amount in parts):
                continue
            share = min(left, held[entry.method])
            parts.append((entry.method, share))
            left -= share
        if left > 0:  # more due back than any way holds (cannot happen): the rest in cash
            parts.append((PayMethod.CASH, left))
        return parts


def live(entries: Iterable[Payment]) -> tuple[Payment, ...]:
    return tuple(sorted((e for e in entries if e.undone_at is None), key=lambda e: e.id or 0))


def order_currency(
    order: Order, buyer_currency: str | None, rates: dict[str, int]
) -> tuple[str, int | None]:
    """The currency an order is reckoned in and its rate: fixed on the order once it was paid
    or confirmed; before that the buyer's currency at today's rate (the yuan without one)."""
    if order.currency:
        return order.currency, order.rate_micro if order.currency != money.BASE_CURRENCY else None
    currency = buyer_currency or money.BASE_CURRENCY
    rate = rates.get(currency)
    if currency == money.BASE_CURRENCY or rate is None:
        return money.BASE_CURRENCY, None
    return currency, rate


def supplied(lines: Sequence[tuple[OrderLine, GroupOffer, Product]]) -> list[tuple[OrderLine, GroupOffer, Product]]:  # fmt: skip
    return [line for line in lines if line[0].supplied]


def due_of(
    order: Order,
    group: GroupOrder,
    lines: Sequence[tuple[OrderLine, GroupOffer, Product]],
    currency: str,
    rate: int | None,
) -> Due:
    if order.status == OrderStatus.CANCELLED or group.status in ENDED:
        return Due(0, 0, currency, rate, provisional=False)
    if order.amount_cny is not None:  # fixed when the group formed
        local = order.amount_local if order.amount_local is not None else order.amount_cny
        return Due(local, order.amount_cny, order.currency or currency, rate, provisional=False)
    tier = pricing.tier_index(group.tiers, group.total)
    kept = supplied(lines)
    cny = sum(pricing.line_amount(offer.prices[tier], line.quantity) for line, offer, _ in kept)
    local = sum(
        money.line_amount(offer.prices[tier], line.quantity, rate, currency)
        for line, offer, _ in kept
    )
    return Due(local, cny, currency, rate, provisional=group.status == GroupStatus.OPEN)


def to_yuan(amount: int, currency: str, rate: int | None) -> int:
    """An amount of the order's currency in fen at the order's rate, rounded half-up."""
    if currency == money.BASE_CURRENCY or not rate:
        return amount
    numerator = amount * 10 ** money.precision(money.BASE_CURRENCY) * money.RATE_SCALE
    denominator = rate * 10 ** money.precision(currency)
    quotient, remainder = divmod(abs(numerator), denominator)
    if remainder * 2 >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def yuan_of_payment(balance: Balance, amount: int) -> int:
    """The yuan a payment of `amount` stands for: what is left in yuan when it settles the
    order exactly (so both columns reach zero together), else converted at the order's rate."""
    if amount == balance.outstanding:
        return balance.outstanding_cny
    return to_yuan(amount, balance.currency, balance.due.rate)


def yuan_of_refund(balance: Balance, amount: int) -> int:
    if amount == balance.refund_due:
        return -balance.outstanding_cny
    return to_yuan(amount, balance.currency, balance.due.rate)


def refund_reason(order: Order, group: GroupOrder, lines: Sequence[tuple[OrderLine, GroupOffer, Product]]) -> RefundReason:  # fmt: skip
    """Why the money of an order with a refund due goes back."""
    if group.status == GroupStatus.FAILED:
        return RefundReason.FAILED
    if group.status == GroupStatus.CANCELLED:
        return RefundReason.CANCELLED
    if order.status == OrderStatus.CANCELLED:
        return RefundReason.LEFT
    if any(not line.supplied for line, _offer, _product in lines):
        return RefundReason.NOT_SUPPLIED
    if group.pay_when == PayWhen.NOW:
        return RefundReason.TIER
    return RefundReason.OVERPAID


def buyer_may_pay(order: Order, group: GroupOrder) -> bool:
    """Whether the buyer is asked to pay now: a group paid on joining while open; any group
    once it formed (until it is handed over)."""
    if order.status in (OrderStatus.CANCELLED, OrderStatus.DELIVERED):
        return False
    if group.status == GroupStatus.OPEN:
        return group.pay_when == PayWhen.NOW
    return group.status in (GroupStatus.FORMED, GroupStatus.SHIPPED, GroupStatus.DELIVERED)


def may_undo(entry: Payment, now: datetime, later: Sequence[Payment] = ()) -> bool:
    """An agent's payment, within 10 minutes, and before any refund was recorded after it (an
    undo then would leave a debt on money already given back)."""
    refunded_since = any(
        e.kind == EntryKind.REFUND and e.undone_at is None and (e.id or 0) > (entry.id or 0)
        for e in later
    )
    return (
        entry.undone_at is None
        and entry.kind == EntryKind.PAYMENT
        and entry.method != PayMethod.TELEGRAM
        and now - entry.recorded_at <= UNDO_WINDOW
        and not refunded_since
    )


def methods_of(group: GroupOrder, *, invoices: bool) -> list[str]:
    """The group's ways to pay in a stable order (Telegram Payments only with a provider)."""
    chosen = set(group.pay_methods or [PayMethod.CASH])
    return [m for m in METHOD_ORDER if m in chosen and (invoices or m != PayMethod.TELEGRAM)]


def payment_reference(order_id: int) -> str:
    """The order's structured creditor reference (ISO 11649, `RF` + check digits), for a bank
    transfer: `RF47 QB00 0123`. Banks check it, so a typo is caught before the money moves."""
    body = f"QB{order_id:06d}"
    digits = "".join(str(int(ch, 36)) for ch in body + "RF00")
    check = 98 - int(digits) % 97
    ref = f"RF{check:02d}{body}"
    return " ".join(ref[i : i + 4] for i in range(0, len(ref), 4))


def reference_is_valid(reference: str) -> bool:
    ref = reference.replace(" ", "").upper()
    if not ref.startswith("RF") or len(ref) < 5 or not ref.isalnum():
        return False
    digits = "".join(str(int(ch, 36)) for ch in ref[4:] + ref[:4])
    return int(digits) % 97 == 1
