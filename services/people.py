"""People: admins appointed in the bot (ADMIN_IDS stay admins whatever the database says),
looking a user up with their orders, and suspending users (/block).

Every change is audited in its own transaction and, where the person should hear of it, a
notification worded in their language is queued with it (`Kind.TEXT`): the change and the
message commit together or not at all."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.errors import DomainError
from domain.notices import Kind, Text
from domain.orders import OrderView
from models import Agent, AuditEntry, GroupOrder, Order, User
from services import audit, outbox
from services.agents import agents_of_user, users_by_id
from services.catalog import get_rate
from services.groups.queries import lines_of
from services.tx import writes

# Telegram user ids have at most 52 significant bits; anything larger is not a user (and
# 2**63 would not even fit the database's BIGINT).
MAX_USER_ID = 2**52
MAX_USERNAME = 32  # Telegram usernames are 5-32 characters
ORDERS_PAGE = 5

ROLE_FIELDS = ("is_admin",)
BAN_FIELDS = ("is_banned",)


class PeopleError(DomainError):
    """A refused change to someone's role or access. Codes: unknown_user, permanent_admin,
    already_admin, not_admin, last_admin, banned_admin, admin_block, already_blocked,
    not_blocked."""


def parse_user_id(text: str) -> int | None:
    """A Telegram user id typed by an admin: ASCII digits only, 1 … 2**52."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 16:
        return None
    value = int(text)
    return value if 0 < value <= MAX_USER_ID else None


async def find_person(session: AsyncSession, ref: str) -> User | None:
    """Someone who has started the bot, by numeric id or @username (case-insensitive; one
    look-up by id, or one query by name — never the whole table read into memory).

    The row comes back detached from the session, like the update's own user: a use-case that
    refuses and rolls back can't expire it, so the handler can still name the person."""
    ref = ref.strip()
    user_id = parse_user_id(ref)
    user = None
    if user_id is not None:
        user = await session.get(User, user_id, populate_existing=True)
    elif ref.startswith("@") and 1 < len(ref) <= MAX_USERNAME + 1:
        name = ref[1:].lower()
        found = await session.exec(
            select(User).where(func.lower(col(User.username)) == name).order_by(col(User.id))
        )
        user = found.first()
    if user is not None:
        session.expunge(user)
    return user


async def get_person(session: AsyncSession, user_id: int) -> User | None:
    """A user by id, detached (see `find_person`)."""
    user = await session.get(User, user_id, populate_existing=True)
    if user is not None:
        session.expunge(user)
    return user


# ── admins ──────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class AdminEntry:
    """One admin: their row (None for an ADMIN_IDS id that never started the bot), whether
    they are permanent (ADMIN_IDS), and when and by whom they were appointed in the bot."""

    user_id: int
    user: User | None
    permanent: bool
    since: datetime | None = None
    by: User | None = None
    by_id: int | None = None


async def admins(session: AsyncSession, *, permanent: Collection[int]) -> list[AdminEntry]:
    """Every admin, the permanent ones first, then by appointment: four queries in all."""
    appointed = (await session.exec(select(User).where(col(User.is_admin).is_(True)))).all()
    ids = {user.id for user in appointed} | set(permanent)
    people = await users_by_id(session, sorted(ids))
    appointments: dict[str, AuditEntry] = {}
    if ids:
        rows = await session.exec(
            select(AuditEntry)
            .where(
                AuditEntry.action == "admin.add",
                AuditEntry.object_type == "user",
                col(AuditEntry.object_id).in_([str(i) for i in ids]),
            )
            .order_by(col(AuditEntry.id))
        )
        appointments = {entry.object_id: entry for entry in rows.all()}  # the latest wins
    appointers = await users_by_id(session, [e.admin_id for e in appointments.values()])
    entries = []
    for user_id in ids:
        user = people.get(user_id)
        is_permanent = user_id in permanent
        if not is_permanent and (user is None or not user.is_admin):
            continue
        entry = appointments.get(str(user_id))
        entries.append(
            AdminEntry(
                user_id=user_id,
                user=user,
                permanent=is_permanent,
                since=entry.at if entry and not is_permanent else None,
                by=appointers.get(entry.admin_id) if entry and not is_permanent else None,
                by_id=entry.admin_id if entry and not is_permanent else None,
            )
        )
    entries.sort(key=lambda e: (not e.permanent, e.since.timestamp() if e.since else 0, e.user_id))
    return entries


async def _locked(session: AsyncSession, user_id: int) -> User:
    """The user's row, fresh and (on PostgreSQL) locked for the rest of the transaction."""
    user = await session.get(User, user_id, populate_existing=True, with_for_update=True)
    if user is None:
        raise PeopleError("unknown_user")
    return user


async def _tell(session: AsyncSession, user_id: int, notice: str | None, now: datetime) -> None:
    """Queue a message already worded in the recipient's language, in this transaction."""
    if notice:
        item = outbox.Outgoing(user_id=user_id, kind=Kind.TEXT, payload=Text(notice))
        await outbox.enqueue_many(session, [item], now=now)


@writes
async def add_admin(
    session: AsyncSession, *, user_id: int, by: int, permanent: Collection[int], now: datetime,
    notice: str | None = None,
) -> User:  # fmt: skip
    """Appoint an admin in the database (audited; `notice`, already worded in their language,
    is queued to them in the same transaction)."""
    user = await _locked(session, user_id)
    if user_id in permanent:
        raise PeopleError("permanent_admin")
    if user.is_admin:
        raise PeopleError("already_admin")
    if user.is_banned:
        raise PeopleError("banned_admin")
    before = audit.snapshot(user, ROLE_FIELDS)
    user.is_admin = True
    session.add(user)
    audit.record(
        session, admin_id=by, action="admin.add", object_type="user", object_id=user_id,
        before=before, after=audit.snapshot(user, ROLE_FIELDS), at=now,
    )  # fmt: skip
    await _tell(session, user_id, notice, now)
    return user


@writes
async def remove_admin(
    session: AsyncSession, *, user_id: int, by: int, permanent: Collection[int], now: datetime,
    notice: str | None = None,
) -> User:  # fmt: skip
    """Take an appointed admin's role away. ADMIN_IDS can't be removed; nor can the last
    appointed admin when there are no ADMIN_IDS (nobody could appoint one again)."""
    user = await _locked(session, user_id)
    if user_id in permanent:
        raise PeopleError("permanent_admin")
    if not user.is_admin:
        raise PeopleError("not_admin")
    if not permanent:
        # every admin row locked: two admins removing each other at once can't both succeed
        others = (
            await session.exec(
                select(User.id)
                .where(col(User.is_admin).is_(True), col(User.id) != user_id)
                .with_for_update()
            )
        ).all()
        if not others:
            raise PeopleError("last_admin")
    before = audit.snapshot(user, ROLE_FIELDS)
    user.is_admin = False
    session.add(user)
    audit.record(
        session, admin_id=by, action="admin.remove", object_type="user", object_id=user_id,
        before=before, after=audit.snapshot(user, ROLE_FIELDS), at=now,
    )  # fmt: skip
    await _tell(session, user_id, notice, now)
    return user


# ── suspending users ────────────────────────────────────────────────────────────────────


@writes
async def block(
    session: AsyncSession, *, user_id: int, by: int, permanent: Collection[int], now: datetime
) -> User:
    """Suspend a user: from now on the bot answers them nothing but that, and sends them
    nothing. Their orders stay as they are (an agent can still hand over what they paid for).
    Admins can't be suspended: remove the role first."""
    user = await _locked(session, user_id)
    if user_id in permanent or user.is_admin:
        raise PeopleError("admin_block")
    if user.is_banned:
        raise PeopleError("already_blocked")
    before = audit.snapshot(user, BAN_FIELDS)
    user.is_banned = True
    session.add(user)
    audit.record(
        session, admin_id=by, action="user.block", object_type="user", object_id=user_id,
        before=before, after=audit.snapshot(user, BAN_FIELDS), at=now,
    )  # fmt: skip
    return user


@writes
async def unblock(
    session: AsyncSession, *, user_id: int, by: int, now: datetime, notice: str | None = None
) -> User:
    user = await _locked(session, user_id)
    if not user.is_banned:
        raise PeopleError("not_blocked")
    before = audit.snapshot(user, BAN_FIELDS)
    user.is_banned = False
    session.add(user)
    audit.record(
        session, admin_id=by, action="user.unblock", object_type="user", object_id=user_id,
        before=before, after=audit.snapshot(user, BAN_FIELDS), at=now,
    )  # fmt: skip
    await _tell(session, user_id, notice, now)
    return user


# ── /user ───────────────────────────────────────────────────────────────────────────────


@dataclass
class Profile:
    """What /user shows: the person, the regions they are agent of, one page of their orders
    (newest first) with groups and lines, and the current rate of their currency (for the
    amount of an order not confirmed yet)."""

    user: User
    regions: list[Agent]
    orders: list[tuple[OrderView, GroupOrder]]
    total_orders: int
    page: int
    pages: int
    rate: int | None


async def profile(session: AsyncSession, *, user_id: int, page: int = 0) -> Profile | None:
    """Six queries whatever the page; a page past the last shows the last."""
    user = await session.get(User, user_id, populate_existing=True)
    if user is None:
        return None
    total = (
        await session.exec(select(func.count()).select_from(Order).where(Order.user_id == user_id))
    ).one()
    pages = max(1, -(-total // ORDERS_PAGE))
    page = min(max(page, 0), pages - 1)
    rows = (
        await session.exec(
            select(Order, GroupOrder)
            .join(GroupOrder, col(GroupOrder.id) == Order.group_id)
            .where(Order.user_id == user_id)
            .order_by(col(Order.id).desc())
            .offset(page * ORDERS_PAGE)
            .limit(ORDERS_PAGE)
        )
    ).all()
    lines = await lines_of(session, [order.id or 0 for order, _group in rows])
    return Profile(
        user=user,
        regions=await agents_of_user(session, user_id),
        orders=[(OrderView(order, lines[order.id or 0]), group) for order, group in rows],
        total_orders=total,
        page=page,
        pages=pages,
        rate=await get_rate(session, user.currency) if rows else None,
    )


# ── the audit log ───────────────────────────────────────────────────────────────────────


@dataclass
class AuditPage:
    """A page of the audit log, newest first; `more`: there are older entries; `people`: the
    admins who acted and the users acted on, by id."""

    entries: list[AuditEntry]
    more: bool
    people: dict[int, User]


async def audit_page(
    session: AsyncSession, where: audit.AuditFilter, *, before_id: int | None = None
) -> AuditPage:
    """Two queries: the entries (one more than a page, to know whether there are older ones)
    and the people they name."""
    rows = await audit.latest(session, where, before_id=before_id, limit=audit.PAGE + 1)
    more = len(rows) > audit.PAGE
    rows = rows[: audit.PAGE]
    ids = {entry.admin_id for entry in rows}
    for entry in rows:
        object_user = parse_user_id(entry.object_id) if entry.object_type == "user" else None
        if object_user is not None:
            ids.add(object_user)
    return AuditPage(rows, more, await users_by_id(session, sorted(ids)))


async def audit_entry(session: AsyncSession, entry_id: int) -> AuditEntry | None:
    return await session.get(AuditEntry, entry_id)
