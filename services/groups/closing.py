"""Deadlines: reminders before them, forming or failing at them, and an admin's cancel, close
and extend."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain import events as ev
from domain import pricing
from domain.errors import GroupError
from domain.groups import forms
from domain.orders import order_amount, order_amount_local
from models import GroupOrder, GroupStatus, GroupWatch, OrderStatus, User
from services import audit, catalog, notify
from services.groups.balances import settle_orders
from services.groups.queries import (
    OrderView,
    get_group,
    lines_of,
    participants,
)
from services.groups.stock import release_orders
from services.tx import writes


@dataclass
class Outcome:
    group_id: int
    status: str
    orders: int


@writes
async def close(
    session: AsyncSession,
    *,
    group_id: int,
    now: datetime,
    force: bool = False,
    expected_version: int | None = None,
    admin_id: int | None = None,
) -> Outcome | None:
    """Form the group if it reached its minimum, else fail it; every participant is told.
    Without `force`, only once the deadline has passed. None when there is nothing to do.

    The group's lock is taken first (the same conditional UPDATE a join starts with), and the
    decision is made from the row read under it: a join or a leave racing the close either
    happened before (and counts) or finds the group closed. With `expected_version` (an admin
    confirmed a prompt that showed the group as it was) a group changed since is not closed:
    GroupError("changed")."""
    lock = update(GroupOrder).where(
        col(GroupOrder.id) == group_id, col(GroupOrder.status) == GroupStatus.OPEN
    )
    if not force:
        lock = lock.where(col(GroupOrder.deadline) <= now)
    result = await session.exec(lock.values(version=col(GroupOrder.version) + 1))
    if result.rowcount != 1:
        await session.rollback()
        return None  # not open (closed by someone else meanwhile), or not due yet
    group = await get_group(session, group_id)
    if expected_version is not None and group.version != expected_version + 1:
        raise GroupError("changed")  # the wrapper rolls the lock back
    formed = forms(group.total, group.min_total)
    new_status = GroupStatus.FORMED if formed else GroupStatus.FAILED
    group.status = new_status
    group.closed_at = now
    session.add(group)
    await session.flush()
    tier = pricing.tier_index(group.tiers, group.total)
    orders = await participants(session, group_id)
    if not formed:  # nothing is sold: the units go back on sale
        await release_orders(session, [order.id or 0 for order in orders])
    if formed:
        # everything the amounts need, in three queries however many orders there are
        lines = await lines_of(session, [order.id or 0 for order in orders])
        buyers = await session.exec(
            select(User).where(col(User.id).in_([order.user_id for order in orders]))
        )
        currency_of = {user.id: user.currency or "CNY" for user in buyers.all()}
        rates = {rate.currency: rate.per_cny_micro for rate in await catalog.list_rates(session)}
    for order in orders:
        order.updated_at = now
        if formed:
            # confirmed; a buyer who paid in advance is paid at once (settle_orders, below)
            order.status = OrderStatus.CONFIRMED
            if order.currency:  # fixed by a payment made while the group was open
                currency, rate = order.currency, order.rate_micro
            else:
                currency = currency_of.get(order.user_id, "CNY")
                rate = rates.get(currency)
            if rate is None:  # no rate for that currency (or the yuan itself): charge in yuan
                currency = "CNY"
            view = OrderView(order, lines[order.id or 0])
            order.currency = currency
            order.rate_micro = rate if currency != "CNY" else None
            order.amount_cny = order_amount(view, tier)
            order.amount_local = order_amount_local(view, tier, rate, currency)
        else:
            order.status = OrderStatus.CANCELLED
        session.add(order)
    await session.flush()
    # the due is final (or nothing, for a group that failed): paid marks follow the balances
    await settle_orders(session, orders, groups={group_id: group}, now=now)
    closed = ev.GroupClosed(group_id, formed, tuple((o.id or 0, o.user_id) for o in orders))
    changed = ev.OrdersChanged(tuple(o.id or 0 for o in orders))
    await notify.publish(session, [closed, changed], now=now)
    if admin_id is not None:
        audit.record(
            session, admin_id=admin_id, action="group.close", object_type="group",
            object_id=group_id, before={"status": GroupStatus.OPEN},
            after={"status": new_status, "orders": len(orders)}, at=now,
        )  # fmt: skip
    return Outcome(group_id=group_id, status=new_status, orders=len(orders))


@writes
async def cancel(
    session: AsyncSession, *, group_id: int, reason: str, now: datetime,
    admin_id: int | None = None,
) -> Outcome:  # fmt: skip
    group = await get_group(session, group_id)
    result = await session.exec(
        update(GroupOrder)
        .where(col(GroupOrder.id) == group_id, col(GroupOrder.status) == GroupStatus.OPEN)
        .values(
            status=GroupStatus.CANCELLED,
            closed_at=now,
            cancel_reason=reason[:512],
            version=col(GroupOrder.version) + 1,
        )
    )
    if result.rowcount != 1:
        await session.rollback()
        raise GroupError("not_open", status=group.status)
    orders = await participants(session, group_id)
    await release_orders(session, [order.id or 0 for order in orders])
    for order in orders:
        order.status = OrderStatus.CANCELLED
        order.updated_at = now
        session.add(order)
    await session.flush()
    group = await get_group(session, group_id)
    await settle_orders(session, orders, groups={group_id: group}, now=now)  # refunds due
    cancelled = ev.GroupCancelled(group_id, tuple((o.id or 0, o.user_id) for o in orders))
    changed = ev.OrdersChanged(tuple(o.id or 0 for o in orders))
    await notify.publish(session, [cancelled, changed], now=now)
    if admin_id is not None:
        audit.record(
            session, admin_id=admin_id, action="group.cancel", object_type="group",
            object_id=group_id, before={"status": GroupStatus.OPEN},
            after={"status": GroupStatus.CANCELLED, "reason": reason[:512], "orders": len(orders)},
            at=now,
        )  # fmt: skip
    return Outcome(group_id=group_id, status=GroupStatus.CANCELLED, orders=len(orders))


@writes
async def extend(
    session: AsyncSession, *, group_id: int, deadline: datetime, now: datetime,
    admin_id: int | None = None,
) -> GroupOrder:  # fmt: skip
    group = await get_group(session, group_id)
    if deadline <= now:
        raise GroupError("deadline_past")
    if deadline <= group.deadline:
        raise GroupError("deadline_not_later")
    before = group.deadline
    result = await session.exec(
        update(GroupOrder)
        .where(col(GroupOrder.id) == group_id, col(GroupOrder.status) == GroupStatus.OPEN)
        .values(deadline=deadline, reminder_sent_at=None, version=col(GroupOrder.version) + 1)
    )
    if result.rowcount != 1:
        await session.rollback()
        raise GroupError("not_open", status=group.status)
    session.sync_session.info["deadline_set"] = deadline  # the scheduler wakes for it
    await notify.publish(session, [ev.DeadlineMoved(group_id, int(deadline.timestamp()))], now=now)
    if admin_id is not None:
        audit.record(
            session, admin_id=admin_id, action="group.extend", object_type="group",
            object_id=group_id, before={"deadline": before}, after={"deadline": deadline},
            at=now,
        )  # fmt: skip
    return await get_group(session, group_id)


@writes
async def send_reminders(session: AsyncSession, *, group_id: int, now: datetime) -> int:
    """One reminder to every participant and every buyer who asked, unless they muted it."""
    result = await session.exec(
        update(GroupOrder)
        .where(
            col(GroupOrder.id) == group_id,
            col(GroupOrder.status) == GroupStatus.OPEN,
            col(GroupOrder.reminder_sent_at).is_(None),
        )
        .values(reminder_sent_at=now)
    )
    if result.rowcount != 1:
        await session.rollback()
        return 0
    watches = (await session.exec(select(GroupWatch).where(GroupWatch.group_id == group_id))).all()
    muted = {w.user_id for w in watches if w.muted}
    recipients = {o.user_id for o in await participants(session, group_id)}
    recipients |= {w.user_id for w in watches if w.remind}
    recipients -= muted
    due = ev.RemindersDue(group_id, tuple(sorted(recipients)), int(now.timestamp()))
    await notify.publish(session, [due], now=now)
    return len(recipients)


@dataclass
class DueReport:
    closed: list[Outcome] = field(default_factory=list)
    reminded: int = 0


async def process_due(
    session: AsyncSession, *, now: datetime, remind_before: timedelta
) -> DueReport:
    """Close every group whose deadline has passed (also those missed while the bot was down)
    and send the reminders that are due."""
    report = DueReport()
    due = (
        await session.exec(
            select(GroupOrder.id).where(
                col(GroupOrder.status) == GroupStatus.OPEN, col(GroupOrder.deadline) <= now
            )
        )
    ).all()
    for group_id in due:
        if group_id is None:
            continue
        outcome = await close(session, group_id=group_id, now=now)
        if outcome:
            report.closed.append(outcome)
    remind = (
        await session.exec(
            select(GroupOrder.id).where(
                col(GroupOrder.status) == GroupStatus.OPEN,
                col(GroupOrder.reminder_sent_at).is_(None),
                col(GroupOrder.deadline) > now,
                col(GroupOrder.deadline) <= now + remind_before,
            )
        )
    ).all()
    for group_id in remind:
        if group_id is None:
            continue
        report.reminded += await send_reminders(session, group_id=group_id, now=now)
    return report
