"""When digests are due: each person's chosen frequency, day and hour, in their own time zone.
Pure rules, no I/O.

A person's next digest is stored as a UTC moment (`User.digest_due_at`), so the scheduler's
slot finds everyone due with one indexed range query, whatever their zone; after a digest (sent,
or empty and skipped) the next one is computed from the moment it was due, so a restart or a
missed slot neither loses nor doubles one."""

from __future__ import annotations

import math
from datetime import datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_HOUR = 9
HOURS = tuple(range(6, 23))  # the hours offered as buttons (any 0-23 is valid)
SOON = timedelta(hours=72)  # open groups closing within this are in the digest
NEARBY_KM = 50.0


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"


@lru_cache(maxsize=1024)  # ZoneInfo keeps only 8 zones strongly; a batch spans dozens
def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def next_due(
    after: datetime, *, timezone: str | None, frequency: str, hour: int = DEFAULT_HOUR,
    weekday: int = 0,
) -> datetime | None:  # fmt: skip
    """The first moment strictly after `after` when the person's local clock shows `hour`:00
    (on `weekday`, 0 = Monday, for a weekly digest); None when digests are off."""
    if frequency not in (Frequency.DAILY, Frequency.WEEKLY):
        return None
    tz = zone(timezone)
    local = after.astimezone(tz)
    day = local.date()
    for offset in range(0, 9):
        candidate_day = day + timedelta(days=offset)
        if frequency == Frequency.WEEKLY and candidate_day.weekday() != weekday % 7:
            continue
        candidate = datetime.combine(candidate_day, time(hour % 24), tzinfo=tz)
        # a local time that does not exist (a DST gap) normalises forward through UTC
        moment = candidate.astimezone(ZoneInfo("UTC"))
        if moment > after:
            return moment
    raise AssertionError("a day of every week comes within 9 days")


def period_key(due: datetime, timezone: str | None) -> str:
    """Which digest this is (the local date it is for): part of its outbox de-duplication key."""
    return due.astimezone(zone(timezone)).date().isoformat()


MAX_WINDOW = timedelta(days=7)  # a digest never reaches back further than a week
LATE = timedelta(hours=3)  # a digest this late (the bot was down, the user came back) waits
FRESH_GRACE = timedelta(minutes=30)  # a person scheduled this soon after their hour gets today's


def since(last: datetime | None, due: datetime, frequency: str) -> datetime:
    """What a digest covers: everything after the moment the last one covered (sent, or empty),
    at most a week back; a first digest covers one period (a day, or a week)."""
    if last is not None:
        return max(last, due - MAX_WINDOW)
    return due - timedelta(days=7 if frequency == Frequency.WEEKLY else 1)


def is_late(due: datetime, now: datetime) -> bool:
    """Too late for this morning's digest: it comes the next morning instead, covering both."""
    return now - due > LATE


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))
