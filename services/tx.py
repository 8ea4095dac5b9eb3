"""Write transactions that hold up under bursts on SQLite.

SQLite has one writer at a time. A write that starts as a deferred transaction and upgrades to a
write later queues in SQLite's busy handler, which polls and is not fair: under a burst of a few
hundred updates some writers time out with "database is locked". So every write path starts with
`begin_write(session)`, which on SQLite

- ends the session's read-only transaction (there is nothing to keep in it),
- queues on an in-process lock per database, first come first served, so the writers of this
  process never wait in the busy handler behind each other,
- opens the write transaction with `BEGIN IMMEDIATE`, so the write lock is held from the start
  (no upgrade can fail half-way), and retries a bounded number of times if another process holds
  it past the busy timeout.

The lock is released when the transaction ends (commit, rollback or close). On PostgreSQL this is
a no-op: the conditional UPDATEs take row locks, and writers do not block each other otherwise.
Write transactions are meant to be short: commit before talking to Telegram."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, SessionTransaction
from sqlmodel.ext.asyncio.session import AsyncSession

log = logging.getLogger(__name__)

LOCK_KEY = "sqlite_write_lock"
ATTEMPTS = 4
BACKOFF_SECONDS = 0.05

P = ParamSpec("P")
T = TypeVar("T")

_sleep = asyncio.sleep  # tests step through the backoff without waiting
_locks: WeakKeyDictionary[Engine, asyncio.Lock] = WeakKeyDictionary()


def _engine(session: AsyncSession) -> Engine | None:
    bind: Any = session.sync_session.get_bind()
    engine = getattr(bind, "engine", bind)
    return engine if isinstance(engine, Engine) else None


def is_locked_error(error: BaseException) -> bool:
    return isinstance(error, OperationalError) and "database is locked" in str(error.orig)


async def begin_write(session: AsyncSession) -> None:
    """Start the session's write transaction (see the module's docstring). Idempotent: a session
    already in its write transaction keeps it. A session working for an update claims the
    update's id in it (`services.updates.claim_in`): a redelivery writes nothing twice."""
    from services.updates import claim_in

    engine = _engine(session)
    if engine is not None and engine.dialect.name == "sqlite":
        await _begin_sqlite(session, engine)
    await claim_in(session)


async def _begin_sqlite(session: AsyncSession, engine: Engine) -> None:
    if LOCK_KEY in session.sync_session.info:
        return  # already writing
    if session.in_transaction():
        await session.commit()  # a read-only prelude: ends the snapshot, writes nothing new
    lock = _locks.setdefault(engine, asyncio.Lock())
    await lock.acquire()
    info = session.sync_session.info
    info[LOCK_KEY] = lock
    try:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                await session.exec(text("BEGIN IMMEDIATE"))  # type: ignore[call-overload]
                return
            except OperationalError as error:
                if not is_locked_error(error) or attempt == ATTEMPTS:
                    raise
                log.warning("database locked by another process; retry %s of %s", attempt, ATTEMPTS)
                # keep our place in the in-process queue: roll back without releasing the lock
                del info[LOCK_KEY]
                await session.rollback()
                info[LOCK_KEY] = lock
                await _sleep(BACKOFF_SECONDS * 2**attempt)
    except BaseException:
        # failed or cancelled (also while backing off, when no transaction is open whose end
        # would release it): the lock must not outlive this attempt
        await session.rollback()
        if info.pop(LOCK_KEY, None) is lock:
            lock.release()
        raise


@event.listens_for(Session, "after_transaction_end")
def _release_write_lock(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None and LOCK_KEY in session.info:
        session.info.pop(LOCK_KEY).release()


async def claim_update(session: AsyncSession) -> None:
    """For an update whose effect is outside the database (an invoice sent to Telegram): take
    its id now, in a short write transaction of its own, so that a second delivery of it, on any
    worker, is dropped (`services.updates.AlreadyHandled`) before it acts. Updates that write
    are claimed by their first write anyway."""
    await begin_write(session)
    await session.commit()


def writes(use_case: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """A use-case that writes: its session (the first argument) starts the write transaction
    first; anything it raises rolls the transaction back (a refusal leaves nothing behind), and
    what it returns is committed. Either way no lock is held while the handler tells the user."""

    @functools.wraps(use_case)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        session = args[0] if args else kwargs["session"]
        assert isinstance(session, AsyncSession)
        await begin_write(session)
        try:
            result = await use_case(*args, **kwargs)
        except BaseException:
            await session.rollback()
            raise
        if session.in_transaction():
            await session.commit()  # what the use-case left pending, and the write lock, go now
        return result

    return wrapper
