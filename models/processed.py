from datetime import datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel


class ProcessedUpdate(SQLModel, table=True):
    """An update id taken by a worker: Telegram redelivers an update it was not sure we got
    (webhook retries, a restart before the next getUpdates), and it is handled once."""

    __tablename__ = "processed_updates"

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    received_at: datetime = Field(index=True)


class CacheVersion(SQLModel, table=True):
    """A version number per family of cached rows (services.cache): every transaction that
    changes one of the family's tables adds one, when it commits; each worker compares it with
    the version its cached copies were read at."""

    __tablename__ = "cache_versions"

    name: str = Field(primary_key=True, max_length=16)
    version: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
