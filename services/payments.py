"""Money for orders: payments recorded by agents (cash, transfer) with an undo for a mis-tap,
Telegram Payments (invoice, pre-checkout re-check, one record per charge), refunds, lines that
could not be supplied, and keeping an order's paid mark equal to its balance.

Every use-case re-reads the balance inside its transaction and refuses a prompt that showed
another one (`expected`): two agents tapping at once, or a buyer raising the quantity while the
agent confirms, cannot record money against a figure nobody saw."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain import events as ev
from domain import money, pricing
from domain.balance import (
    MAX_PAYMENT,
    RECORDABLE,
    Balance,
    buyer_may_pay,
    may_undo,
    methods_of,
    refund_reason,
    supplied,
    to_yuan,
    yuan_of_payment,
    yuan_of_refund,
)
from domain.errors import PaymentError
from domain.notices import BalanceWhy
from domain.orders import Line, OrderView, order_amount, order_amount_local
from domain.text import fold
from models import (
    EntryKind,
    GroupOrder,
    GroupStatus,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PayMethod,
    User,
)
from services import audit, notify
from services.agents import covers
from services.groups.balances import balance_from, entries_of, rates, settle
from services.groups.queries import lines_of
from services.tx import begin_write, writes

INVOICE_PREFIX = "qb"


@dataclass
class Target:
    order: Order
    group: GroupOrder
    lines: list[Line]
    buyer: User | None
    balance: Balance


async def _target(session: AsyncSession, order_id: int) -> Target:
    """The order with everything its balance needs, read fresh."""
    order = await session.get(Order, order_id, populate_existing=True)
    if order is None:
        raise PaymentError("order_unknown")
    group = await session.get(GroupOrder, order.group_id, populate_existing=True)
    assert group is not None
    lines = (await lines_of(session, [order_id]))[order_id]
    buyer = await session.get(User, order.user_id)
    entries = (await entries_of(session, [order_id]))[order_id]
    balance = balance_from(
        order, group, lines, entries, buyer.currency if buyer else None, await rates(session)
    )
    return Target(order, group, lines, buyer, balance)


async def _authorise(
    session: AsyncSession, target: Target, actor_id: int, *, is_admin: bool
) -> None:
    if is_admin:
        return
    if not await covers(session, user_id=actor_id, group=target.group):
        raise PaymentError("not_your_region")


def _fix_rate(order: Order, balance: Balance) -> None:
    """The first money on an order fixes its currency and rate: later /rate changes do not
    move an amount the buyer already paid against."""
    if order.currency is None:
        order.currency = balance.currency
        order.rate_micro = balance.due.rate


async def _lock_order(session: AsyncSession, order_id: int) -> None:
    """Take the order's row lock (PostgreSQL) / the write lock (SQLite) before reading its
    balance, so two recordings of one order run one after the other."""
    await begin_write(session)
    await session.exec(
        update(Order).where(col(Order.id) == order_id).values(updated_at=Order.updated_at)
    )


async def _publish(
    session: AsyncSession, target: Target, why: str, ref: int, now: datetime
) -> None:
    events: list[ev.Event] = [
        ev.BalanceChanged(
            target.group.id or 0, target.order.id or 0, target.order.user_id, why, ref
        ),
        ev.OrdersChanged((target.order.id or 0,)),
    ]
    await notify.publish(session, events, now=now)


@dataclass
class Recorded:
    entry: Payment  # the entry (the first, for a refund given back in several ways)
    order: Order
    balance: Balance


def check_amount(amount: int) -> None:
    if amount <= 0 or amount > MAX_PAYMENT:
        raise PaymentError("bad_amount")


@writes
async def record_payment(
    session: AsyncSession, *, order_id: int, actor_id: int, method: str, amount: int,
    expected: int, now: datetime, is_admin: bool = False,
) -> Recorded:  # fmt: skip
    """An agent (or admin) received `amount` (the order's currency) in cash or by transfer.
    `expected`: what the confirmation showed as still due; a balance that moved since is
    refused ("changed"), so is a cancelled order or one already handed over and paid."""
    if method not in (PayMethod.CASH, PayMethod.TRANSFER):
        raise PaymentError("bad_method")
    check_amount(amount)
    await _lock_order(session, order_id)
    target = await _target(session, order_id)
    await _authorise(session, target, actor_id, is_admin=is_admin)
    if target.order.status not in RECORDABLE or target.group.status in (
        GroupStatus.FAILED, GroupStatus.CANCELLED,
    ):  # fmt: skip
        raise PaymentError("not_payable", status=target.order.status)
    if target.balance.outstanding != expected:
        raise PaymentError("changed")
    if target.balance.still_due <= 0:
        raise PaymentError("nothing_due")
    balance = target.balance
    entry = Payment(
        order_id=order_id, kind=EntryKind.PAYMENT, method=method, amount=amount,
        currency=balance.currency, amount_cny=yuan_of_payment(balance, amount),
        recorded_by=actor_id, recorded_at=now,
    )  # fmt: skip
    session.add(entry)
    _fix_rate(target.order, balance)
    new = Balance(balance.due, (*balance.entries, entry))
    settle(target.order, new, now=now, by=actor_id)
    target.order.updated_at = now
    session.add(target.order)
    await session.flush()
    await _publish(session, target, BalanceWhy.PAID, entry.id or 0, now)
    if is_admin:
        audit.record(
            session, admin_id=actor_id, action="payment.record", object_type="order",
            object_id=order_id, after={"method": method, "amount": amount,
                                       "currency": balance.currency}, at=now,
        )  # fmt: skip
    return Recorded(entry, target.order, new)


@writes
async def undo_payment(
    session: AsyncSession, *, payment_id: int, actor_id: int, now: datetime,
    is_admin: bool = False,
) -> Recorded:  # fmt: skip
    """Take back a payment an agent recorded by mistake, within 10 minutes of recording it."""
    entry = await session.get(Payment, payment_id)
    if entry is None:
        raise PaymentError("payment_unknown")
    await _lock_order(session, entry.order_id)
    entry = await session.get(Payment, payment_id, populate_existing=True)
    assert entry is not None
    target = await _target(session, entry.order_id)
    await _authorise(session, target, actor_id, is_admin=is_admin)
    if entry.undone_at is not None:
        raise PaymentError("already_undone")
    if may_undo(entry, now) and not may_undo(entry, now, target.balance.entries):
        raise PaymentError("undo_after_refund")
    if not may_undo(entry, now):
        raise PaymentError("undo_too_late")
    entry.undone_at, entry.undone_by = now, actor_id
    session.add(entry)
    new = Balance(target.balance.due, tuple(e for e in target.balance.entries if e.id != entry.id))
    settle(target.order, new, now=now)
    target.order.updated_at = now
    session.add(target.order)
    await session.flush()
    await _publish(session, target, BalanceWhy.UNDONE, entry.id or 0, now)
    return Recorded(entry, target.order, new)


@writes
async def record_refund(
    session: AsyncSession, *, order_id: int, actor_id: int, expected: int, now: datetime,
    is_admin: bool = False,
) -> Recorded:  # fmt: skip
    """The refund due was paid back (for Telegram Payments: refunded at the provider first).
    `expected` is the refund the confirmation showed."""
    await _lock_order(session, order_id)
    target = await _target(session, order_id)
    await _authorise(session, target, actor_id, is_admin=is_admin)
    balance = target.balance
    if balance.refund_due <= 0:
        raise PaymentError("no_refund_due")
    if balance.refund_due != expected:
        raise PaymentError("changed")
    amount = balance.refund_due
    parts = balance.refund_parts()  # one entry per way the money came in
    yuan_left = yuan_of_refund(balance, amount)
    reason = refund_reason(target.order, target.group, target.lines)
    made = []
    for index, (method, share) in enumerate(parts):
        last = index == len(parts) - 1
        yuan = yuan_left if last else to_yuan(share, balance.currency, balance.due.rate)
        yuan_left -= yuan
        made.append(
            Payment(
                order_id=order_id, kind=EntryKind.REFUND, method=method, amount=share,
                currency=balance.currency, amount_cny=yuan, reason=reason,
                recorded_by=actor_id, recorded_at=now,
            )
        )  # fmt: skip
    session.add_all(made)
    entry = made[0]
    new = Balance(balance.due, (*balance.entries, *made))
    settle(target.order, new, now=now)
    session.add(target.order)
    await session.flush()
    await _publish(session, target, BalanceWhy.REFUNDED, entry.id or 0, now)
    if is_admin:
        audit.record(
            session, admin_id=actor_id, action="payment.refund", object_type="order",
            object_id=order_id, after={"methods": [m for m, _share in parts], "amount": amount,
                                       "currency": balance.currency}, at=now,
        )  # fmt: skip
    return Recorded(entry, target.order, new)


@dataclass
class Unsupplied:
    order: Order
    product: str  # the product's slug
    balance: Balance


@writes
async def mark_not_supplied(
    session: AsyncSession, *, order_id: int, product: str, actor_id: int, now: datetime,
    is_admin: bool = False,
) -> Unsupplied:  # fmt: skip
    """A line of a formed order could not be supplied: it is not charged (the order's fixed
    amount drops), and what was paid for it is to be refunded; the buyer is told."""
    await _lock_order(session, order_id)
    target = await _target(session, order_id)
    await _authorise(session, target, actor_id, is_admin=is_admin)
    order = target.order
    if order.amount_cny is None or order.status in (OrderStatus.CANCELLED, OrderStatus.DELIVERED):
        raise PaymentError("not_formed", status=order.status)
    wanted = fold(product.strip())
    line = next(
        (
            found
            for found in target.lines
            if fold(found[2].slug) == wanted or str(found[2].id) == wanted
        ),
        None,
    )
    if line is None:
        raise PaymentError("not_in_order")
    if not line[0].supplied:
        raise PaymentError("already_unsupplied")
    row: OrderLine = line[0]
    row.supplied = False
    session.add(row)
    tier = pricing.tier_index(target.group.tiers, target.group.total)
    view = OrderView(order, target.lines)
    order.amount_cny = order_amount(view, tier)
    order.amount_local = order_amount_local(view, tier, order.rate_micro, order.currency or "CNY")
    order.updated_at = now
    session.add(order)
    await session.flush()
    fresh = await _target(session, order_id)
    settle(fresh.order, fresh.balance, now=now)
    session.add(fresh.order)
    await _publish(session, fresh, BalanceWhy.NOT_SUPPLIED, row.id or 0, now)
    if is_admin:
        audit.record(
            session, admin_id=actor_id, action="order.not_supplied", object_type="order",
            object_id=order_id, after={"product": line[2].slug}, at=now,
        )  # fmt: skip
    return Unsupplied(fresh.order, line[2].slug, fresh.balance)


# ── Telegram Payments ───────────────────────────────────────────────────────────────────


@dataclass
class Invoice:
    order: Order
    group: GroupOrder
    lines: list[Line]
    balance: Balance
    payload: str
    prices: list[tuple[str, int]]  # (label key: "line:<offer id>" or "balance", amount)


def invoice_payload(order_id: int, currency: str, amount: int) -> str:
    """What the invoice carries back in the pre-checkout and the payment: the order and the
    amount it was drawn for, so a changed balance is caught before the buyer is charged."""
    return f"{INVOICE_PREFIX}:{order_id}:{currency}:{amount}"


def parse_payload(payload: str) -> tuple[int, str, int] | None:
    parts = payload.split(":")
    if len(parts) != 4 or parts[0] != INVOICE_PREFIX:
        return None
    order_id, currency, amount = parts[1:]
    if not (
        order_id.isdecimal() and len(order_id) < 10 and amount.isdecimal() and len(amount) < 16
    ):
        return None
    if len(currency) != 3 or not currency.isalpha():
        return None
    return int(order_id), currency.upper(), int(amount)


async def _payable(session: AsyncSession, *, order_id: int, user_id: int, invoices: bool) -> Target:
    target = await _target(session, order_id)
    if target.order.user_id != user_id:
        raise PaymentError("order_unknown")  # another buyer's order: nothing to say about it
    if PayMethod.TELEGRAM not in methods_of(target.group, invoices=invoices):
        raise PaymentError("no_invoices")
    if not buyer_may_pay(target.order, target.group):
        if target.group.status == GroupStatus.OPEN:
            raise PaymentError("pay_at_formation")
        raise PaymentError("not_payable", status=target.order.status)
    if target.balance.still_due <= 0:
        raise PaymentError("nothing_due")
    if not money.telegram_takes(target.balance.currency):
        raise PaymentError("currency_unsupported", currency=target.balance.currency)
    return target


async def invoice_for(
    session: AsyncSession, *, order_id: int, user_id: int, invoices: bool
) -> Invoice:
    """The invoice of what the buyer still owes on their order: a price per line when nothing
    was paid yet (their sum is the amount due, as shown everywhere), else one "balance" line."""
    target = await _payable(session, order_id=order_id, user_id=user_id, invoices=invoices)
    balance = target.balance
    prices: list[tuple[str, int]] = []
    if not balance.entries:
        tier = pricing.tier_index(target.group.tiers, target.group.total)
        for line, offer, _product in supplied(target.lines):
            prices.append(
                (f"line:{offer.id}", money.line_amount(
                    offer.prices[tier], line.quantity, balance.due.rate, balance.currency))
            )  # fmt: skip
        if sum(amount for _label, amount in prices) != balance.still_due:
            prices = []
    if not prices:
        prices = [("balance", balance.still_due)]
    # in the units Telegram counts the currency in (forints in hundredths, say)
    sent = [(label, money.to_telegram(amount, balance.currency)) for label, amount in prices]
    if any(amount is None for _label, amount in sent):
        raise PaymentError("currency_unsupported", currency=balance.currency)
    prices = [(label, amount or 0) for label, amount in sent]
    payload = invoice_payload(order_id, balance.currency, balance.still_due)
    return Invoice(target.order, target.group, target.lines, balance, payload, prices)


async def check_pre_checkout(
    session: AsyncSession, *, user_id: int, payload: str, currency: str, total: int,
    invoices: bool,
) -> None:  # fmt: skip
    """Raise PaymentError unless the invoice still holds: the buyer's own order, its group in a
    state that takes payment, and exactly the amount still due in the same currency."""
    parsed = parse_payload(payload)
    if parsed is None:
        raise PaymentError("invoice_unknown")
    order_id, drawn_currency, drawn = parsed
    target = await _payable(session, order_id=order_id, user_id=user_id, invoices=invoices)
    if currency != drawn_currency or money.from_telegram(total, currency) != drawn:
        raise PaymentError("invoice_changed")
    if target.balance.currency != currency or target.balance.still_due != drawn:
        raise PaymentError("invoice_changed")


@writes
async def record_telegram_payment(
    session: AsyncSession, *, user_id: int, payload: str, currency: str, total: int,
    charge_id: str, provider_charge_id: str, now: datetime,
) -> Recorded | None:  # fmt: skip
    """A successful payment, recorded once per charge (None: already recorded — Telegram
    delivered the update twice). The money came in whatever changed meanwhile: it is recorded
    as paid, and the balance says what that leaves."""
    parsed = parse_payload(payload)
    if parsed is None:
        raise PaymentError("invoice_unknown")
    order_id = parsed[0]
    await _lock_order(session, order_id)
    seen = await session.exec(select(Payment.id).where(Payment.charge_id == charge_id[:255]))
    if seen.first() is not None:
        await session.rollback()
        return None
    target = await _target(session, order_id)
    if target.order.user_id != user_id:
        raise PaymentError("order_unknown")
    balance = target.balance
    received = money.from_telegram(total, currency)
    if received is None:  # a fraction of our minor unit: cannot pass the pre-checkout
        received = total
    total = received
    if currency != balance.currency:
        # not what the order is reckoned in (it cannot pass the pre-checkout): kept as it came,
        # at no yuan, for an admin to sort out, rather than lost
        amount_cny = 0
    else:
        amount_cny = yuan_of_payment(balance, total)
    entry = Payment(
        order_id=order_id, kind=EntryKind.PAYMENT, method=PayMethod.TELEGRAM, amount=total,
        currency=currency, amount_cny=amount_cny, recorded_by=None, recorded_at=now,
        charge_id=charge_id[:255], provider_charge_id=provider_charge_id[:255],
    )  # fmt: skip
    session.add(entry)
    _fix_rate(target.order, balance)
    new = Balance(balance.due, (*balance.entries, entry))
    settle(target.order, new, now=now)
    target.order.updated_at = now
    session.add(target.order)
    await session.flush()
    await _publish(session, target, BalanceWhy.PAID, entry.id or 0, now)
    return Recorded(entry, target.order, new)


async def order_for(
    session: AsyncSession, *, order_id: int, actor_id: int, is_admin: bool = False
) -> Target | None:
    """The order with its balance, if this person may handle its money (an agent of its city,
    or an admin); None for an unknown order or someone else's region."""
    try:
        target = await _target(session, order_id)
        await _authorise(session, target, actor_id, is_admin=is_admin)
    except PaymentError:
        return None
    return target
