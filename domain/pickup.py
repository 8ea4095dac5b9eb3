"""Where a buyer collects an order: one rule for the group card, the pick list, the agent's
cards, the "ready for pickup" notice and /track."""

from __future__ import annotations

from collections.abc import Sequence

from domain.text import same_city
from models import PickupPoint


def collect_point(
    *, chosen: int | None, group_point: int | None, city_points: Sequence[PickupPoint],
    country: str, city: str,
) -> PickupPoint | None:  # fmt: skip
    """The buyer's own choice if it is an open pickup point of the group's city, else the
    group's pickup point, else the city's only one; None: the city has several and the group
    names none (the buyer has not chosen yet), or it has none (delivery)."""
    here = [
        point for point in city_points
        if point.is_active and point.country == country and same_city(point.city, city)
    ]  # fmt: skip
    by_id = {point.id: point for point in here}
    for wanted in (chosen, group_point):
        if wanted is not None and wanted in by_id:
            return by_id[wanted]
    return here[0] if len(here) == 1 else None
