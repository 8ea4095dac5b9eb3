"""Pickup points as the buyers of a city see them: the open points of some cities in one query,
and where a buyer collects a group's order (`domain.pickup.collect_point`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.pickup import collect_point
from domain.text import same_city
from models import GroupOrder, PickupPoint, User


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
