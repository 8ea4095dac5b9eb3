"""Pure rules of group orders: tiers, amounts, progress. No database, no Telegram."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class TierError(ValueError):
    pass


def validate_tiers(thresholds: Sequence[int], prices: Sequence[Sequence[int]]) -> None:
    """Thresholds start at 0 and rise strictly; every product has one positive price per tier,
    and a higher tier never costs more."""
    if not thresholds or thresholds[0] != 0:
        raise TierError("the first tier must start at 0")
    if any(b <= a for a, b in zip(thresholds, thresholds[1:], strict=False)):
        raise TierError("tier thresholds must rise")
    for row in prices:
        if len(row) != len(thresholds):
            raise TierError("one price per tier")
        if any(p <= 0 for p in row):
            raise TierError("prices must be positive")
        if any(b > a for a, b in zip(row, row[1:], strict=False)):
            raise TierError("a higher tier may not cost more")


def tier_index(thresholds: Sequence[int], total: int) -> int:
    """The tier the whole group has reached: the last threshold not above the total."""
    index = 0
    for i, threshold in enumerate(thresholds):
        if total >= threshold:
            index = i
    return index


@dataclass(frozen=True)
class NextTier:
    index: int
    missing: int  # in the group's measure


def next_tier(thresholds: Sequence[int], total: int) -> NextTier | None:
    current = tier_index(thresholds, total)
    if current + 1 >= len(thresholds):
        return None
    return NextTier(index=current + 1, missing=thresholds[current + 1] - total)


def line_amount(unit_price: int, quantity: int) -> int:
    """Minor units; integers only."""
    return unit_price * quantity


def contribution(quantity: int, unit_weight_g: int, measure: str) -> int:
    """What a line adds to the group total: grams for weight groups, units otherwise."""
    return quantity * unit_weight_g if measure == "weight" else quantity


def progress_bar(total: int, minimum: int, width: int = 10) -> str:
    """`▓▓▓▓▓▓░░░░` — full once the minimum is reached."""
    if minimum <= 0:
        filled = width
    else:
        filled = min(width, total * width // minimum)
    return "▓" * filled + "░" * (width - filled)


def remaining_capacity(total: int, capacity: int | None) -> int | None:
    return None if capacity is None else max(0, capacity - total)
