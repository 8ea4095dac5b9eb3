"""Notifications are rows first: written in the transaction of the change that causes them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.notices import Kind, Payload, decode, encode
from models import Notification


@dataclass(frozen=True)
class Outgoing:
    """A notification to queue: its kind and typed payload, for one user."""

    user_id: int
    kind: Kind
    payload: Payload
    dedup_key: str | None = None
    coalesce_key: str | None = None


async def enqueue_many(
    session: AsyncSession,
    items: Sequence[Outgoing],
    *,
    now: datetime,
    not_before: datetime | None = None,
) -> list[Notification]:
    """Add notifications to the session (the use-case commits). One whose dedup key was already
    queued is left out; the keys are looked up in one query, however many there are."""
    keys = [item.dedup_key for item in items if item.dedup_key is not None]
    seen: set[str | None] = set()
    if keys:
        found = await session.exec(
            select(Notification.dedup_key).where(col(Notification.dedup_key).in_(keys))
        )
        seen = set(found.all())
    rows = []
    for item in items:
        if item.dedup_key is not None and item.dedup_key in seen:
            continue
        if item.dedup_key is not None:
            seen.add(item.dedup_key)
        row = Notification(
            user_id=item.user_id,
            kind=item.kind,
            payload=encode(item.kind, item.payload),
            dedup_key=item.dedup_key,
            coalesce_key=item.coalesce_key,
            created_at=now,
            not_before=not_before or now,
        )
        session.add(row)
        rows.append(row)
    if rows:
        session.sync_session.info["outbox_added"] = True  # the update middleware wakes the sender
    return rows


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
    rows = await enqueue_many(
        session, [Outgoing(user_id, typed, checked, dedup_key)], now=now, not_before=not_before
    )
    return rows[0] if rows else None
