"""Each update handled once, however often Telegram delivers it.

A redelivered update (webhook retries, a restart before the next getUpdates confirmed a batch)
must not change anything twice. Its id is claimed in the database **in the update's first write
transaction** (`services.tx.begin_write` calls `claim_in`), so the claim commits or rolls back
with what the update changes, and an update that only reads (browsing, searching) costs no
statement for it at all. A second delivery, on any worker, finds the id taken when it first
tries to write: `AlreadyHandled` is raised, its transaction rolls back, and the dispatcher's
`ProcessOnce` drops the update quietly. (Before writing, the workers also skip an id they saw
themselves recently, or that Redis says another worker took.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, SessionTransaction
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from models import ProcessedUpdate

KEEP = timedelta(days=2)  # Telegram keeps an undelivered update for 24 hours
CLAIM_KEY = "update_claim"


class AlreadyHandled(Exception):  # noqa: N818 - it is an outcome, not a failure
    """Another delivery of this update already changed what it changes."""


@dataclass
class Claim:
    """The update a session works for, and whether its id is taken: `pending` while the
    transaction that inserted it is open, `held` once that transaction committed."""

    update_id: int
    received_at: datetime
    pending: bool = False
    held: bool = False


def attach(session: AsyncSession, claim: Claim) -> None:
    """The session works for this update: its first write claims the update's id."""
    session.sync_session.info[CLAIM_KEY] = claim


async def claim_in(session: AsyncSession) -> None:
    """In the session's write transaction: take the update's id (once per update), or raise
    AlreadyHandled when another delivery took it. Sessions that work for no update (the sender,
    the scheduler) claim nothing."""
    claim: Claim | None = session.sync_session.info.get(CLAIM_KEY)
    if claim is None or claim.held or claim.pending:
        return
    dialect = session.sync_session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(ProcessedUpdate)
        .values(update_id=claim.update_id, received_at=claim.received_at)
        .on_conflict_do_nothing()
        .returning(col(ProcessedUpdate.update_id))
    )
    taken = (await session.exec(statement)).first()
    if taken is None:
        raise AlreadyHandled(claim.update_id)
    claim.pending = True
    if claim.update_id % 1000 == 0:  # now and then, forget ids too old to come back
        await session.exec(
            delete(ProcessedUpdate).where(
                col(ProcessedUpdate.received_at) < claim.received_at - KEEP
            )
        )


@event.listens_for(Session, "after_commit")
def _claim_committed(session: Session) -> None:
    claim: Claim | None = session.info.get(CLAIM_KEY)
    if claim is not None and claim.pending:
        claim.pending, claim.held = False, True


@event.listens_for(Session, "after_transaction_end")
def _claim_rolled_back(session: Session, transaction: SessionTransaction) -> None:
    claim: Claim | None = session.info.get(CLAIM_KEY)
    if transaction.parent is None and claim is not None and claim.pending:
        claim.pending = False  # rolled back with the rest: the next write claims again


async def release(session: AsyncSession, *, update_id: int) -> None:
    """The update failed: let its redelivery be handled (in a write transaction the caller
    began: `services.tx.begin_write`)."""
    await session.exec(delete(ProcessedUpdate).where(col(ProcessedUpdate.update_id) == update_id))
    await session.commit()
