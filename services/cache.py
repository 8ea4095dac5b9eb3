"""What nearly every update reads, kept in memory per process: the user's row, the catalogue
(categories, category pages, product cards' facts, exchange rates) and the open groups.

Correct with several workers because every copy carries the **version** it was read at, and
the versions live in the database (`cache_versions`, one number per family):

- a transaction that changes a family's tables adds one to its number when it commits (the
  session hooks below see every ORM flush and every INSERT/UPDATE/DELETE statement the
  services run, and bump the families they touched in sorted order, just before the commit:
  the row locks are held for the commit only, and always taken in one order);
- this process reads the numbers again right after any of its own sessions committed a change
  (so its own writes are seen by the very next update), and otherwise at most every
  `CHECK_SECONDS` (another worker's change shows within that);
- a copy read at an older number is dropped and read again.

A copy is read only after the numbers it is filed under: a change committed in between files new
rows under an old number, which the next check replaces — never old rows under a new one.
Writing to these tables outside the bot (by hand, in SQL) should add one to the family's
`version`; restarting the workers does as well."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import fields, is_dataclass
from typing import Any, TypeVar

from sqlalchemy import event, update
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, configure_mappers
from sqlalchemy.orm.session import make_transient_to_detached
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import CacheVersion, User

T = TypeVar("T")

CHECK_SECONDS = 1.0
FAMILIES: dict[str, str] = {
    "categories": "catalog",
    "products": "catalog",
    "exchange_rates": "catalog",
    "group_orders": "groups",
    "group_offers": "offers",
    "pickup_points": "groups",
    "agents": "groups",
    "users": "users",
}
TOUCHED_KEY = "cache_touched"
_monotonic = time.monotonic  # tests move it on instead of waiting


class Versions:
    """The families' numbers as this process last read them."""

    def __init__(self) -> None:
        self.known: dict[str, int] = {}
        self.checked_at = float("-inf")
        self.stale = True
        self._reading: asyncio.Future[None] | None = None

    async def current(self, session: AsyncSession) -> dict[str, int]:
        """The numbers, read again if this process changed something since, or if they are
        older than CHECK_SECONDS (one small statement; none most of the time). Updates that
        ask while they are being read wait for that read: none goes on with the old ones."""
        if self._reading is not None:
            await asyncio.shield(self._reading)
        if self.stale or _monotonic() - self.checked_at >= CHECK_SECONDS:
            self.stale = False  # before reading: a commit meanwhile makes them stale again
            self._reading = reading = asyncio.get_running_loop().create_future()
            try:
                rows = await session.exec(select(col(CacheVersion.name), col(CacheVersion.version)))
                self.known = {name: version for name, version in rows.all()}
                self.checked_at = _monotonic()
            except BaseException:
                self.stale = True
                raise
            finally:
                self._reading = None
                reading.set_result(None)
        return self.known

    def forget(self) -> None:
        """Read the numbers again at the next update (after this process wrote)."""
        self.stale = True


versions = Versions()


class Cache:
    """Values by key, each filed under the numbers of its families it was read at."""

    def __init__(self, *families: str, size: int = 10_000) -> None:
        self.families = families
        self.size = size
        self.entries: dict[Hashable, tuple[tuple[int, ...], Any]] = {}

    async def get(
        self, session: AsyncSession, key: Hashable, load: Callable[[], Awaitable[T]]
    ) -> T:
        known = await versions.current(session)
        version = tuple(known.get(family, -1) for family in self.families)
        found = self.entries.get(key)
        if found is not None and found[0] == version:
            return found[1]
        value = await _detached(session, load)
        if len(self.entries) >= self.size:
            self.entries.clear()  # simple and bounded: the hot keys come back at once
        self.entries[key] = (version, value)
        return value

    def clear(self) -> None:
        self.entries.clear()


async def _detached(session: AsyncSession, load: Callable[[], Awaitable[T]]) -> T:
    """What `load` returns, with its rows taken out of the session: shared between updates,
    they must not be expired by this session's rollback (a refused use-case later in the
    update) nor refreshed through it. That is every row the load read, and every row the value
    holds (one the session had already read is the same object)."""
    sync = session.sync_session
    before = set(sync.identity_map.keys())
    value = await load()
    rows = [sync.identity_map.get(key) for key in sync.identity_map.keys() if key not in before]
    for row in [*rows, *_rows_in(value)]:
        if row is not None and row in sync:
            sync.expunge(row)
    return value


def _rows_in(value: Any, depth: int = 0) -> list[Any]:
    """The ORM rows in a cached value: itself, or in its lists, tuples, dicts and dataclasses."""
    if depth > 4 or value is None or isinstance(value, str | int | float | bytes):
        return []
    if hasattr(value, "_sa_instance_state"):
        return [value]
    if isinstance(value, dict):
        return [row for item in value.values() for row in _rows_in(item, depth + 1)]
    if isinstance(value, list | tuple | set | frozenset):
        return [row for item in value for row in _rows_in(item, depth + 1)]
    if is_dataclass(value) and not isinstance(value, type):
        return [row for f in fields(value) for row in _rows_in(getattr(value, f.name), depth + 1)]
    return []


_caches: list[Cache] = []


def cache(*families: str, size: int = 10_000) -> Cache:
    """A cache of values read from these families' tables."""
    made = Cache(*families, size=size)
    _caches.append(made)
    return made


def reset() -> None:
    """Forget every copy (a test's fresh database, a bench's)."""
    for each in _caches:
        each.clear()
    versions.__init__()  # type: ignore[misc]


# ------------------------------------------------------------------------------- the user's row

_users = cache("users", size=100_000)
_USER_COLUMNS = tuple(column.key for column in User.__table__.columns)  # type: ignore[attr-defined]


def detached_user(values: dict[str, Any]) -> User:
    """A User as a fresh read returns it, detached: a handler may change it (and `users.save`
    writes what changed) without touching the cached copy."""
    configure_mappers()  # once: a no-op afterwards
    user: User = User._sa_class_manager.new_instance()  # type: ignore[attr-defined]
    user.__dict__.update(values)  # as a load fills it: committed values, no history
    make_transient_to_detached(user)
    return user


async def user_row(
    session: AsyncSession, user_id: int, load: Callable[[], Awaitable[User | None]]
) -> User | None:
    """The user's row from the cache (as a fresh detached copy), else from `load`."""

    async def values() -> dict[str, Any] | None:
        user = await load()
        return None if user is None else {key: getattr(user, key) for key in _USER_COLUMNS}

    found = await _users.get(session, user_id, values)
    return None if found is None else detached_user(found)


# ----------------------------------------------------------------------------- the session hooks


def _touch(session: Session, table: str) -> None:
    family = FAMILIES.get(table)
    if family is not None:
        session.info.setdefault(TOUCHED_KEY, set()).add(family)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table:
            _touch(session, table)


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        name = getattr(table, "name", None)
        if name:
            _touch(state.session, name)


@event.listens_for(Session, "before_commit")
def _bump(session: Session) -> None:
    session.flush()  # what the commit would flush next: its tables count too
    touched = session.info.get(TOUCHED_KEY)
    if not touched:
        return
    session.info[TOUCHED_KEY] = set()  # the bump itself touches nothing cached
    for family in sorted(touched):  # one order everywhere: no two commits wait on each other
        session.execute(
            update(CacheVersion)
            .where(col(CacheVersion.name) == family)
            .values(version=col(CacheVersion.version) + 1)
        )
    session.info["cache_bumped"] = True


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop("cache_bumped", False):
        versions.forget()


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(TOUCHED_KEY, None)
        session.info.pop("cache_bumped", None)
