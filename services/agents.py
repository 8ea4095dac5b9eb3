"""Regional agents: who covers which city, invite links, pickup points, and what an agent may do
with an order (mark it paid, handed over) — only in their own regions."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain import events as ev
from domain import geo
from domain.balance import Balance
from domain.errors import AgentError
from domain.text import same_city
from models import (
    Agent,
    AgentInvite,
    GroupOffer,
    GroupOrder,
    Order,
    OrderLine,
    OrderStatus,
    PickupPoint,
    Product,
    Shipment,
    User,
)
from services import audit, notify
from services.catalog import list_rates
from services.groups.queries import (
    OrderStats,
    groups_by_id,
    lines_of,
    order_stats,
    orders_by_id,
)
from services.pickup import buyer_point, city_points
from services.tx import writes

__all__ = ["AgentError", "same_city"]

INVITE_TTL = timedelta(days=7)


async def find_user(session: AsyncSession, ref: str) -> User | None:
    """A user by numeric Telegram id or @username (of someone who has talked to the bot)."""
    ref = ref.strip()
    if ref.isdecimal() and len(ref) < 16:  # Telegram's user ids fit in 52 bits
        return await session.get(User, int(ref))
    if ref.startswith("@") and 1 < len(ref) <= 65:
        name = ref[1:].lower()  # one query, case-insensitive: never every user read in memory
        found = await session.exec(
            select(User).where(func.lower(col(User.username)) == name).order_by(col(User.id))
        )
        return found.first()
    return None


async def _add_agent(
    session: AsyncSession, *, user_id: int, country: str, city: str, created_by: int | None
) -> tuple[Agent, bool]:
    """Make the user the agent of a city (idempotent). Returns (agent, created)."""
    city = geo.canonical_city(country, city)
    for agent in await agents_of_user(session, user_id):
        if agent.country == country and same_city(agent.city, city):
            return agent, False
    agent = Agent(user_id=user_id, country=country, city=city, created_by=created_by)
    session.add(agent)
    await session.flush()
    return agent, True


@dataclass(frozen=True)
class PickupSpec:
    name: str
    address: str
    hours: str = ""


@dataclass
class Appointment:
    agent: Agent
    created: bool
    point: PickupPoint | None


@writes
async def appoint(
    session: AsyncSession, *, user_id: int, country: str, city: str, created_by: int | None,
    pickup: PickupSpec | None = None,
) -> Appointment:  # fmt: skip
    """/agent_add: make the user the agent of a city (idempotent) and, if given, open their
    pickup point there, in one transaction: both happen or neither does."""
    agent, created = await _add_agent(
        session, user_id=user_id, country=country, city=city, created_by=created_by
    )
    point = None
    if pickup is not None:
        point = await _add_pickup_point(
            session, agent=agent, name=pickup.name, address=pickup.address, hours=pickup.hours
        )
    if created_by is not None and (created or point is not None):
        after = {"user_id": user_id, "country": country, "city": agent.city}
        if point is not None:
            after["pickup_point"] = f"{point.name}, {point.address}"
        audit.record(
            session, admin_id=created_by, action="agent.add", object_type="agent",
            object_id=agent.id, after=after,
        )  # fmt: skip
    return Appointment(agent, created, point)


@writes
async def remove_agent(
    session: AsyncSession, *, user_id: int, country: str, city: str,
    admin_id: int | None = None,
) -> bool:  # fmt: skip
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
            if admin_id is not None:
                audit.record(
                    session, admin_id=admin_id, action="agent.remove", object_type="agent",
                    object_id=agent.id,
                    before={"user_id": user_id, "country": agent.country, "city": agent.city},
                )  # fmt: skip
            await session.delete(agent)
            removed = True
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


async def covers(session: AsyncSession, *, user_id: int, group: GroupOrder) -> bool:
    return covers_group(await agents_of_user(session, user_id), group)


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
    if created_by is not None:
        audit.record(
            session, admin_id=created_by, action="agent.invite", object_type="agent",
            after={"country": country, "city": invite.city, "expires_at": invite.expires_at},
            at=now,
        )  # fmt: skip
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
    agent, _created = await _add_agent(  # one transaction: the link is used only if it worked
        session,
        user_id=user_id,
        country=invite.country,
        city=invite.city,
        created_by=invite.created_by,
    )
    return agent


# ── pickup points ───────────────────────────────────────────────────────────────────────


async def _add_pickup_point(
    session: AsyncSession, *, agent: Agent, name: str, address: str, hours: str
) -> PickupPoint:
    point = PickupPoint(
        agent_id=agent.id or 0, country=agent.country, city=agent.city,
        name=name[:128], address=address[:256], hours=hours[:128],
    )  # fmt: skip
    session.add(point)
    await session.flush()
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
    handed = ev.OrderHanded(ctx.group.id or 0, order_id, ctx.order.user_id)
    await notify.publish(session, [handed, ev.OrdersChanged((order_id,))], now=now)
    return await session.get(Order, order_id, populate_existing=True)  # type: ignore[return-value]


@dataclass
class PickEntry:
    """One buyer's order in a pick list, with where they collect it."""

    order: Order
    buyer: User | None
    pickup_point: PickupPoint | None
    lines: list[tuple[OrderLine, GroupOffer, Product]]


async def pick_list(session: AsyncSession, *, group_id: int) -> list[PickEntry]:
    """The group's orders that are not cancelled, with buyers, the pickup point each collects
    from and lines: five queries however many orders there are."""
    orders = (
        await session.exec(
            select(Order)
            .where(Order.group_id == group_id, col(Order.status) != OrderStatus.CANCELLED)
            .order_by(col(Order.id))
        )
    ).all()
    group = await session.get(GroupOrder, group_id)
    buyers = await users_by_id(session, [order.user_id for order in orders])
    points = await city_points(session, [(group.country, group.city)]) if group else []
    lines = await lines_of(session, [order.id or 0 for order in orders])
    entries = []
    for order in orders:
        buyer = buyers.get(order.user_id)
        point = buyer_point(buyer, group, points) if group is not None else None
        entries.append(PickEntry(order, buyer, point, lines[order.id or 0]))
    return entries


@dataclass
class PickList:
    """A group and its pick list."""

    group: GroupOrder
    entries: list[PickEntry]


async def agent_pick_list(session: AsyncSession, *, user_id: int, group_id: int) -> PickList | None:
    """The pick list of a group in the agent's regions; None if there is no such group or it is
    not theirs."""
    group = await session.get(GroupOrder, group_id)
    if group is None or not await covers(session, user_id=user_id, group=group):
        return None
    return PickList(group, await pick_list(session, group_id=group_id))


@dataclass
class OrderCard:
    """What an agent's view of an order shows: the order, its group and lines, the buyer, where
    they collect it, and the rate of the buyer's currency (for an amount not fixed yet)."""

    order: Order
    group: GroupOrder
    lines: list[tuple[OrderLine, GroupOffer, Product]]
    buyer: User | None
    point: PickupPoint | None
    rate: int | None
    balance: Balance | None = None


async def order_cards(session: AsyncSession, order_ids: list[int]) -> dict[int, OrderCard]:
    """The cards of many orders, in six queries however many there are."""
    if not order_ids:
        return {}
    orders = list((await orders_by_id(session, order_ids)).values())
    groups = await groups_by_id(session, sorted({order.group_id for order in orders}))
    buyers = await users_by_id(session, [order.user_id for order in orders])
    points = await city_points(session, sorted({(g.country, g.city) for g in groups.values()}))
    lines = await lines_of(session, [order.id or 0 for order in orders])
    rates = {rate.currency: rate.per_cny_micro for rate in await list_rates(session)}
    from services.groups.balances import balances

    money = await balances(session, orders, groups=groups, lines=lines, buyers=buyers)
    cards = {}
    for order in orders:
        group = groups.get(order.group_id)
        if group is None:
            continue
        buyer = buyers.get(order.user_id)
        point = buyer_point(buyer, group, points)
        rate = rates.get(buyer.currency) if buyer and buyer.currency else None
        cards[order.id or 0] = OrderCard(
            order, group, lines[order.id or 0], buyer, point, rate, money.get(order.id or 0)
        )
    return cards


async def regions_of(session: AsyncSession, user_ids: list[int]) -> dict[int, list[Agent]]:
    """The regions of many agents, in one query."""
    found: dict[int, list[Agent]] = {user_id: [] for user_id in user_ids}
    if user_ids:
        rows = await session.exec(select(Agent).where(col(Agent.user_id).in_(set(user_ids))))
        for agent in rows.all():
            found.setdefault(agent.user_id, []).append(agent)
    return found


async def city_has_agent(session: AsyncSession, *, country: str, city: str) -> bool:
    """Whether someone is the agent for this city (buyers there are told their agent will
    contact them)."""
    rows = await session.exec(select(Agent).where(Agent.country == country))
    return any(same_city(agent.city, city) for agent in rows.all())


def covers_group(regions: list[Agent], group: GroupOrder) -> bool:
    return any(
        agent.country == group.country and same_city(agent.city, group.city) for agent in regions
    )


async def groups_in_region(session: AsyncSession, region: Agent) -> list[GroupOrder]:
    """The region's group orders that are open, formed, shipped or delivered (the last 15
    delivered), soonest deadline first."""
    rows = (
        await session.exec(
            select(GroupOrder)
            .where(
                GroupOrder.country == region.country,
                col(GroupOrder.status).in_(["open", "formed", "shipped", "delivered"]),
            )
            .order_by(col(GroupOrder.deadline))
        )
    ).all()
    mine = [group for group in rows if same_city(group.city, region.city)]
    delivered = [group for group in mine if group.status == "delivered"][-15:]
    return [group for group in mine if group.status != "delivered" or group in delivered]


@dataclass
class RegionGroups:
    """One of an agent's regions: its groups, their order counts, and the shipment of each
    group that travels (with its last status)."""

    region: Agent
    groups: list[GroupOrder]
    stats: dict[int, OrderStats]
    shipments: dict[int, Shipment] = field(default_factory=dict)


async def region_groups(session: AsyncSession, regions: list[Agent]) -> list[RegionGroups]:
    found = []
    for region in regions:
        mine = await groups_in_region(session, region)
        stats = await order_stats(session, [group.id or 0 for group in mine])
        shipment_ids = {group.shipment_id for group in mine if group.shipment_id}
        shipped = {}
        if shipment_ids:
            rows = await session.exec(select(Shipment).where(col(Shipment.id).in_(shipment_ids)))
            shipped = {shipment.id or 0: shipment for shipment in rows.all()}
        found.append(RegionGroups(region, mine, stats, shipped))
    return found


async def point_agents(session: AsyncSession, points: Sequence[PickupPoint]) -> dict[int, User]:
    """The user running each pickup point, by agent id, in one query."""
    agent_ids = {point.agent_id for point in points}
    if not agent_ids:
        return {}
    rows = await session.exec(
        select(Agent, User)
        .join(User, col(User.id) == Agent.user_id)
        .where(col(Agent.id).in_(agent_ids))
    )
    return {agent.id or 0: user for agent, user in rows.all()}
