"""Group orders: open, join/change/leave under concurrency, remind, form or fail at the deadline.

Correctness under concurrency: every change to a group's orders starts with a conditional UPDATE
of the group row (status open and deadline not passed). On PostgreSQL that takes the row lock; on
SQLite it takes the database write lock (it is the transaction's first write, and reads before it
hold no lock). The capacity cap is a second conditional UPDATE (`total + delta <= capacity`), in
the same transaction that writes the lines, so the total always equals the sum of the lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import (
    GroupOffer,
    GroupOrder,
    GroupStatus,
    GroupWatch,
    Measure,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    User,
)
from services import agents, catalog, money, outbox, pricing
from services.outbox import Outgoing
from services.text import fold
from services.tx import begin_write, writes

MAX_QUANTITY = 999  # product units in one line
ACTIVE_ORDER = (OrderStatus.PLACED,)


class GroupError(Exception):
    """A refused change. `code` names the reason; the handler words it for the user."""

    def __init__(self, code: str, **details: object) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


# ── creating and reading ─────────────────────────────────────────────────────────────────


@dataclass
class OfferSpec:
    product_id: int
    prices: list[int]  # fen per product unit, one per tier


@dataclass
class GroupSpec:
    country: str
    city: str
    method: str
    deadline: datetime
    measure: str
    min_total: int
    tiers: list[int] = field(default_factory=lambda: [0])
    capacity: int | None = None
    pickup_point: str | None = None
    offers: list[OfferSpec] = field(default_factory=list)


@writes
async def create_group(
    session: AsyncSession, *, spec: GroupSpec, created_by: int | None, now: datetime
) -> GroupOrder:
    if spec.deadline <= now:
        raise GroupError("deadline_past")
    if spec.min_total <= 0:
        raise GroupError("bad_minimum")
    if spec.capacity is not None and spec.capacity < spec.min_total:
        raise GroupError("capacity_below_minimum")
    if not spec.offers:
        raise GroupError("no_offers")
    try:
        pricing.validate_tiers(spec.tiers, [o.prices for o in spec.offers])
    except pricing.TierError as error:
        raise GroupError("bad_tiers", reason=str(error)) from error
    for offer in spec.offers:
        product = await session.get(Product, offer.product_id)
        if product is None or not product.is_active:
            raise GroupError("unknown_product", product=offer.product_id)
        if spec.measure == Measure.WEIGHT and product.unit_weight_g <= 0:
            raise GroupError("product_without_weight", product=product.slug)
    group = GroupOrder(
        country=spec.country,
        city=spec.city,
        pickup_point=spec.pickup_point,
        method=spec.method,
        deadline=spec.deadline,
        measure=spec.measure,
        min_total=spec.min_total,
        capacity=spec.capacity,
        tiers=list(spec.tiers),
        created_by=created_by,
    )
    session.add(group)
    await session.flush()
    for position, offer in enumerate(spec.offers):
        session.add(
            GroupOffer(
                group_id=group.id or 0,
                product_id=offer.product_id,
                prices=list(offer.prices),
                position=position,
            )
        )
    await session.commit()
    return group


async def get_group(session: AsyncSession, group_id: int) -> GroupOrder:
    group = await session.get(GroupOrder, group_id, populate_existing=True)
    if group is None:
        raise GroupError("not_found")
    return group


def is_joinable(group: GroupOrder, now: datetime) -> bool:
    return group.status == GroupStatus.OPEN and group.deadline > now


async def open_groups(
    session: AsyncSession, *, country: str | None, city: str | None, now: datetime
) -> list[GroupOrder]:
    """Open groups for the buyer's city (case- and accent-insensitive), soonest deadline first."""
    if not country:
        return []
    statement = (
        select(GroupOrder)
        .where(
            col(GroupOrder.status) == GroupStatus.OPEN,
            col(GroupOrder.deadline) > now,
            col(GroupOrder.country) == country,
        )
        .order_by(col(GroupOrder.deadline))
    )
    groups = (await session.exec(statement)).all()
    wanted = fold(city or "")
    return [g for g in groups if fold(g.city) == wanted]


async def all_open_groups(session: AsyncSession) -> list[GroupOrder]:
    statement = (
        select(GroupOrder)
        .where(col(GroupOrder.status) == GroupStatus.OPEN)
        .order_by(col(GroupOrder.deadline))
    )
    return list((await session.exec(statement)).all())


async def offers(session: AsyncSession, group_id: int) -> list[tuple[GroupOffer, Product]]:
    statement = (
        select(GroupOffer, Product)
        .join(Product, col(Product.id) == GroupOffer.product_id)
        .where(GroupOffer.group_id == group_id)
        .order_by(col(GroupOffer.position), col(GroupOffer.id))
    )
    return [(offer, product) for offer, product in (await session.exec(statement)).all()]


async def groups_offering(
    session: AsyncSession, *, product_id: int, country: str | None, city: str | None, now: datetime
) -> list[tuple[GroupOrder, GroupOffer]]:
    """Open groups of the buyer's city that offer this product (for the product card)."""
    groups = await open_groups(session, country=country, city=city, now=now)
    if not groups:
        return []
    statement = select(GroupOffer).where(
        col(GroupOffer.group_id).in_([g.id for g in groups]), GroupOffer.product_id == product_id
    )
    by_group = {o.group_id: o for o in (await session.exec(statement)).all()}
    return [(g, by_group[g.id]) for g in groups if g.id in by_group]


@dataclass
class OrderView:
    order: Order
    lines: list[tuple[OrderLine, GroupOffer, Product]]


async def order_of(session: AsyncSession, *, group_id: int, user_id: int) -> OrderView | None:
    order = (
        await session.exec(
            select(Order).where(Order.group_id == group_id, Order.user_id == user_id)
        )
    ).first()
    if order is None:
        return None
    return OrderView(order, await _lines(session, order.id or 0))


Line = tuple[OrderLine, GroupOffer, Product]


async def lines_of(session: AsyncSession, order_ids: Sequence[int]) -> dict[int, list[Line]]:
    """The lines (with offer and product) of many orders, in one query, keyed by order id."""
    found: dict[int, list[Line]] = {order_id: [] for order_id in order_ids}
    if not order_ids:
        return found
    statement = (
        select(OrderLine, GroupOffer, Product)
        .join(GroupOffer, col(GroupOffer.id) == OrderLine.offer_id)
        .join(Product, col(Product.id) == GroupOffer.product_id)
        .where(col(OrderLine.order_id).in_(order_ids))
        .order_by(col(GroupOffer.position), col(GroupOffer.id))
    )
    for line, offer, product in (await session.exec(statement)).all():
        found[line.order_id].append((line, offer, product))
    return found


async def _lines(session: AsyncSession, order_id: int) -> list[Line]:
    return (await lines_of(session, [order_id]))[order_id]


async def orders_of_user(
    session: AsyncSession, user_id: int, limit: int = 20
) -> list[tuple[OrderView, GroupOrder]]:
    statement = (
        select(Order, GroupOrder)
        .join(GroupOrder, col(GroupOrder.id) == Order.group_id)
        .where(Order.user_id == user_id)
        .order_by(col(Order.updated_at).desc(), col(Order.id).desc())
        .limit(limit)
    )
    rows = (await session.exec(statement)).all()
    lines = await lines_of(session, [order.id or 0 for order, _group in rows])
    return [(OrderView(order, lines[order.id or 0]), group) for order, group in rows]


@dataclass(frozen=True)
class OrderStats:
    orders: int = 0  # not cancelled
    paid: int = 0
    handed: int = 0


async def order_stats(session: AsyncSession, group_ids: Sequence[int]) -> dict[int, OrderStats]:
    """Order counts of many groups in one query (cancelled orders left out)."""
    if not group_ids:
        return {}
    statement = (
        select(
            Order.group_id,
            func.count(),
            func.count(col(Order.paid_at)),
            func.sum(case((col(Order.status) == OrderStatus.DELIVERED, 1), else_=0)),
        )
        .where(col(Order.group_id).in_(group_ids), col(Order.status) != OrderStatus.CANCELLED)
        .group_by(col(Order.group_id))
    )
    found = {gid: OrderStats() for gid in group_ids}
    for group_id, orders, paid, handed in (await session.exec(statement)).all():
        found[group_id] = OrderStats(int(orders), int(paid), int(handed or 0))
    return found


def order_amount(view: OrderView, tier: int) -> int:
    """Yuan minor units at a tier's prices."""
    return sum(
        pricing.line_amount(offer.prices[tier], line.quantity) for line, offer, _ in view.lines
    )


def order_amount_local(view: OrderView, tier: int, rate: int | None, currency: str) -> int:
    """The same in the buyer's currency: the sum of the lines as shown (`money.line_amount`)."""
    return sum(
        money.line_amount(offer.prices[tier], line.quantity, rate, currency)
        for line, offer, _ in view.lines
    )


# ── joining, changing, leaving ───────────────────────────────────────────────────────────


async def _lock_open_group(session: AsyncSession, group_id: int, now: datetime) -> GroupOrder:
    """Take the group's lock, only while it accepts changes; else say why not."""
    await begin_write(session)
    result = await session.exec(
        update(GroupOrder)
        .where(
            col(GroupOrder.id) == group_id,
            col(GroupOrder.status) == GroupStatus.OPEN,
            col(GroupOrder.deadline) > now,
        )
        .values(version=col(GroupOrder.version) + 1)
    )
    if result.rowcount != 1:
        await session.rollback()
        group = await session.get(GroupOrder, group_id)
        if group is None:
            raise GroupError("not_found")
        raise GroupError(
            "closed" if group.status == GroupStatus.OPEN else "not_open", status=group.status
        )
    return await get_group(session, group_id)


@dataclass
class Change:
    group: GroupOrder
    order: Order
    quantity: int
    previous: int
    min_reached_now: bool


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
    try:
        offer = await session.get(GroupOffer, offer_id)
        if offer is None or offer.group_id != group_id:
            raise GroupError("not_offered")
        watch = await _watch(session, group_id=group_id, user_id=user_id, referrer_id=referrer_id)
        referrer_id = referrer_id or watch.referrer_id  # came through a friend's shared link
        product = await session.get(Product, offer.product_id)
        assert product is not None
        order = (
            await session.exec(
                select(Order).where(Order.group_id == group_id, Order.user_id == user_id)
            )
        ).first()
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
            return Change(group=group, order=same, quantity=quantity, previous=previous,
                          min_reached_now=False)  # fmt: skip
        old_amount = line.amount if line else 0
        new_amount = pricing.contribution(quantity, product.unit_weight_g, group.measure)
        delta = new_amount - old_amount
        if quantity == 0 and line is None:
            raise GroupError("not_in_group")
        if delta:
            guarded = update(GroupOrder).where(col(GroupOrder.id) == group_id)
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
        event = "changed"
        if order is None:
            event = "placed"
            order = Order(group_id=group_id, user_id=user_id, referrer_id=referrer_id)
            session.add(order)
            await session.flush()
        elif order.status != OrderStatus.PLACED:
            event = "placed"
            if order.status != OrderStatus.CANCELLED:
                raise GroupError("not_open", status=order.status)
            order.status = OrderStatus.PLACED  # joining again while the group is open
            await _clear_lines(session, order.id or 0)
        order.updated_at = now
        if quantity == 0:
            assert line is not None
            await session.delete(line)
        elif line is None:
            session.add(
                OrderLine(
                    order_id=order.id or 0, offer_id=offer_id, quantity=quantity, amount=new_amount
                )
            )
        else:
            line.quantity = quantity
            line.amount = new_amount
            session.add(line)
        await session.flush()
        remaining = (
            await session.exec(select(OrderLine.id).where(OrderLine.order_id == order.id))
        ).first()
        if remaining is None:
            order.status = OrderStatus.CANCELLED  # the last product removed: the buyer left
            event = "cancelled"
        session.add(order)
        await agents.alert_agents(session, group=group, order=order, event=event, now=now)
        # the ORM-enabled UPDATE above already brought group.total up to date (synchronize_session)
        min_reached_now = False
        if group.min_reached_at is None and group.total >= group.min_total:
            group.min_reached_at = now
            session.add(group)
            min_reached_now = True
            await _notify_participants(
                session, group, "group_min_reached", {"group_id": group_id}, now=now
            )
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return Change(
        group=group,
        order=order,
        quantity=quantity,
        previous=previous,
        min_reached_now=min_reached_now,
    )


async def _clear_lines(session: AsyncSession, order_id: int) -> None:
    for line in (await session.exec(select(OrderLine).where(OrderLine.order_id == order_id))).all():
        await session.delete(line)
    await session.flush()


async def leave(session: AsyncSession, *, group_id: int, user_id: int, now: datetime) -> Order:
    """Cancel the buyer's order while the group is open; its lines leave the total."""
    await _lock_open_group(session, group_id, now)
    try:
        order = (
            await session.exec(
                select(Order).where(Order.group_id == group_id, Order.user_id == user_id)
            )
        ).first()
        if order is None or order.status != OrderStatus.PLACED:
            raise GroupError("not_in_group")
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
        group = await get_group(session, group_id)
        await agents.alert_agents(session, group=group, order=order, event="cancelled", now=now)
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
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


async def get_watch(session: AsyncSession, *, group_id: int, user_id: int) -> GroupWatch | None:
    return (
        await session.exec(
            select(GroupWatch).where(GroupWatch.group_id == group_id, GroupWatch.user_id == user_id)
        )
    ).first()


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
    await session.commit()


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
    await session.commit()
    return watch


# ── deadlines ────────────────────────────────────────────────────────────────────────────


async def participants(session: AsyncSession, group_id: int) -> list[Order]:
    statement = select(Order).where(Order.group_id == group_id, col(Order.status).in_(ACTIVE_ORDER))
    return list((await session.exec(statement)).all())


async def _notify_participants(
    session: AsyncSession,
    group: GroupOrder,
    kind: str,
    payload: dict,
    *,
    now: datetime,
    respect_mute: bool = True,
) -> None:
    muted = set()
    if respect_mute:
        muted = set(
            (
                await session.exec(
                    select(GroupWatch.user_id).where(
                        GroupWatch.group_id == group.id, col(GroupWatch.muted).is_(True)
                    )
                )
            ).all()
        )
    await outbox.enqueue_many(
        session,
        [
            Outgoing(order.user_id, kind, payload, f"{kind}:{group.id}:{order.user_id}")
            for order in await participants(session, group.id or 0)
            if order.user_id not in muted
        ],
        now=now,
    )


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
    formed = group.total >= group.min_total
    new_status = GroupStatus.FORMED if formed else GroupStatus.FAILED
    group.status = new_status
    group.closed_at = now
    session.add(group)
    await session.flush()
    tier = pricing.tier_index(group.tiers, group.total)
    orders = await participants(session, group_id)
    kind = "group_formed" if formed else "group_failed"
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
            # a buyer who paid the agent in advance is confirmed and paid at once
            order.status = OrderStatus.PAID if order.paid_at else OrderStatus.CONFIRMED
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
    await outbox.enqueue_many(
        session,
        [
            Outgoing(order.user_id, kind, {"group_id": group_id, "order_id": order.id},
                     f"{kind}:{group_id}:{order.user_id}")
            for order in orders
        ],
        now=now,
    )  # fmt: skip
    await session.commit()
    return Outcome(group_id=group_id, status=new_status, orders=len(orders))


@writes
async def cancel(session: AsyncSession, *, group_id: int, reason: str, now: datetime) -> Outcome:
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
    for order in orders:
        order.status = OrderStatus.CANCELLED
        order.updated_at = now
        session.add(order)
    await outbox.enqueue_many(
        session,
        [
            Outgoing(order.user_id, "group_cancelled", {"group_id": group_id, "order_id": order.id},
                     f"group_cancelled:{group_id}:{order.user_id}")
            for order in orders
        ],
        now=now,
    )  # fmt: skip
    await session.commit()
    return Outcome(group_id=group_id, status=GroupStatus.CANCELLED, orders=len(orders))


@writes
async def extend(
    session: AsyncSession, *, group_id: int, deadline: datetime, now: datetime
) -> GroupOrder:
    group = await get_group(session, group_id)
    if deadline <= now:
        raise GroupError("deadline_past")
    if deadline <= group.deadline:
        raise GroupError("deadline_not_later")
    result = await session.exec(
        update(GroupOrder)
        .where(col(GroupOrder.id) == group_id, col(GroupOrder.status) == GroupStatus.OPEN)
        .values(deadline=deadline, reminder_sent_at=None, version=col(GroupOrder.version) + 1)
    )
    if result.rowcount != 1:
        await session.rollback()
        raise GroupError("not_open", status=group.status)
    await session.commit()
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
    stamp = int(now.timestamp())
    await outbox.enqueue_many(
        session,
        [
            Outgoing(user_id, "group_reminder", {"group_id": group_id},
                     f"group_reminder:{group_id}:{user_id}:{stamp}")
            for user_id in sorted(recipients)
        ],
        now=now,
    )  # fmt: skip
    await session.commit()
    return len(recipients)


async def next_due_at(
    session: AsyncSession, *, now: datetime, remind_before: timedelta
) -> datetime | None:
    """The next moment after `now` at which a deadline passes or a reminder falls due."""
    deadline = (
        await session.exec(
            select(func.min(GroupOrder.deadline)).where(
                col(GroupOrder.status) == GroupStatus.OPEN, col(GroupOrder.deadline) > now
            )
        )
    ).one()
    reminder = (
        await session.exec(
            select(func.min(GroupOrder.deadline)).where(
                col(GroupOrder.status) == GroupStatus.OPEN,
                col(GroupOrder.reminder_sent_at).is_(None),
                col(GroupOrder.deadline) > now + remind_before,
            )
        )
    ).one()
    moments = [aware(deadline)] if deadline is not None else []
    if reminder is not None:
        moments.append(aware(reminder) - remind_before)
    return min(moments) if moments else None


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


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
