"""Moments as people read them, in their time zone and the locale's own order and words (a
module of its own: the group card, the money views and the shipments all use it)."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_skeleton, format_time, get_timezone

from domain import geo
from models import User


def deadline_text(deadline: datetime, user: User, locale: str) -> str:
    """`Sat, Dec 12, 12:00` in the user's time zone and the locale's own order and words."""
    loc = geo.babel_locale(locale)
    zone = get_timezone(user.timezone or "UTC")
    day = format_skeleton("MMMEd", deadline, tzinfo=zone, locale=loc)
    hour = format_time(deadline, "short", tzinfo=zone, locale=loc)
    pattern = str(loc.datetime_formats.get("short", "{1} {0}"))
    return pattern.replace("{1}", day).replace("{0}", hour)
