"""Notifications are rows first: written in the transaction of the change that causes them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.notices import Kind, Payload, decode, encode
from models import Notification, OutboxStatus


@dataclass(frozen=True)
class Outgoing:
    """A notification to queue: its kind and typed payload, for one user."""

    user_id: int
    kind: Kind
    payload: Payload
    dedup_key: str | None = None
    coalesce_key: str | None = None


CHUNK = 1000  # keys looked up at once (PostgreSQL takes at most 32,767 parameters a query)


async def _fresh(session: AsyncSession, items: Sequence[Outgoing]) -> list[Outgoing]:
    """The items whose dedup key was not queued before (nor earlier in `items`): the keys are
    looked up a thousand at a time, so the queries do not grow with the recipients."""
    keys = [item.dedup_key for item in items if item.dedup_key is not None]
    seen: set[str | None] = set()
    for start in range(0, len(keys), CHUNK):
        found = await session.exec(
            select(Notification.dedup_key).where(
                col(Notification.dedup_key).in_(keys[start : start + CHUNK])
            )
        )
        seen.update(found.all())
    fresh = []
    for item in items:
        if item.dedup_key is not None:
            if item.dedup_key in seen:
                continue
            seen.add(item.dedup_key)
        fresh.append(item)
    return fresh


async def enqueue_many(
    session: AsyncSession,
    items: Sequence[Outgoing],
    *,
    now: datetime,
    not_before: datetime | None = None,
) -> int:
    """Queue notifications in the session's transaction (the use-case commits); returns how
    many. One whose dedup key was already queued is left out. The rows are inserted by one
    statement executed for all of them, so 2,000 recipients cost one INSERT, not 2,000."""
    fresh = await _fresh(session, items)
    if not fresh:
        return 0
    values = [
        {
            "user_id": item.user_id, "kind": str(item.kind),
            "payload": encode(item.kind, item.payload), "dedup_key": item.dedup_key,
            "coalesce_key": item.coalesce_key, "status": OutboxStatus.PENDING, "attempts": 0,
            "created_at": now, "not_before": not_before or now,
        }
        for item in fresh
    ]  # fmt: skip
    # one statement, executed for many rows (compiled once, cached: the same for any count)
    # on the table, not the model: the ORM would group rows by which values are None
    await session.exec(insert(Notification.__table__), params=values)  # type: ignore[attr-defined]
    session.sync_session.info["outbox_added"] = True  # the update middleware wakes the sender
    return len(values)


async def enqueue(
    session: AsyncSession,
    *,
    user_id: int,
    kind: Kind | str,
    payload: Payload | dict[str, Any],
    now: datetime,
    dedup_key: str | None = None,
    not_before: datetime | None = None,
) -> Notification | None:
    """Add one notification (see enqueue_many); a payload given as a dict is checked first."""
    typed, checked = decode(kind, payload) if isinstance(payload, dict) else (Kind(kind), payload)
    fresh = await _fresh(session, [Outgoing(user_id, typed, checked, dedup_key)])
    if not fresh:
        return None
    row = Notification(
        user_id=user_id, kind=typed, payload=encode(typed, checked), dedup_key=dedup_key,
        created_at=now, not_before=not_before or now,
    )  # fmt: skip
    session.add(row)
    session.sync_session.info["outbox_added"] = True
    return row
