"""Each update handled once, however often Telegram delivers it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from models import ProcessedUpdate
from services.tx import begin_write

KEEP = timedelta(days=2)  # Telegram keeps an undelivered update for 24 hours


async def claim(session: AsyncSession, *, update_id: int, now: datetime) -> bool:
    """Take the update for this worker; False when it was taken (handled, or being handled)."""
    await begin_write(session)
    session.add(ProcessedUpdate(update_id=update_id, received_at=now))
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        return False
    if update_id % 1000 == 0:  # now and then, forget ids too old to come back
        await begin_write(session)
        await session.exec(
            delete(ProcessedUpdate).where(col(ProcessedUpdate.received_at) < now - KEEP)
        )
        await session.commit()
    return True


async def release(session: AsyncSession, *, update_id: int) -> None:
    """The update failed: let its redelivery be handled."""
    await begin_write(session)
    await session.exec(delete(ProcessedUpdate).where(col(ProcessedUpdate.update_id) == update_id))
    await session.commit()
