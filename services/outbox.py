"""Notifications are rows first: written in the transaction of the change that causes them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import Notification


async def enqueue(
    session: AsyncSession,
    *,
    user_id: int,
    kind: str,
    payload: dict[str, Any] | None = None,
    now: datetime,
    dedup_key: str | None = None,
    not_before: datetime | None = None,
) -> Notification | None:
    """Add a notification to the session (the caller commits). With a dedup key, a second
    notification with the same key is not added."""
    if dedup_key is not None:
        existing = await session.exec(
            select(Notification.id).where(Notification.dedup_key == dedup_key)
        )
        if existing.first() is not None:
            return None
    row = Notification(
        user_id=user_id,
        kind=kind,
        payload=payload or {},
        dedup_key=dedup_key,
        created_at=now,
        not_before=not_before or now,
    )
    session.add(row)
    session.sync_session.info["outbox_added"] = True  # the update middleware wakes the sender
    return row
