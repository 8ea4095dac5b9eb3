"""Regional agents: who covers which city, invite links, pickup points, and what an agent may do
with an order (mark it paid, handed over) — only in their own regions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import (
    Agent,
    AgentInvite,
    GroupOffer,
    GroupOrder,
    Notification,
    Order,
    OrderLine,
    OrderStatus,
    OutboxStatus,
    PickupPoint,
    Product,
    User,
)
from services import geo, outbox
from services.outbox import Outgoing
from services.text import fold
from services.tx import writes

INVITE_TTL = timedelta(days=7)


class AgentError(Exception):
    def __init__(self, code: str, **details: object) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


def same_city(a: str, b: str) -> bool:
    return fold(a) == fold(b)


async def find_user(session: AsyncSession, ref: str) -> User | None:
    """A user by numeric Telegram id or @username (of someone who has talked to the bot)."""
    ref = ref.strip()
    if ref.isdecimal() and len(ref) < 16:  # Telegram's user ids fit in 52 bits
        return await session.get(User, int(ref))
    if ref.startswith("@") and 1 < len(ref) <= 65:
        name = ref[1:].lower()
        users = (await session.exec(select(User).where(col(User.username).is_not(None)))).all()
        return next((u for u in users if (u.username or "").lower() == name), None)
    return None


@writes
async def add_agent(
    session: AsyncSession, *, user_id: int, country: str, city: str, created_by: int | None
) -> tuple[Agent, bool]:
    """Make the user the agent of a city (idempotent). Returns (agent, created)."""
    city = geo.canonical_city(country, city)
    for agent in await agents_of_user(session, user_id):
        if agent.country == country and same_city(agent.city, city):
            return agent, False
    agent = Agent(user_id=user_id, country=country, city=city, created_by=created_by)
    session.add(agent)
    await session.commit()
    return agent, True


@writes
async def remove_agent(session: AsyncSession, *, user_id: int, country: str, city: str) -> bool:
    removed = False
    for agent in await agents_of_user(session, user_id):
        if agent.country == country and same_city(agent.city, city):
            points = (
                await session.exec(select(PickupPoint).where(PickupPoint.agent_id == agent.id))
            ).all()
            for point in points:  # the agent's pickup points close with them
                await session.exec(
                    update(User)
                    .where(col(User.pickup_point_id) == point.id)
                    .values(pickup_point_id=None)
                )
                await session.delete(point)
            await session.flush()
            await session.delete(agent)
            removed = True
    await session.commit()
    return removed


async def agents_of_user(session: AsyncSession, user_id: int) -> list[Agent]:
    return list((await session.exec(select(Agent).where(Agent.user_id == user_id))).all())


async def all_agents(session: AsyncSession) -> list[tuple[Agent, User | None]]:
    rows = (
        await session.exec(
            select(Agent).order_by(col(Agent.country), col(Agent.city), col(Agent.id))
        )
    ).all()
    people = await users_by_id(session, [agent.user_id for agent in rows])
    return [(agent, people.get(agent.user_id)) for agent in rows]


async def users_by_id(session: AsyncSession, user_ids: list[int]) -> dict[int, User]:
    if not user_ids:
        return {}
    found = await session.exec(select(User).where(col(User.id).in_(set(user_ids))))
    return {user.id: user for user in found.all()}


async def points_by_agent(session: AsyncSession) -> dict[int, list[PickupPoint]]:
    """Every active pickup point, by the agent who runs it."""
    found: dict[int, list[PickupPoint]] = {}
    rows = await session.exec(
        select(PickupPoint)
        .where(col(PickupPoint.is_active).is_(True))
        .order_by(col(PickupPoint.id))
    )
    for point in rows.all():
        found.setdefault(point.agent_id, []).append(point)
    return found


async def agents_for(session: AsyncSession, *, country: str, city: str) -> list[Agent]:
    rows = (await session.exec(select(Agent).where(Agent.country == country))).all()
    return [agent for agent in rows if same_city(agent.city, city)]


async def covers(session: AsyncSession, *, user_id: int, group: GroupOrder) -> bool:
    return any(
        agent.country == group.country and same_city(agent.city, group.city)
        for agent in await agents_of_user(session, user_id)
    )


# ── invites ─────────────────────────────────────────────────────────────────────────────


@writes
async def create_invite(
    session: AsyncSession, *, country: str, city: str, created_by: int | None, now: datetime,
    ttl: timedelta = INVITE_TTL,
) -> AgentInvite:  # fmt: skip
    invite = AgentInvite(
        token=secrets.token_urlsafe(18),
        country=country,
        city=geo.canonical_city(country, city),
        created_by=created_by,
        expires_at=now + ttl,
    )
    session.add(invite)
    await session.commit()
    return invite


@writes
async def redeem_invite(session: AsyncSession, *, token: str, user_id: int, now: datetime) -> Agent:
    """One-time: the first user to open an unexpired link becomes the agent of its city."""
    invite = (await session.exec(select(AgentInvite).where(AgentInvite.token == token))).first()
    if invite is None:
        raise AgentError("invite_unknown")
    if invite.used_by is not None:
        raise AgentError("invite_used")
    if invite.expires_at <= now:
        raise AgentError("invite_expired")
    result = await session.exec(
        update(AgentInvite)
        .where(col(AgentInvite.id) == invite.id, col(AgentInvite.used_by).is_(None))
        .values(used_by=user_id, used_at=now)
    )
    if result.rowcount != 1:
        await session.rollback()
        raise AgentError("invite_used")
    await session.commit()
    agent, _created = await add_agent(
        session,
        user_id=user_id,
        country=invite.country,
        city=invite.city,
        created_by=invite.created_by,
    )
    return agent


# ── pickup points ───────────────────────────────────────────────────────────────────────


@writes
async def add_pickup_point(
    session: AsyncSession, *, agent: Agent, name: str, address: str, hours: str
) -> PickupPoint:
    point = PickupPoint(
        agent_id=agent.id or 0, country=agent.country, city=agent.city,
        name=name[:128], address=address[:256], hours=hours[:128],
    )  # fmt: skip
    session.add(point)
    await session.commit()
    return point


async def pickup_points(
    session: AsyncSession, *, country: str | None, city: str | None
) -> list[PickupPoint]:
    if not country or not city:
        return []
    rows = (
        await session.exec(
            select(PickupPoint)
            .where(PickupPoint.country == country, col(PickupPoint.is_active).is_(True))
            .order_by(col(PickupPoint.id))
        )
    ).all()
    return [p for p in rows if same_city(p.city, city)]


# ── acting on orders ────────────────────────────────────────────────────────────────────


@dataclass
class OrderContext:
    order: Order
    group: GroupOrder


async def order_for_agent(
    session: AsyncSession, *, order_id: int, agent_user_id: int
) -> OrderContext:
    """The order, if it exists and lies in one of this agent's regions."""
    order = await session.get(Order, order_id, populate_existing=True)
    if order is None:
        raise AgentError("order_unknown")
    group = await session.get(GroupOrder, order.group_id)
    assert group is not None
    if not await covers(session, user_id=agent_user_id, group=group):
        raise AgentError("not_your_region")
    return OrderContext(order, group)


@writes
async def mark_paid(
    session: AsyncSession, *, order_id: int, agent_user_id: int, now: datetime
) -> Order:
    """The agent received the buyer's payment. Allowed for a placed order (prepayment) or a
    confirmed one (which becomes paid); the buyer is told."""
    ctx = await order_for_agent(session, order_id=order_id, agent_user_id=agent_user_id)
    if ctx.order.paid_at is not None:
        raise AgentError("already_paid")
    if ctx.order.status not in (OrderStatus.PLACED, OrderStatus.CONFIRMED):
        raise AgentError("bad_transition", status=ctx.order.status)
    values: dict[str, object] = {"paid_at": now, "paid_by": agent_user_id, "updated_at": now}
    if ctx.order.status == OrderStatus.CONFIRMED:
        values["status"] = OrderStatus.PAID
    result = await session.exec(
        update(Order)
        .where(
            col(Order.id) == order_id,
            col(Order.paid_at).is_(None),
            col(Order.status) == ctx.order.status,
        )
        .values(**values)
    )
    if result.rowcount != 1:
        await session.rollback()
        raise AgentError("already_paid")
    await outbox.enqueue(
        session, user_id=ctx.order.user_id, kind="order_paid", payload={"order_id": order_id, "group_id": ctx.group.id}, now=now,
    )  # fmt: skip
    await session.commit()
    return await session.get(Order, order_id, populate_existing=True)  # type: ignore[return-value]


HANDOVER_FROM = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.READY_FOR_PICKUP)


@writes
async def mark_handed(
    session: AsyncSession, *, order_id: int, agent_user_id: int, now: datetime
) -> Order:
    """The buyer collected the order: paid (or shipped / ready) → delivered; the buyer is told."""
    ctx = await order_for_agent(session, order_id=order_id, agent_user_id=agent_user_id)
    if ctx.order.status == OrderStatus.DELIVERED:
        raise AgentError("already_handed")
    if ctx.order.status not in HANDOVER_FROM:
        raise AgentError("bad_transition", status=ctx.order.status)
    result = await session.exec(
        update(Order)
        .where(col(Order.id) == order_id, col(Order.status) == ctx.order.status)
        .values(status=OrderStatus.DELIVERED, handed_at=now, updated_at=now)
    )
    if result.rowcount != 1:
        await session.rollback()
        raise AgentError("already_handed")
    await outbox.enqueue(
        session, user_id=ctx.order.user_id, kind="order_handed", payload={"order_id": order_id, "group_id": ctx.group.id}, now=now,
    )  # fmt: skip
    await session.commit()
    return await session.get(Order, order_id, populate_existing=True)  # type: ignore[return-value]


def merged_event(pending: str, new: str) -> str | None:
    """What one alert about an order says when a newer change comes before the older alert was
    sent (None: nothing left to say: the agent never saw an order that is gone again)."""
    if pending == "placed":
        return None if new == "cancelled" else "placed"
    if pending == "cancelled" and new == "placed":
        return "changed"  # they saw it before it was cancelled; it is back, changed
    return new


async def alert_agents(
    session: AsyncSession, *, group: GroupOrder, order: Order, event: str, now: datetime
) -> int:
    """Queue an alert to every agent of the group's city (in the caller's transaction). An alert
    about the same order still waiting to be sent is updated instead (the agent gets one message
    showing the latest state, not one per tap)."""
    agents = await agents_for(session, country=group.country, city=group.city)
    recipients = sorted({a.user_id for a in agents})
    if not recipients:
        return 0
    keys = {user_id: f"agent_order:{order.id}:{user_id}" for user_id in recipients}
    waiting = (
        await session.exec(
            select(Notification).where(
                col(Notification.coalesce_key).in_(list(keys.values())),
                col(Notification.status) == OutboxStatus.PENDING,
                col(Notification.claimed_by).is_(None),
            )
        )
    ).all()
    pending = {row.coalesce_key: row for row in waiting}
    fresh = []
    for user_id in recipients:
        row = pending.get(keys[user_id])
        if row is None:
            payload = {"order_id": order.id, "group_id": group.id, "event": event}
            fresh.append(Outgoing(user_id, "agent_order", payload, coalesce_key=keys[user_id]))
            continue
        merged = merged_event(str(row.payload.get("event", "")), event)
        if merged is None:
            row.status = OutboxStatus.SKIPPED
            row.last_error = "coalesced: the order was cancelled before the alert went out"
        else:
            row.payload = {**row.payload, "event": merged}
        session.add(row)
    await outbox.enqueue_many(session, fresh, now=now)
    return len(recipients)


@dataclass
class PickEntry:
    """One buyer's order in a pick list, with where they collect it."""

    order: Order
    buyer: User | None
    pickup_point: PickupPoint | None
    lines: list[tuple[OrderLine, GroupOffer, Product]]


async def pick_list(session: AsyncSession, *, group_id: int) -> list[PickEntry]:
    """The group's orders that are not cancelled, with buyers, pickup points and lines: four
    queries however many orders there are."""
    from services.groups import lines_of

    orders = (
        await session.exec(
            select(Order)
            .where(Order.group_id == group_id, col(Order.status) != OrderStatus.CANCELLED)
            .order_by(col(Order.id))
        )
    ).all()
    buyers = await users_by_id(session, [order.user_id for order in orders])
    point_ids = {b.pickup_point_id for b in buyers.values() if b.pickup_point_id}
    points = {}
    if point_ids:
        found = await session.exec(select(PickupPoint).where(col(PickupPoint.id).in_(point_ids)))
        points = {point.id: point for point in found.all()}
    lines = await lines_of(session, [order.id or 0 for order in orders])
    entries = []
    for order in orders:
        buyer = buyers.get(order.user_id)
        point = points.get(buyer.pickup_point_id) if buyer and buyer.pickup_point_id else None
        entries.append(PickEntry(order, buyer, point, lines[order.id or 0]))
    return entries
