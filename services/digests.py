"""Digests at each person's local morning, and the "a group opened in my city" alert.

`run_slot` is what the scheduler's slot job runs: it takes the people whose digest is due
(`User.digest_due_at <= now`, one indexed range query a batch, never all of them at once), builds
their digests with a fixed number of queries per batch, queues the non-empty ones in the outbox
and moves each person's `digest_due_at` to their next one, in the same transaction. A restart in
the middle of a slot resumes with whoever is still due; a digest is never queued twice (its
outbox row carries a de-duplication key of the person and the local date it is for)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain import digests as rules
from domain.catalog import can_ship
from domain.notices import ADMIN_STATS, DigestNotice, Kind
from domain.text import same_city
from models import (
    Agent,
    GroupOrder,
    GroupStatus,
    Notification,
    Order,
    OrderStatus,
    OutboxStatus,
    Product,
    ShipmentEvent,
    User,
)
from services import catalog, outbox
from services.groups.queries import aware
from services.outbox import Outgoing
from services.tx import begin_write, writes

BATCH = 500
FORMED = (GroupStatus.FORMED, GroupStatus.SHIPPED, GroupStatus.DELIVERED)  # not cancelled
DAY = timedelta(days=1)


@dataclass
class SlotReport:
    due: int = 0  # people whose digest was due
    queued: int = 0  # digests queued (the others were empty)
    scheduled: int = 0  # people whose first digest was scheduled
    batches: int = 0


def _wants_digests():  # noqa: ANN202 - a SQL condition
    """Onboarded, not blocked (nor suspended by an admin), digests on."""
    return (
        (col(User.digest) != rules.Frequency.OFF)
        & col(User.is_blocked).is_(False)
        & col(User.is_banned).is_(False)
        & col(User.city).is_not(None)
        & col(User.locale).is_not(None)
    )


def due_filter(now: datetime):  # noqa: ANN201 - a SQL condition
    """Wants digests, and is due now (or was never scheduled yet)."""
    return _wants_digests() & or_(col(User.digest_due_at).is_(None), col(User.digest_due_at) <= now)


def schedule(user: User, now: datetime) -> None:
    """Set the user's next digest from their preferences (after a change of them)."""
    user.digest_due_at = rules.next_due(
        now, timezone=user.timezone, frequency=user.digest, hour=user.digest_hour,
        weekday=user.digest_day,
    )  # fmt: skip


async def run_slot(
    factory, *, now: datetime, admin_ids: frozenset[int] = frozenset(),  # noqa: ANN001
    batch: int = BATCH, max_batches: int | None = None,
) -> SlotReport:  # fmt: skip
    """Everyone due now, a batch at a time, each batch in its own short transaction."""
    report = SlotReport()
    while max_batches is None or report.batches < max_batches:
        async with factory() as session:
            more = await _one_batch(
                session, now=now, admin_ids=admin_ids, batch=batch, report=report
            )
        if not more:
            return report
    return report


async def _one_batch(
    session: AsyncSession, *, now: datetime, admin_ids: frozenset[int], batch: int,
    report: SlotReport,
) -> bool:  # fmt: skip
    """One batch of the people due now; False when there were none. Everyone handled gets a
    next `digest_due_at` after now, so the next batch's query (on the index of that column) no
    longer finds them: no cursor, and no scan of those not due."""
    await begin_write(session)
    # those never scheduled first (an IS NULL lookup on the index), then those due, in the
    # index's own order: a range scan, no sort, however many people there are
    never = col(User.digest_due_at).is_(None)
    query = select(User).where(_wants_digests(), never).limit(batch)
    if await session.scalar(select(User.id).where(_wants_digests(), never).limit(1)) is None:
        query = (
            select(User)
            .where(_wants_digests(), col(User.digest_due_at) <= now)
            .order_by(col(User.digest_due_at))
            .limit(batch)
        )
    if session.sync_session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # two leaders never build the same one
    users = list((await session.exec(query)).all())
    if not users:
        await session.commit()
        return False
    report.batches += 1
    # by id: `in` on a list of models compares them field by field (pydantic's __eq__)
    fresh = {u.id for u in users if u.digest_due_at is None}
    late = {
        u.id for u in users
        if u.digest_due_at is not None and rules.is_late(aware(u.digest_due_at), now)
    }  # fmt: skip
    due = [u for u in users if u.id not in fresh and u.id not in late]
    due_ids = {u.id for u in due}
    built = await build(session, due, now=now, admin_ids=admin_ids) if due else {}
    items = []
    moves = []
    for user in users:
        # the next one after now; someone scheduled just after their hour still gets today's
        after = now if user.digest_due_at is not None else now - rules.FRESH_GRACE
        next_at = rules.next_due(
            after, timezone=user.timezone, frequency=user.digest, hour=user.digest_hour,
            weekday=user.digest_day,
        )  # fmt: skip
        # every row the same keys: the bulk UPDATE is then one statement for the batch
        values: dict[str, object] = {
            "id": user.id, "digest_due_at": next_at, "digest": user.digest,
            "last_digest_at": user.last_digest_at,
        }  # fmt: skip
        if next_at is None:  # an unknown frequency (a hand-edited row): off, not due forever
            values["digest"] = rules.Frequency.OFF
        if user.id in fresh and user.last_digest_at is None:
            values["last_digest_at"] = now  # their first digest brings what is new from here
        if user.id in due_ids:
            # covered up to now (sent, or nothing new); a late one leaves its news to the next
            values["last_digest_at"] = now
            notice = built.get(user.id)
            if notice is not None:
                stamp = int(aware(user.digest_due_at or now).timestamp())
                key = f"digest:{user.id}:{stamp}"  # the scheduled moment: once, across restarts
                items.append(Outgoing(user.id, Kind.DIGEST, notice, key))
        moves.append(values)
    report.due += len(due)
    report.scheduled += len(fresh)
    report.queued += await outbox.enqueue_many(session, items, now=now)
    await session.exec(update(User), params=moves)
    await session.commit()
    return True


# ── building ────────────────────────────────────────────────────────────────────────────


@dataclass
class _Context:
    """What a batch's digests are built from, read once for the batch."""

    products: list[Product] = field(default_factory=list)
    soon: list[GroupOrder] = field(default_factory=list)  # open, closing within 72 h
    open_groups: list[GroupOrder] = field(default_factory=list)
    orders: dict[int, list[tuple[int, datetime]]] = field(default_factory=dict)  # by user
    events: dict[int, list[tuple[int, datetime]]] = field(default_factory=dict)  # by user
    regions: dict[int, list[Agent]] = field(default_factory=dict)
    region_orders: list[tuple[Order, GroupOrder]] = field(default_factory=list)
    admin: list[int] = field(default_factory=list)


async def build(
    session: AsyncSession, users: Sequence[User], *, now: datetime, admin_ids: frozenset[int]
) -> dict[int, DigestNotice]:
    """The non-empty digests of these users (their `digest_due_at` has come), by user id, in a
    fixed number of queries however many users there are."""
    windows = {
        u.id: rules.since(aware(u.last_digest_at) if u.last_digest_at else None,
                          aware(u.digest_due_at or now), u.digest)
        for u in users
    }  # fmt: skip
    oldest = min(windows.values())
    ids = [u.id for u in users]
    ctx = _Context()
    ctx.products = list(
        (
            await session.exec(
                select(Product).where(catalog.on_sale(), col(Product.created_at) > oldest)
            )
        ).all()
    )
    ctx.open_groups = list(
        (
            await session.exec(
                select(GroupOrder).where(
                    GroupOrder.status == GroupStatus.OPEN, col(GroupOrder.deadline) > now
                )
            )
        ).all()
    )
    ctx.soon = [g for g in ctx.open_groups if aware(g.deadline) <= now + rules.SOON]
    for order_id, user_id, updated in (
        await session.exec(
            select(Order.id, Order.user_id, Order.updated_at).where(
                col(Order.user_id).in_(ids), col(Order.updated_at) > oldest
            )
        )
    ).all():
        ctx.orders.setdefault(user_id, []).append((order_id or 0, aware(updated)))
    for event_id, user_id, occurred in (
        await session.exec(
            select(ShipmentEvent.id, Order.user_id, ShipmentEvent.occurred_at)
            .join(GroupOrder, col(GroupOrder.shipment_id) == ShipmentEvent.shipment_id)
            .join(Order, col(Order.group_id) == GroupOrder.id)
            .where(
                col(Order.user_id).in_(ids),
                col(Order.status) != OrderStatus.CANCELLED,
                col(ShipmentEvent.occurred_at) > oldest,
            )
            .distinct()
        )
    ).all():
        ctx.events.setdefault(user_id, []).append((event_id or 0, aware(occurred)))
    for agent in (await session.exec(select(Agent).where(col(Agent.user_id).in_(ids)))).all():
        ctx.regions.setdefault(agent.user_id, []).append(agent)
    if ctx.regions:
        countries = {a.country for regions in ctx.regions.values() for a in regions}
        ctx.region_orders = list(
            (
                await session.exec(
                    select(Order, GroupOrder)
                    .join(GroupOrder, col(GroupOrder.id) == Order.group_id)
                    .where(
                        col(GroupOrder.country).in_(countries),
                        or_(
                            col(Order.created_at) > now - DAY,
                            col(Order.paid_at) > now - DAY,
                            col(Order.handed_at) > now - DAY,
                        ),
                    )
                )
            ).all()
        )
    if any(user.id in admin_ids or user.is_admin for user in users):
        ctx.admin = await admin_stats(session, now=now)
    found = {}
    for user in users:
        notice = _digest_of(
            user, windows[user.id], ctx, now=now, is_admin=user.id in admin_ids or user.is_admin
        )
        if notice is not None:
            found[user.id] = notice
    return found


def _in_city(group: GroupOrder, user: User) -> bool:
    return group.country == user.country and same_city(group.city, user.city or "")


def _digest_of(
    user: User, since: datetime, ctx: _Context, *, now: datetime, is_admin: bool
) -> DigestNotice | None:
    products = [
        p.id or 0 for p in ctx.products
        if aware(p.created_at) > since and can_ship(p, user.country)
    ]  # fmt: skip
    soon = [g.id or 0 for g in ctx.soon if _in_city(g, user)]
    orders = sorted({i for i, when in ctx.orders.get(user.id, []) if when > since})
    events = sorted({i for i, when in ctx.events.get(user.id, []) if when > since})
    region_groups: list[int] = []
    agent: list[int] = []
    regions = ctx.regions.get(user.id, [])
    if regions:
        mine = [
            (o, g) for o, g in ctx.region_orders
            if any(a.country == g.country and same_city(a.city, g.city) for a in regions)
        ]  # fmt: skip
        day = now - DAY
        agent = [
            sum(1 for o, _g in mine if aware(o.created_at) > day),
            sum(1 for o, _g in mine if o.paid_at and aware(o.paid_at) > day),
            sum(1 for o, _g in mine if o.handed_at and aware(o.handed_at) > day),
        ]
        region_groups = [
            g.id or 0 for g in ctx.open_groups
            if any(a.country == g.country and same_city(a.city, g.city) for a in regions)
        ]  # fmt: skip
    admin = list(ctx.admin) if is_admin else []
    has_news = products or soon or orders or events or any(agent) or region_groups
    if not has_news and not any(admin):
        return None
    period = rules.period_key(aware(user.digest_due_at or now), user.timezone)
    return DigestNotice(
        period, products, soon, orders, events, region_groups, agent, admin
    )  # fmt: skip


async def admin_stats(session: AsyncSession, *, now: datetime) -> list[int]:
    """The last 24 h for admins, in `ADMIN_STATS` order: orders placed, revenue (yuan fen of
    the orders confirmed), new buyers, groups formed and failed, shipment events posted, and
    notifications that could not be delivered (blocked, failed)."""
    day = now - DAY
    orders = (await session.exec(select(func.count(col(Order.id))).where(col(Order.created_at) > day))).one()  # fmt: skip
    closed = (
        await session.exec(
            select(GroupOrder.status, func.count(col(GroupOrder.id)))
            .where(col(GroupOrder.closed_at) > day)
            .group_by(col(GroupOrder.status))
        )
    ).all()
    counts = dict(closed)
    formed_ids = select(GroupOrder.id).where(
        col(GroupOrder.closed_at) > day, col(GroupOrder.status).in_(FORMED)
    )
    revenue = (
        await session.exec(
            select(func.coalesce(func.sum(col(Order.amount_cny)), 0)).where(
                col(Order.group_id).in_(formed_ids.scalar_subquery()),
                col(Order.status) != OrderStatus.CANCELLED,
            )
        )
    ).one()
    buyers = (await session.exec(select(func.count(col(User.id))).where(col(User.created_at) > day))).one()  # fmt: skip
    moved = (
        await session.exec(
            select(func.count(col(ShipmentEvent.id))).where(col(ShipmentEvent.created_at) > day)
        )
    ).one()
    undelivered = (
        await session.exec(
            select(func.count(col(Notification.id))).where(
                col(Notification.status).in_([OutboxStatus.FAILED, OutboxStatus.SKIPPED]),
                col(Notification.created_at) > day,
                col(Notification.last_error) != "no longer applies",
            )
        )
    ).one()
    formed = sum(counts.get(status, 0) for status in FORMED)
    values = {
        "orders": orders, "revenue": int(revenue or 0), "buyers": buyers, "formed": formed,
        "failed": counts.get(GroupStatus.FAILED, 0), "moved": moved, "undelivered": undelivered,
    }  # fmt: skip
    return [int(values[name]) for name in ADMIN_STATS]


@writes
async def preview(
    session: AsyncSession, *, user: User, now: datetime, admin_ids: frozenset[int]
) -> bool:
    """An admin's own digest of the last week, now (to see what people get); False when it
    would be empty. Their schedule does not change (a detached copy is built from)."""
    probe = User(**user.model_dump())
    probe.digest, probe.digest_due_at, probe.last_digest_at = rules.Frequency.WEEKLY, now, None
    notice = (await build(session, [probe], now=now, admin_ids=admin_ids)).get(user.id)
    if notice is None:
        return False
    key = f"digest-preview:{user.id}:{secrets.token_hex(6)}"
    items = [Outgoing(user.id, Kind.DIGEST, notice, key)]
    return await outbox.enqueue_many(session, items, now=now) > 0


# ── preferences ─────────────────────────────────────────────────────────────────────────


@writes
async def set_preferences(
    session: AsyncSession, *, user: User, now: datetime, frequency: str | None = None,
    hour: int | None = None, weekday: int | None = None, timezone: str | None = None,
    group_alerts: bool | None = None,
) -> User:  # fmt: skip
    """Change how (and whether) the user gets digests and group alerts; the next digest is
    rescheduled at once."""
    if frequency is not None:
        user.digest = rules.Frequency(frequency)
    if hour is not None:
        user.digest_hour = max(0, min(23, hour))
    if weekday is not None:
        user.digest_day = weekday % 7
    if timezone is not None:
        user.timezone = timezone
    if group_alerts is not None:
        user.group_alerts = group_alerts
    schedule(user, now)
    session.add(user)
    return user
