from datetime import datetime

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel


class ProcessedUpdate(SQLModel, table=True):
    """An update id taken by a worker: Telegram redelivers an update it was not sure we got
    (webhook retries, a restart before the next getUpdates), and it is handled once."""

    __tablename__ = "processed_updates"

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    received_at: datetime = Field(index=True)
