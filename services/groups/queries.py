"""Reading group orders: open groups, offers, a buyer's order and its lines, order counts, the
next deadline. No writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain import geo
from domain.balance import Balance
from domain.errors import GroupError
from domain.groups import is_joinable
from domain.orders import Line, OrderView
from domain.text import fold
from models import (
    GroupOffer,
    GroupOrder,
    GroupStatus,
    GroupWatch,
    Order,
    OrderStatus,
    PickupPoint,
    Product,
    User,
)
from services.cache import cache
from services.groups.lines import lines_of
from services.pickup import buyer_point, city_points

ACTIVE_ORDER = (OrderStatus.PLACED,)

__all__ = ["is_joinable"]

_groups = cache("groups", "offers")
_offers = cache("offers", "catalog")


async def get_group(session: AsyncSession, group_id: int) -> GroupOrder:
    group = await session.get(GroupOrder, group_id, populate_existing=True)
    if group is None:
        raise GroupError("not_found")
    return group


async def open_groups(
    session: AsyncSession, *, country: str | None, city: str | None, now: datetime
) -> list[GroupOrder]:
    """Open groups for the buyer's city (case- and accent-insensitive), soonest deadline first."""
    if not country:
        return []
    wanted = fold(city or "")

    async def load() -> list[GroupOrder]:
        statement = (
            select(GroupOrder)
            .where(col(GroupOrder.status) == GroupStatus.OPEN, col(GroupOrder.country) == country)
            .order_by(col(GroupOrder.deadline))
        )
        return [g for g in (await session.exec(statement)).all() if fold(g.city) == wanted]

    # cached (services.cache) whatever the time: the deadline is checked against `now` here
    groups = await _groups.get(session, ("open", country, wanted), load)
    return [g for g in groups if g.deadline > now]


async def nearby_open_groups(
    session: AsyncSession, *, country: str | None, city: str | None, now: datetime
) -> list[GroupOrder]:
    """Open groups of the cities within 50 km of the buyer's (none for a city whose place is
    not known), nearest city first."""
    if not country or not city:
        return []
    near = geo.nearby_cities(country, city)
    if not near:
        return []
    rows = (
        await session.exec(
            select(GroupOrder)
            .where(
                col(GroupOrder.status) == GroupStatus.OPEN,
                col(GroupOrder.deadline) > now,
                col(GroupOrder.country) == country,
            )
            .order_by(col(GroupOrder.deadline))
        )
    ).all()
    rank = {fold(name): i for i, name in enumerate(near)}
    found = [g for g in rows if fold(g.city) in rank]
    return sorted(found, key=lambda g: rank[fold(g.city)])


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


async def offers_shown(session: AsyncSession, group_id: int) -> list[tuple[GroupOffer, Product]]:
    """`offers` for the buyers' screens, cached (services.cache): shared, not to be changed."""
    return await _offers.get(session, ("offers", group_id), lambda: offers(session, group_id))


async def groups_offering(
    session: AsyncSession, *, product_id: int, country: str | None, city: str | None, now: datetime
) -> list[tuple[GroupOrder, GroupOffer]]:
    """Open groups of the buyer's city that offer this product (for the product card)."""
    groups = await open_groups(session, country=country, city=city, now=now)
    if not groups:
        return []
    ids = tuple(g.id or 0 for g in groups)

    async def load() -> dict[int, GroupOffer]:
        statement = select(GroupOffer).where(
            col(GroupOffer.group_id).in_(ids), GroupOffer.product_id == product_id
        )
        return {o.group_id: o for o in (await session.exec(statement)).all()}

    by_group = await _groups.get(session, ("offers", product_id, ids), load)
    return [(g, by_group[g.id]) for g in groups if g.id in by_group]


async def order_of(session: AsyncSession, *, group_id: int, user_id: int) -> OrderView | None:
    order = (
        await session.exec(
            select(Order).where(Order.group_id == group_id, Order.user_id == user_id)
        )
    ).first()
    if order is None:
        return None
    return OrderView(order, await _lines(session, order.id or 0))


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


async def get_watch(session: AsyncSession, *, group_id: int, user_id: int) -> GroupWatch | None:
    return (
        await session.exec(
            select(GroupWatch).where(GroupWatch.group_id == group_id, GroupWatch.user_id == user_id)
        )
    ).first()


async def participants(session: AsyncSession, group_id: int) -> list[Order]:
    statement = select(Order).where(Order.group_id == group_id, col(Order.status).in_(ACTIVE_ORDER))
    return list((await session.exec(statement)).all())


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
class GroupScreen:
    """What a buyer's view of a group shows: the group, its offers, their own order, whether
    they asked for (or muted) the reminder, and the rate of their currency."""

    group: GroupOrder
    offers: list[tuple[GroupOffer, Product]]
    mine: OrderView | None
    watch: GroupWatch | None
    rate: int | None
    point: PickupPoint | None = None  # where this buyer would collect (domain.pickup)
    balance: Balance | None = None  # of their order, if they have one
    people: dict[int, User] = field(default_factory=dict)  # who recorded its payments


async def group_screen(
    session: AsyncSession, *, group_id: int, user: User, group: GroupOrder | None = None
) -> GroupScreen:
    """`group`: the row in hand when the caller just changed it (a join's), not read again."""
    from services.catalog import get_rate
    from services.groups.balances import balances, recorders

    if group is None or group.id != group_id:
        group = await get_group(session, group_id)
    points = await city_points(session, [(group.country, group.city)])
    mine = await order_of(session, group_id=group_id, user_id=user.id)
    money = {}
    if mine is not None:
        money = await balances(
            session, [mine.order], groups={group_id: group},
            lines={mine.order.id or 0: mine.lines}, buyers={user.id: user},
        )  # fmt: skip
    return GroupScreen(
        group=group,
        offers=await offers_shown(session, group_id),
        mine=mine,
        watch=await get_watch(session, group_id=group_id, user_id=user.id),
        rate=await get_rate(session, user.currency),
        point=buyer_point(user, group, points),
        balance=money.get(mine.order.id or 0) if mine is not None else None,
        people=await recorders(session, list(money.values())),
    )


@dataclass
class PickerScreen:
    """What the ± picker of one product shows: the group, the offer and its product, the rate of
    the buyer's currency, and how many of it the buyer's order holds now."""

    group: GroupOrder
    offer: GroupOffer
    product: Product
    rate: int | None
    have: int


async def picker_screen(
    session: AsyncSession, *, group_id: int, offer_id: int, user: User
) -> PickerScreen | None:
    """None if the group or its offer does not exist."""
    from services.catalog import get_rate

    try:
        group = await get_group(session, group_id)
    except GroupError:
        return None
    shown = await offers_shown(session, group_id)
    pair = next(((o, p) for o, p in shown if o.id == offer_id), None)
    if pair is None:
        return None
    offer, product = pair
    rate = await get_rate(session, user.currency)
    mine = await order_of(session, group_id=group_id, user_id=user.id)
    have = 0
    if mine and mine.order.status == "placed":
        have = next((line.quantity for line, o, _p in mine.lines if o.id == offer.id), 0)
    return PickerScreen(group=group, offer=offer, product=product, rate=rate, have=have)


@dataclass
class OrdersScreen:
    """A buyer's orders with their groups (newest first) and the rate of their currency."""

    orders: list[tuple[OrderView, GroupOrder]]
    rate: int | None
    balances: dict[int, Balance] = field(default_factory=dict)  # by order id
    people: dict[int, User] = field(default_factory=dict)  # who recorded their payments
    points: dict[int, PickupPoint | None] = field(default_factory=dict)  # by order id


async def orders_screen(session: AsyncSession, user: User) -> OrdersScreen:
    from services.catalog import get_rate
    from services.groups.balances import balances, recorders

    rows = await orders_of_user(session, user.id)
    rate = await get_rate(session, user.currency) if rows else None
    money = await balances(
        session, [view.order for view, _group in rows],
        groups={group.id or 0: group for _view, group in rows},
        lines={view.order.id or 0: view.lines for view, _group in rows}, buyers={user.id: user},
    )  # fmt: skip
    places = sorted({(group.country, group.city) for _view, group in rows})
    found = await city_points(session, places) if rows else []
    points = {view.order.id or 0: buyer_point(user, group, found) for view, group in rows}
    return OrdersScreen(
        orders=rows, rate=rate, balances=money,
        people=await recorders(session, list(money.values())), points=points,
    )  # fmt: skip


@dataclass
class ProductScreen:
    """A product card: the product, the open groups of the buyer's city that offer it, and the
    rate of the buyer's currency."""

    product: Product
    groups: list[tuple[GroupOrder, GroupOffer]]
    rate: int | None


async def product_screen(
    session: AsyncSession, *, product_id: int, user: User, now: datetime
) -> ProductScreen:
    """Raises catalog.NotFound for a product that is not (or no longer) on sale."""
    from services.catalog import get_rate, product_on_sale

    product = await product_on_sale(session, product_id)
    found = await groups_offering(
        session, product_id=product.id or 0, country=user.country, city=user.city, now=now
    )
    return ProductScreen(product=product, groups=found, rate=await get_rate(session, user.currency))


async def groups_by_id(session: AsyncSession, group_ids: Sequence[int]) -> dict[int, GroupOrder]:
    """Many groups in one query."""
    if not group_ids:
        return {}
    found = await session.exec(select(GroupOrder).where(col(GroupOrder.id).in_(set(group_ids))))
    return {group.id or 0: group for group in found.all()}


async def orders_by_id(session: AsyncSession, order_ids: Sequence[int]) -> dict[int, Order]:
    """Many orders in one query."""
    if not order_ids:
        return {}
    found = await session.exec(select(Order).where(col(Order.id).in_(set(order_ids))))
    return {order.id or 0: order for order in found.all()}


async def active_orders_of(
    session: AsyncSession, group_ids: Sequence[int]
) -> dict[int, list[Order]]:
    """The orders of many groups that are not cancelled, in one query, by group, oldest first."""
    found: dict[int, list[Order]] = {group_id: [] for group_id in group_ids}
    if not group_ids:
        return found
    statement = (
        select(Order)
        .where(col(Order.group_id).in_(set(group_ids)), col(Order.status) != OrderStatus.CANCELLED)
        .order_by(col(Order.id))
    )
    for order in (await session.exec(statement)).all():
        found.setdefault(order.group_id, []).append(order)
    return found
