"""Broadcasts: an admin's message to a segment of users, sent through the outbox.

- **Segments** (`Segment`): everyone, one language, one country, one city, buyers with an open
  order, or agents. Nobody who blocked the bot (`User.is_blocked`) or was suspended by an admin
  (`User.is_banned`) is a recipient. "Everyone" is everyone who started the bot, onboarded or
  not: a message is always readable (in their Telegram language until they choose one), and an
  announcement is a fair reason to come back and finish setting up. "A language" is the language
  a user chose (everyone past the first step of onboarding has chosen one).
- **Sending** (`create`): one transaction creates the `Broadcast`, queues one outbox row per
  recipient (`broadcast:{id}:{user}`, one INSERT executed for all of them; the recipients' ids
  are read by one query) and writes the audit entry. The confirmation's token is kept on the
  broadcast (`segment["confirm"]`), so a second tap of the same "Yes" sends nothing more, even
  when both taps are handled at once.
- **Progress** (`take_step`): the outbox rows of a broadcast are counted by status in one
  grouped query over its key range (the unique index on `dedup_key`); one worker at a time
  claims the next edit of the admin's progress message (not more often than `every`), and the
  final report once nothing is pending.
- **Stopping** (`stop`): the broadcast is marked stopped, and its rows still waiting (not under
  a sender's current claim) are skipped by one UPDATE; the rows a sender claimed already render
  to nothing (`notifications.registry`), apart from those it had rendered and queued for the
  chat before the stop, which are on their way.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import case, col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.locales import LOCALES, user_locale
from domain.errors import DomainError
from domain.notices import BroadcastNotice, Kind
from models import (
    Agent,
    Broadcast,
    BroadcastStatus,
    GroupOrder,
    GroupStatus,
    Notification,
    Order,
    OrderStatus,
    OutboxStatus,
    User,
)
from services import audit, outbox
from services.tx import writes

TEXT_LIMIT = 4096  # characters of a message, after its entities are parsed (Telegram)
CAPTION_LIMIT = 1024  # of a photo's caption
MAX_OPTIONS = 100  # languages, countries or cities offered as buttons (the largest first)
STOPPED = "stopped"  # last_error of the rows a stop skipped
# what the sender records for a row that rendered to nothing (here: stopped while it was claimed)
NO_LONGER_APPLIES = "no longer applies"
STOP_REASONS = (STOPPED, NO_LONGER_APPLIES)
DOUBLE_TAP_WINDOW = timedelta(hours=1)  # longer than a confirmation lives


class BroadcastError(DomainError):
    """A refused broadcast action: `nobody` (no recipient), `empty`, `too_long` (limit, over),
    `not_found`, `not_sending` (status), `already_sent`, `bad_segment`."""


class SegmentKind(StrEnum):
    ALL = "all"
    LANGUAGE = "lang"
    COUNTRY = "country"
    CITY = "city"
    BUYERS = "buyers"  # with an order that is still open (not cancelled nor delivered)
    AGENTS = "agents"


CHOSEN_FROM_LIST = frozenset({SegmentKind.LANGUAGE, SegmentKind.COUNTRY, SegmentKind.CITY})
# an order still under way: neither it nor its group ended
ENDED_ORDERS = (OrderStatus.CANCELLED, OrderStatus.DELIVERED)
ENDED_GROUPS = (GroupStatus.FAILED, GroupStatus.CANCELLED, GroupStatus.DELIVERED)


def plain_text(html_text: str) -> str:
    """What the HTML of a message reads as (the audit log keeps words, not markup)."""
    return html.unescape(re.sub(r"<[^>]*>", "", html_text))


@dataclass(frozen=True)
class Segment:
    kind: SegmentKind
    value: str = ""  # the language, or the country (also of a city)
    city: str = ""

    def to_dict(self) -> dict[str, str]:
        data = {"kind": str(self.kind)}
        if self.value:
            data["value"] = self.value
        if self.city:
            data["city"] = self.city
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Segment:
        """A segment as stored (the dialog's state, a confirmation, a broadcast row), checked."""
        if not isinstance(data, dict):
            raise BroadcastError("bad_segment")
        try:
            kind = SegmentKind(str(data.get("kind", "")))
        except ValueError as error:
            raise BroadcastError("bad_segment") from error
        value, city = data.get("value", ""), data.get("city", "")
        if not isinstance(value, str) or not isinstance(city, str):
            raise BroadcastError("bad_segment")
        if kind == SegmentKind.LANGUAGE:
            ok = value in LOCALES and not city
        elif kind == SegmentKind.COUNTRY:
            ok = _is_country_code(value) and not city
        elif kind == SegmentKind.CITY:
            ok = _is_country_code(value) and 0 < len(city) <= 128
        else:
            ok = not value and not city
        if not ok:
            raise BroadcastError("bad_segment")
        return cls(kind, value, city)


def _is_country_code(value: str) -> bool:
    return len(value) == 2 and value.isascii() and value.isalpha() and value.isupper()


def _reachable() -> list[ColumnElement[bool]]:
    return [col(User.is_blocked).is_(False), col(User.is_banned).is_(False)]


def _open_order_holders():  # noqa: ANN202 - a subquery
    return (
        select(Order.user_id)
        .join(GroupOrder, col(GroupOrder.id) == col(Order.group_id))
        .where(
            col(Order.status).not_in(ENDED_ORDERS),
            col(GroupOrder.status).not_in(ENDED_GROUPS),
        )
    )


def _where(segment: Segment) -> list[ColumnElement[bool]]:
    conditions = _reachable()
    if segment.kind == SegmentKind.LANGUAGE:
        conditions.append(col(User.locale) == segment.value)
    elif segment.kind == SegmentKind.COUNTRY:
        conditions.append(col(User.country) == segment.value)
    elif segment.kind == SegmentKind.CITY:
        conditions += [col(User.country) == segment.value, col(User.city) == segment.city]
    elif segment.kind == SegmentKind.BUYERS:
        conditions.append(col(User.id).in_(_open_order_holders()))
    elif segment.kind == SegmentKind.AGENTS:
        conditions.append(col(User.id).in_(select(Agent.user_id)))
    return conditions


# ── choosing the segment ─────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Option:
    """A value of a language, country or city segment, with how many can receive it."""

    value: str
    city: str = ""
    count: int = 0

    def segment(self, kind: SegmentKind) -> Segment:
        return Segment(kind, self.value, self.city)


async def count(session: AsyncSession, segment: Segment) -> int:
    found = await session.exec(select(func.count()).select_from(User).where(*_where(segment)))
    return int(found.one() or 0)


async def menu_counts(session: AsyncSession) -> dict[SegmentKind, int]:
    """How many people the segments chosen at once reach (three counts)."""
    kinds = (SegmentKind.ALL, SegmentKind.BUYERS, SegmentKind.AGENTS)
    return {kind: await count(session, Segment(kind)) for kind in kinds}


async def options(session: AsyncSession, kind: SegmentKind) -> tuple[list[Option], int]:
    """The languages, countries or cities that recipients actually have, with their counts,
    the largest first: at most MAX_OPTIONS, and how many more there are."""
    given = [*_reachable()]
    found: list[Option] = []
    if kind in (SegmentKind.LANGUAGE, SegmentKind.COUNTRY):
        column = col(User.locale) if kind == SegmentKind.LANGUAGE else col(User.country)
        values = await session.exec(
            select(column, func.count()).where(*given, column.is_not(None)).group_by(column)
        )
        found = [Option(str(value), "", int(n)) for value, n in values.all()]
    elif kind == SegmentKind.CITY:
        country, city = col(User.country), col(User.city)
        places = await session.exec(
            select(country, city, func.count())
            .where(*given, country.is_not(None), city.is_not(None), city != "")
            .group_by(country, city)
        )
        found = [Option(str(c), str(town), int(n)) for c, town, n in places.all()]
    else:
        raise BroadcastError("bad_segment")
    rows = [
        option for option in found
        if (option.value in LOCALES if kind == SegmentKind.LANGUAGE
            else _is_country_code(option.value))
        and len(option.city) <= 128
    ]  # fmt: skip
    rows.sort(key=lambda o: (-o.count, o.value, o.city))
    return rows[:MAX_OPTIONS], max(0, len(rows) - MAX_OPTIONS)


@dataclass(frozen=True)
class Audience:
    total: int
    locales: list[tuple[str, int]]  # the language each reads it in, with how many, largest first


async def audience(session: AsyncSession, segment: Segment) -> Audience:
    """Who a segment reaches, by the language they will read it in (the same rule as every
    message: the language they chose, else their Telegram app's): one grouped query."""
    found = await session.exec(
        select(User.locale, User.language_code, func.count())
        .where(*_where(segment))
        .group_by(col(User.locale), col(User.language_code))
    )
    by_locale: dict[str, int] = {}
    for locale, language_code, n in found.all():
        reads = user_locale(locale, language_code)
        by_locale[reads] = by_locale.get(reads, 0) + int(n)
    ranked = sorted(by_locale.items(), key=lambda item: (-item[1], LOCALES.index(item[0])))
    return Audience(sum(by_locale.values()), ranked)


async def recipient_ids(session: AsyncSession, segment: Segment) -> list[int]:
    """Everyone the segment reaches, by id: one query, whatever their number."""
    found = await session.exec(select(User.id).where(*_where(segment)).order_by(col(User.id)))
    return [int(user_id) for user_id in found.all()]


# ── the message ──────────────────────────────────────────────────────────────────────────


def check_message(*, lengths: list[int], photo: bool, text: str) -> None:
    """The admin's message, as each recipient will get it (`lengths`: of the header and the
    text together, after the entities are parsed, one per language): not empty, and within
    Telegram's limits (4,096 characters of text, 1,024 of a caption)."""
    if not photo and not text.strip():
        raise BroadcastError("empty")
    limit = CAPTION_LIMIT if photo else TEXT_LIMIT
    longest = max(lengths, default=0)
    if longest > limit:
        raise BroadcastError("too_long", limit=limit, over=longest - limit, photo=photo)


# ── sending ──────────────────────────────────────────────────────────────────────────────


def key_range(broadcast_id: int) -> tuple[str, str]:
    """The dedup keys of a broadcast's rows lie in [low, high): `broadcast:7:` up to
    `broadcast:7;` (';' follows ':'), so `broadcast:71:…` is not among them."""
    return f"broadcast:{broadcast_id}:", f"broadcast:{broadcast_id};"


def dedup_key(broadcast_id: int, user_id: int) -> str:
    return f"broadcast:{broadcast_id}:{user_id}"


def _rows_of(broadcast_id: int) -> list[ColumnElement[bool]]:
    """The range reads the unique index on `dedup_key`; the prefix test beside it keeps the
    answer exact under a collation that orders punctuation its own way (PostgreSQL's locales)."""
    low, high = key_range(broadcast_id)
    key = col(Notification.dedup_key)
    return [key >= low, key < high, key.startswith(low, autoescape=True)]


@dataclass(frozen=True)
class Created:
    broadcast: Broadcast
    created: bool  # False: this confirmation had already sent it (a second tap)


@writes
async def create(
    session: AsyncSession, *, admin_id: int, segment: Segment, text: str, photo: str | None,
    token: str, progress_message_id: int | None, now: datetime,
) -> Created:  # fmt: skip
    """Send a broadcast (see the module's docstring); `token` is its confirmation's."""
    # one admin's confirmations are decided one at a time (PostgreSQL: the admin's row is
    # locked; SQLite has one writer anyway), so the same token cannot send twice
    await session.exec(select(User.id).where(col(User.id) == admin_id).with_for_update())
    recent = await session.exec(
        select(Broadcast).where(
            col(Broadcast.admin_id) == admin_id,
            col(Broadcast.created_at) >= now - DOUBLE_TAP_WINDOW,
        )
    )
    for earlier in recent.all():
        if (earlier.segment or {}).get("confirm") == token:
            return Created(earlier, False)
    ids = await recipient_ids(session, segment)
    if not ids:
        raise BroadcastError("nobody")
    broadcast = Broadcast(
        admin_id=admin_id, segment={**segment.to_dict(), "confirm": token}, text=text,
        photo=photo, status=BroadcastStatus.SENDING, total=len(ids),
        progress_message_id=progress_message_id, progress_at=now, created_at=now,
    )  # fmt: skip
    session.add(broadcast)
    await session.flush()
    broadcast_id = broadcast.id or 0
    notice = BroadcastNotice(broadcast_id)
    await outbox.enqueue_many(
        session,
        [outbox.Outgoing(uid, Kind.BROADCAST, notice, dedup_key(broadcast_id, uid)) for uid in ids],
        now=now,
    )
    audit.record(
        session, admin_id=admin_id, action="broadcast.send", object_type="broadcast",
        object_id=broadcast_id,
        after={"segment": segment.to_dict(), "total": len(ids), "photo": photo,
               "text": plain_text(text)},
        at=now,
    )  # fmt: skip
    return Created(broadcast, True)


# ── progress ─────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Counts:
    pending: int = 0
    sent: int = 0
    blocked: int = 0  # skipped: blocked the bot (or never started it)
    failed: int = 0
    stopped: int = 0  # skipped by a stop before they were sent

    @property
    def done(self) -> int:
        return self.sent + self.blocked + self.failed + self.stopped


def counts_query(broadcast_id: int):  # noqa: ANN201 - a SELECT
    """Its rows by status (and how many of the skipped ones a stop skipped), over its key
    range: the unique index on `dedup_key` finds them, however large the outbox."""
    stopped = func.sum(case((col(Notification.last_error).in_(STOP_REASONS), 1), else_=0))
    return (
        select(Notification.status, func.count(), stopped)
        .where(*_rows_of(broadcast_id))
        .group_by(col(Notification.status))
    )


async def counts(session: AsyncSession, broadcast_id: int) -> Counts:
    """The broadcast's rows by status: one grouped query."""
    found = await session.exec(counts_query(broadcast_id))
    by_status: dict[str, tuple[int, int]] = {
        status: (int(n), int(halted or 0)) for status, n, halted in found.all()
    }
    skipped, halted = by_status.get(OutboxStatus.SKIPPED, (0, 0))
    return Counts(
        pending=by_status.get(OutboxStatus.PENDING, (0, 0))[0],
        sent=by_status.get(OutboxStatus.SENT, (0, 0))[0],
        blocked=skipped - halted,
        failed=by_status.get(OutboxStatus.FAILED, (0, 0))[0],
        stopped=halted,
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Progress:
    """Where a broadcast stands, as the admin's progress message and final report show it."""

    broadcast_id: int
    status: str
    segment: Segment
    total: int
    counts: Counts
    started: datetime
    now: datetime
    final: bool = False

    @property
    def elapsed(self) -> timedelta:
        return max(timedelta(0), self.now - _aware(self.started))

    @property
    def eta(self) -> timedelta | None:
        """The time the rest takes at the rate observed so far (None before any was sent, or
        once it no longer sends)."""
        done, left = self.counts.done, self.counts.pending
        seconds = self.elapsed.total_seconds()
        if self.final or self.status != BroadcastStatus.SENDING or not done or not left:
            return None
        if seconds <= 0:
            return None
        return timedelta(seconds=round(left * seconds / done))


def segment_of(broadcast: Broadcast) -> Segment:
    """Whom a broadcast went to (its stored segment, without the confirmation's token)."""
    try:
        return Segment.from_dict(
            {k: v for k, v in (broadcast.segment or {}).items() if k != "confirm"}
        )
    except BroadcastError:
        return Segment(SegmentKind.ALL)


def progress_of(broadcast: Broadcast, found: Counts, now: datetime, *, final: bool) -> Progress:
    return Progress(
        broadcast_id=broadcast.id or 0, status=broadcast.status, segment=segment_of(broadcast),
        total=max(broadcast.total, found.done + found.pending), counts=found,
        started=broadcast.created_at, now=now, final=final,
    )  # fmt: skip


@dataclass(frozen=True)
class Step:
    """What one pass shows: the progress (final: the report too), whom to, in which message."""

    progress: Progress
    admin: User | None
    admin_id: int
    message_id: int | None
    shown_text: str  # what the progress message says now


async def unfinished(session: AsyncSession) -> list[int]:
    """Broadcasts whose final report is still to come (sending, or stopped with rows still
    being sent)."""
    found = await session.exec(
        select(Broadcast.id).where(col(Broadcast.finished_at).is_(None)).order_by(col(Broadcast.id))
    )
    return [int(i) for i in found.all() if i is not None]


@writes
async def take_step(
    session: AsyncSession, *, broadcast_id: int, now: datetime, every: timedelta
) -> Step | None:
    """Claim the next edit of a broadcast's progress message: None when it was edited less than
    `every` ago (by this worker or another), or is finished. Once nothing is pending it is
    finished here (done, unless it was stopped), once: that step carries the final report."""
    broadcast = (
        await session.exec(
            select(Broadcast)
            .where(col(Broadcast.id) == broadcast_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).first()
    if broadcast is None or broadcast.finished_at is not None:
        return None
    found = await counts(session, broadcast_id)
    final = found.pending == 0
    if not final:
        last = broadcast.progress_at
        if last is not None and now - _aware(last) < every:
            return None
    else:
        broadcast.finished_at = now
        if broadcast.status == BroadcastStatus.SENDING:
            broadcast.status = BroadcastStatus.DONE
    broadcast.progress_at = now
    session.add(broadcast)
    admin = await session.get(User, broadcast.admin_id)
    return Step(
        progress_of(broadcast, found, now, final=final), admin, broadcast.admin_id,
        broadcast.progress_message_id, broadcast.progress_text,
    )  # fmt: skip


@writes
async def save_progress(
    session: AsyncSession, *, broadcast_id: int, text: str, message_id: int | None
) -> None:
    """What the progress message now says, and which message it is (a new one when the old
    one could not be edited)."""
    await session.exec(
        update(Broadcast)
        .where(col(Broadcast.id) == broadcast_id)
        .values(progress_text=text, progress_message_id=message_id)
    )


@writes
async def reopen(session: AsyncSession, *, broadcast_id: int) -> None:
    """The final report could not be sent: the next pass tries again."""
    await session.exec(
        update(Broadcast).where(col(Broadcast.id) == broadcast_id).values(finished_at=None)
    )


# ── stopping ─────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Stopped:
    broadcast: Broadcast
    skipped: int  # rows that will never be sent


@writes
async def stop(
    session: AsyncSession, *, broadcast_id: int, admin_id: int, now: datetime
) -> Stopped:
    """Stop a broadcast midway: what was not sent yet never will be."""
    broadcast = (
        await session.exec(
            select(Broadcast)
            .where(col(Broadcast.id) == broadcast_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).first()
    if broadcast is None:
        raise BroadcastError("not_found")
    if broadcast.status != BroadcastStatus.SENDING:
        raise BroadcastError("not_sending", status=broadcast.status)
    if (await counts(session, broadcast_id)).pending == 0:
        raise BroadcastError("already_sent")
    before = audit.snapshot(broadcast, ("status", "total"))
    broadcast.status = BroadcastStatus.STOPPED
    session.add(broadcast)
    result = await session.exec(
        update(Notification)
        .where(
            *_rows_of(broadcast_id),
            col(Notification.status) == OutboxStatus.PENDING,
            or_(col(Notification.claimed_until).is_(None), col(Notification.claimed_until) < now),
        )
        .values(status=OutboxStatus.SKIPPED, last_error=STOPPED)
    )
    skipped = int(getattr(result, "rowcount", 0) or 0)
    audit.record(
        session, admin_id=admin_id, action="broadcast.stop", object_type="broadcast",
        object_id=broadcast_id, before=before,
        after={"status": BroadcastStatus.STOPPED, "skipped": skipped}, at=now,
    )  # fmt: skip
    return Stopped(broadcast, skipped)


# ── the list ─────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Listed:
    broadcast: Broadcast
    segment: Segment
    counts: Counts


async def latest(session: AsyncSession, *, limit: int = 10) -> list[Listed]:
    """/broadcasts: the newest first, each with its rows counted (one query each: `limit` of
    them at most)."""
    found = await session.exec(select(Broadcast).order_by(col(Broadcast.id).desc()).limit(limit))
    return [
        Listed(broadcast, segment_of(broadcast), await counts(session, broadcast.id or 0))
        for broadcast in found.all()
    ]
