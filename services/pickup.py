"""Pickup points as the buyers of a city see them: the open points of some cities in one query,
and where a buyer collects a group's order (`domain.pickup.collect_point`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.pickup import collect_point
from domain.text import same_city
from models import GroupOrder, Order, PickupPoint, User


def buyer_point(
    buyer: User | None, group: GroupOrder, points: Sequence[PickupPoint]
) -> PickupPoint | None:
    """Where this buyer collects their order of the group (`domain.pickup.collect_point`)."""
    return collect_point(
        chosen=buyer.pickup_point_id if buyer else None, group_point=group.pickup_point_id,
        city_points=points, country=group.country, city=group.city,
    )  # fmt: skip


async def city_points(
    session: AsyncSession, places: Sequence[tuple[str, str]]
) -> list[PickupPoint]:
    """The open pickup points of these cities, in one query."""
    countries = {country for country, _city in places}
    if not countries:
        return []
    rows = (
        await session.exec(
            select(PickupPoint)
            .where(col(PickupPoint.country).in_(countries), col(PickupPoint.is_active).is_(True))
            .order_by(col(PickupPoint.id))
        )
    ).all()
    return [
        p for p in rows
        if any(p.country == c and same_city(p.city, city) for c, city in places)
    ]  # fmt: skip


@dataclass
class Collection:
    """Some of a buyer's orders and where they collect them (None: not known yet)."""

    point: PickupPoint | None
    agent: User | None  # who runs the point
    orders: list[Order]


def collections(
    on_board: Sequence[tuple[Order, GroupOrder]], *, chosen: int | None,
    points: Sequence[PickupPoint], runners: dict[int, User],
) -> list[Collection]:  # fmt: skip
    """A buyer's orders grouped by the pickup point of each (a buyer in two groups with
    different points collects each order at its own)."""
    found: dict[int | None, Collection] = {}
    for order, group in on_board:
        point = collect_point(
            chosen=chosen, group_point=group.pickup_point_id, city_points=points,
            country=group.country, city=group.city,
        )  # fmt: skip
        key = point.id if point is not None else None
        if key not in found:
            agent = runners.get(point.agent_id) if point is not None else None
            found[key] = Collection(point, agent, [])
        found[key].orders.append(order)
    return list(found.values())
