"""Balances (domain.balance) of many orders at once, in a fixed number of queries however many
orders there are, and keeping an order's paid mark equal to its balance (`settle`). The use-cases
that move money are in `services.payments`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.balance import Balance, due_of, live, order_currency
from domain.orders import Line
from models import EntryKind, ExchangeRate, GroupOrder, Order, OrderStatus, Payment, User
from services.groups.lines import lines_of

CHUNK = 500


async def rates(session: AsyncSession) -> dict[str, int]:
    rows = await session.exec(select(ExchangeRate))
    return {rate.currency: rate.per_cny_micro for rate in rows.all()}


async def entries_of(session: AsyncSession, order_ids: Sequence[int]) -> dict[int, list[Payment]]:
    """Every entry (live and undone) of many orders, oldest first."""
    found: dict[int, list[Payment]] = {order_id: [] for order_id in order_ids}
    wanted = sorted(set(order_ids))
    for start in range(0, len(wanted), CHUNK):
        rows = await session.exec(
            select(Payment)
            .where(col(Payment.order_id).in_(wanted[start : start + CHUNK]))
            .order_by(col(Payment.id))
        )
        for entry in rows.all():
            found.setdefault(entry.order_id, []).append(entry)
    return found


def balance_from(
    order: Order,
    group: GroupOrder,
    lines: Sequence[Line],
    entries: Sequence[Payment],
    buyer_currency: str | None,
    known_rates: dict[str, int],
) -> Balance:
    currency, rate = order_currency(order, buyer_currency, known_rates)
    return Balance(due_of(order, group, lines, currency, rate), live(entries))


async def balances(
    session: AsyncSession,
    orders: Sequence[Order],
    *,
    groups: dict[int, GroupOrder] | None = None,
    lines: dict[int, list[Line]] | None = None,
    buyers: dict[int, User] | None = None,
) -> dict[int, Balance]:
    """The balance of each order, by order id (what the caller already read is passed in)."""
    if not orders:
        return {}
    ids = [order.id or 0 for order in orders]
    if groups is None:
        wanted_groups = sorted({order.group_id for order in orders})
        found_groups = await session.exec(
            select(GroupOrder).where(col(GroupOrder.id).in_(wanted_groups))
        )
        groups = {group.id or 0: group for group in found_groups.all()}
    if lines is None:
        lines = await lines_of(session, ids)
    if buyers is None:
        wanted = sorted({order.user_id for order in orders})
        rows = await session.exec(select(User).where(col(User.id).in_(wanted)))
        buyers = {user.id: user for user in rows.all()}
    entries = await entries_of(session, ids)
    known = await rates(session)
    found = {}
    for order in orders:
        group = groups.get(order.group_id)
        if group is None:
            continue
        buyer = buyers.get(order.user_id)
        found[order.id or 0] = balance_from(
            order, group, lines.get(order.id or 0, []), entries.get(order.id or 0, []),
            buyer.currency if buyer else None, known,
        )  # fmt: skip
    return found


async def balance_of(session: AsyncSession, order: Order) -> Balance:
    return (await balances(session, [order]))[order.id or 0]


async def recorders(session: AsyncSession, found: Sequence[Balance]) -> dict[int, User]:
    """Who recorded the entries of these balances (agents, admins), in one query."""
    ids = sorted({e.recorded_by for b in found for e in b.entries if e.recorded_by is not None})
    if not ids:
        return {}
    rows = await session.exec(select(User).where(col(User.id).in_(ids)))
    return {user.id: user for user in rows.all()}


def settle(order: Order, balance: Balance, *, now: datetime, by: int | None = None) -> bool:
    """Keep the order's paid mark equal to its balance: paid when nothing more is due on an
    amount above zero, not paid as soon as something is (a raised quantity, an undo). A
    confirmed order paid in full reads "paid", and back. Returns whether it changed."""
    paid = balance.due.amount > 0 and balance.outstanding <= 0
    changed = False
    if paid and order.paid_at is None:
        last = next((e for e in reversed(balance.entries) if e.kind == EntryKind.PAYMENT), None)
        order.paid_at, order.paid_by, changed = (
            now,
            by or (last.recorded_by if last else None),
            True,
        )
    elif not paid and order.paid_at is not None:
        order.paid_at, order.paid_by, changed = None, None, True
    if order.status in (OrderStatus.CONFIRMED, OrderStatus.PAID):
        status = OrderStatus.PAID if paid else OrderStatus.CONFIRMED
        changed = changed or status != order.status
        order.status = status
    if changed:
        order.updated_at = now
    return changed


async def settle_orders(
    session: AsyncSession, orders: list[Order], *, groups: dict[int, GroupOrder], now: datetime
) -> dict[int, Balance]:
    """After a change of what orders owe (formed, a quantity, leaving): their paid marks
    follow their balances (the caller commits)."""
    found = await balances(session, orders, groups=groups)
    for order in orders:
        balance = found.get(order.id or 0)
        if balance is not None and settle(order, balance, now=now):
            session.add(order)
    return found


async def holds_money(session: AsyncSession, order_id: int) -> bool:
    """Whether the order's live payments exceed its live refunds (money is held for it)."""
    entries = live((await entries_of(session, [order_id]))[order_id])
    held = sum(e.amount if e.kind == EntryKind.PAYMENT else -e.amount for e in entries)
    return held > 0
