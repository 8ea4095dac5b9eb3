from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from models.base import utcnow


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # refused for good, or still failing after SEND_GIVE_UP_AFTER; see last_error
    SKIPPED = "skipped"  # the recipient blocked the bot


class Notification(SQLModel, table=True):
    """An outgoing message, written in the same transaction as the change that causes it.

    It holds a template `kind` and its parameters, not text: it is rendered in the recipient's
    language when it is sent."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_not_before", "status", "not_before"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    kind: str = Field(max_length=32)
    payload: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    dedup_key: str | None = Field(default=None, max_length=128, unique=True)
    status: str = Field(default=OutboxStatus.PENDING, max_length=16)
    attempts: int = Field(default=0)
    not_before: datetime = Field(default_factory=utcnow)
    last_error: str | None = Field(default=None, max_length=512)
    # the sender sending it, until when: no other sender takes a row whose claim is current
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = None
    # unsent rows with the same key are one message about the same thing (an agent's alerts
    # about one order): a newer one updates the pending row instead of queuing another
    coalesce_key: str | None = Field(default=None, max_length=64, index=True)
    # the message Telegram made of it (its last part): an alert edited later names it
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
