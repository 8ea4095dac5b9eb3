from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Column, Index, Text
from sqlmodel import Field, SQLModel

from models.base import utcnow


class AuditEntry(SQLModel, table=True):
    """One admin action: who, what, on which object, and the object before and after (JSON,
    None when it did not exist). Written in the same transaction as the change."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_admin_id_id", "admin_id", "id"),
        Index("ix_audit_log_object", "object_type", "object_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    admin_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    action: str = Field(max_length=32)  # e.g. "rate.set", "product.edit", "broadcast.send"
    object_type: str = Field(max_length=16)  # e.g. "rate", "product", "group", "user"
    object_id: str = Field(default="", max_length=64)
    before: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class BroadcastStatus(StrEnum):
    SENDING = "sending"
    STOPPED = "stopped"  # an admin stopped it midway: what was not sent yet never will be
    DONE = "done"


class Broadcast(SQLModel, table=True):
    """A message an admin sent to a segment of users, through the outbox (one row per
    recipient, keyed `broadcast:{id}:{user}`), and the admin's live progress message."""

    __tablename__ = "broadcasts"

    id: int | None = Field(default=None, primary_key=True)
    admin_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    segment: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))  # HTML
    photo: str | None = Field(default=None, max_length=512)  # a Telegram file_id
    status: str = Field(default=BroadcastStatus.SENDING, max_length=16)
    total: int = Field(default=0)
    # the admin's progress message, edited as it goes
    progress_message_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True)
    )
    progress_text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    progress_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
