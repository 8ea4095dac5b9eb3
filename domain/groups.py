"""Rules of a group order that need no database."""

from __future__ import annotations

from datetime import datetime

from models import GroupOrder, GroupStatus

MAX_QUANTITY = 999  # product units in one line


def forms(total: int, min_total: int) -> bool:
    """Whether a group with this total forms at its deadline (else it fails)."""
    return total >= min_total


def is_joinable(group: GroupOrder, now: datetime) -> bool:
    return group.status == GroupStatus.OPEN and group.deadline > now
