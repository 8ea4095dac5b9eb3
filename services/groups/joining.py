"""Joining, changing and leaving an open group under concurrency.

Every change to a group's orders starts with a conditional UPDATE of the group row (status open
and deadline not passed). On PostgreSQL that takes the row lock; on SQLite it takes the database
write lock (it is the transaction's first write, and reads before it hold no lock). The capacity
cap is a second conditional UPDATE (`total + delta <= capacity`), in the same transaction that
writes the lines, so the total always equals the sum of the lines; a counted product's stock is
a third (`services.groups.stock`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain import events as ev
from domain import pricing
from domain.catalog import can_ship
from domain.errors import GroupError
from domain.groups import MAX_QUANTITY
from domain.notices import AgentEvent
from models import (
    GroupOffer,
    GroupOrder,
    GroupStatus,
    GroupWatch,
    Order,
    OrderLine,
    OrderStatus,
    PayWhen,
    Product,
)
from services import notify
from services.groups.balances import holds_money, settle_orders
from services.groups.queries import get_group, participants
from services.groups.stock import release_orders, take
from services.tx import begin_write, writes


async def _lock_open_group(session: AsyncSession, group_id: int, now: datetime) -> GroupOrder:
    """Take the group's lock, only while it accepts changes; else say why not."""
    await begin_write(session)
    # the lock and the row in one statement (UPDATE … RETURNING, on SQLite and PostgreSQL)
    locked = (
        (
            await session.exec(
                update(GroupOrder)
                .where(
                    col(GroupOrder.id) == group_id,
                    col(GroupOrder.status) == GroupStatus.OPEN,
                    col(GroupOrder.deadline) > now,
                )
                .values(version=col(GroupOrder.version) + 1)
                .returning(GroupOrder)
                .execution_options(populate_existing=True)
            )
        )
        .scalars()
        .first()
    )
    if locked is not None:
        return locked
    await session.rollback()
    group = await session.get(GroupOrder, group_id)
    if group is None:
        raise GroupError("not_found")
    raise GroupError(
        "closed" if group.status == GroupStatus.OPEN else "not_open", status=group.status
    )


@dataclass
class Change:
    """What a change of quantity did; `events` is what the use-case reported (and queued)."""

    group: GroupOrder
    order: Order
    quantity: int
    previous: int
    events: list[ev.Event] = field(default_factory=list)


@writes
async def set_quantity(
    session: AsyncSession,
    *,
    group_id: int,
    offer_id: int,
    user_id: int,
    quantity: int,
    now: datetime,
    referrer_id: int | None = None,
) -> Change:
    """Join with, change to, or (with 0) remove this product's quantity in the buyer's order."""
    if quantity < 0 or quantity > MAX_QUANTITY:
        raise GroupError("quantity", maximum=MAX_QUANTITY)
    group = await _lock_open_group(session, group_id, now)
    order = await _lock_order(session, group_id=group_id, user_id=user_id)
    offered = (
        await session.exec(
            select(GroupOffer, Product)
            .join(Product, col(Product.id) == GroupOffer.product_id)
            .where(col(GroupOffer.id) == offer_id, col(GroupOffer.group_id) == group_id)
        )
    ).first()  # the offer and its product in one query
    if offered is None:
        raise GroupError("not_offered")
    offer, product = offered
    watch = await _watch(session, group_id=group_id, user_id=user_id, referrer_id=referrer_id)
    referrer_id = referrer_id or watch.referrer_id  # came through a friend's shared link
    if quantity > 0 and not can_ship(product, group.country):
        # restricted after the group opened (or opened before restrictions were checked)
        raise GroupError("not_shippable", product=product.slug, country=group.country)
    line = None
    if order is not None and order.status == OrderStatus.PLACED:
        line = (
            await session.exec(
                select(OrderLine).where(
                    OrderLine.order_id == order.id, OrderLine.offer_id == offer_id
                )
            )
        ).first()
    previous = line.quantity if line else 0
    if line is not None and order is not None and quantity == previous:
        # nothing changes: no write, no alert; the group's lock is let go (the rollback
        # expires what was read, so the group and the order are read again after it)
        order_id = order.id
        await session.rollback()
        group = await get_group(session, group_id)
        same = await session.get(Order, order_id, populate_existing=True)
        assert same is not None
        return Change(group=group, order=same, quantity=quantity, previous=previous)
    old_amount = line.amount if line else 0
    new_amount = pricing.contribution(quantity, product.unit_weight_g, group.measure)
    if quantity == 0 and line is None:
        raise GroupError("not_in_group")
    tier_before = pricing.tier_index(group.tiers, group.total)
    await _move_total(session, group, new_amount - old_amount, old_amount, product)
    held = line.stock_taken if line is not None else 0
    if product.stock is not None or held:  # an uncounted product has no stock to take from
        held += await take(session, product.id or 0, quantity - previous, have=previous, held=held)
    event = AgentEvent.CHANGED
    if order is None:
        event = AgentEvent.PLACED
        order = Order(group_id=group_id, user_id=user_id, referrer_id=referrer_id, updated_at=now)
        session.add(order)
        await session.flush()
    elif order.status != OrderStatus.PLACED:
        event = AgentEvent.PLACED
        if order.status != OrderStatus.CANCELLED:
            raise GroupError("not_open", status=order.status)
        order.status = OrderStatus.PLACED  # joining again while the group is open
        await _clear_lines(session, order.id or 0)
        if not await holds_money(session, order.id or 0):
            # everything paid came back: the order is priced afresh, at today's rate and in
            # the buyer's currency now, not at the rate its first payment fixed
            order.currency = order.rate_micro = None
    order.updated_at = now
    if quantity == 0:
        assert line is not None
        await session.delete(line)
    elif line is None:
        session.add(
            OrderLine(
                order_id=order.id or 0,
                offer_id=offer_id,
                quantity=quantity,
                amount=new_amount,
                stock_taken=held,
            )  # fmt: skip
        )
    else:
        line.quantity = quantity
        line.amount = new_amount
        line.stock_taken = held
        session.add(line)
    await session.flush()
    remaining = (
        quantity > 0
        or (await session.exec(select(OrderLine.id).where(OrderLine.order_id == order.id))).first()
        is not None
    )
    if not remaining:
        order.status = OrderStatus.CANCELLED  # the last product removed: the buyer left
        event = AgentEvent.CANCELLED
    session.add(order)
    events: list[ev.Event] = [ev.OrderEvent(group_id, order.id or 0, event)]
    # the ORM-enabled UPDATE above already brought group.total up to date (synchronize_session)
    if group.min_reached_at is None and group.total >= group.min_total:
        group.min_reached_at = now
        session.add(group)
        events.append(ev.MinimumReached(group_id))
    tier_after = pricing.tier_index(group.tiers, group.total)
    await session.flush()
    if tier_after != tier_before:
        # every order's due moved with the tier: their paid marks follow their balances
        await settle_orders(session, await participants(session, group_id),
                            groups={group_id: group}, now=now)  # fmt: skip
        if group.pay_when == PayWhen.NOW:
            events.append(
                ev.TierReached(group_id, tier_after, group.version, tier_after > tier_before)
            )
    else:
        await settle_orders(session, [order], groups={group_id: group}, now=now)
    await notify.publish(session, events, now=now)
    return Change(group=group, order=order, quantity=quantity, previous=previous, events=events)


async def _lock_order(session: AsyncSession, *, group_id: int, user_id: int) -> Order | None:
    """The buyer's order row too (PostgreSQL: its row lock; SQLite holds the write lock
    already), after the group's: an agent recording a payment takes the same lock, so either
    the payment sees the new quantity (and its prompt's balance is refused as changed) or the
    change sees the payment, and the paid mark follows the balance either way. Always group
    first, then order: the payment takes the order only, so the two cannot deadlock. Returns
    the order (None: the buyer has none in this group yet), read in the same statement."""
    return (
        (
            await session.exec(
                update(Order)
                .where(col(Order.group_id) == group_id, col(Order.user_id) == user_id)
                .values(updated_at=Order.updated_at)
                .returning(Order)
                .execution_options(populate_existing=True)
            )
        )
        .scalars()
        .first()
    )


async def _move_total(
    session: AsyncSession, group: GroupOrder, delta: int, old_amount: int, product: Product
) -> None:
    """Add `delta` to the group's total, within its capacity (else GroupError "capacity", with
    the room left for this line)."""
    if not delta:
        return
    guarded = update(GroupOrder).where(col(GroupOrder.id) == group.id)
    if delta > 0:
        guarded = guarded.where(
            (col(GroupOrder.capacity).is_(None))
            | (col(GroupOrder.total) + delta <= col(GroupOrder.capacity))
        )
    result = await session.exec(guarded.values(total=col(GroupOrder.total) + delta))
    if result.rowcount != 1:
        left = pricing.remaining_capacity(group.total, group.capacity) or 0
        raise GroupError(
            "capacity",
            left=left + old_amount,  # room for this line, in the group's measure
            measure=group.measure,
            unit=pricing.contribution(1, product.unit_weight_g, group.measure),
        )


async def _clear_lines(session: AsyncSession, order_id: int) -> None:
    for line in (await session.exec(select(OrderLine).where(OrderLine.order_id == order_id))).all():
        await session.delete(line)
    await session.flush()


@writes
async def leave(session: AsyncSession, *, group_id: int, user_id: int, now: datetime) -> Order:
    """Cancel the buyer's order while the group is open; its lines leave the total."""
    locked = await _lock_open_group(session, group_id, now)
    order = await _lock_order(session, group_id=group_id, user_id=user_id)
    tier_before = pricing.tier_index(locked.tiers, locked.total)
    if order is None or order.status != OrderStatus.PLACED:
        raise GroupError("not_in_group")
    await release_orders(session, [order.id or 0])
    lines = (await session.exec(select(OrderLine).where(OrderLine.order_id == order.id))).all()
    released = sum(line.amount for line in lines)
    for line in lines:
        await session.delete(line)
    await session.exec(
        update(GroupOrder)
        .where(col(GroupOrder.id) == group_id)
        .values(total=col(GroupOrder.total) - released)
    )
    order.status = OrderStatus.CANCELLED
    order.updated_at = now
    session.add(order)
    await session.flush()
    group = await get_group(session, group_id)
    # a cheaper tier is not lost by leaving, but a dearer one may come back for the others
    await settle_orders(session, [order, *await participants(session, group_id)],
                        groups={group_id: group}, now=now)  # fmt: skip
    events: list[ev.Event] = [
        ev.OrderEvent(group_id, order.id or 0, AgentEvent.CANCELLED),
        ev.OrdersChanged((order.id or 0,)),
    ]
    tier_after = pricing.tier_index(group.tiers, group.total)
    if tier_after != tier_before and group.pay_when == PayWhen.NOW:
        events.append(
            ev.TierReached(group_id, tier_after, group.version, tier_after > tier_before)
        )  # a leave makes it dearer
    await notify.publish(session, events, now=now)
    return order


async def _watch(
    session: AsyncSession, *, group_id: int, user_id: int, referrer_id: int | None = None
) -> GroupWatch:
    watch = (
        await session.exec(
            select(GroupWatch).where(GroupWatch.group_id == group_id, GroupWatch.user_id == user_id)
        )
    ).first()
    if watch is None:
        watch = GroupWatch(group_id=group_id, user_id=user_id, referrer_id=referrer_id)
        session.add(watch)
        await session.flush()
    return watch


@writes
async def record_visit(
    session: AsyncSession, *, group_id: int, user_id: int, referrer_id: int | None
) -> None:
    """A buyer opened the group (from a shared link: the referrer is recorded once)."""
    if referrer_id == user_id:
        referrer_id = None
    watch = await _watch(session, group_id=group_id, user_id=user_id, referrer_id=referrer_id)
    if watch.referrer_id is None and referrer_id is not None:
        watch.referrer_id = referrer_id
        session.add(watch)


@writes
async def set_reminder(
    session: AsyncSession, *, group_id: int, user_id: int, remind: bool
) -> GroupWatch:
    """`remind=True` asks for the reminder; False mutes every reminder of this group."""
    await get_group(session, group_id)
    watch = await _watch(session, group_id=group_id, user_id=user_id)
    watch.remind = remind
    watch.muted = not remind
    session.add(watch)
    return watch
