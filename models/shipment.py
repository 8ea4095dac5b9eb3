from datetime import datetime

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from models.base import utcnow


class Shipment(SQLModel, table=True):
    """One or more formed groups for the same destination, travelling together.

    `status` is the last milestone posted (`domain.shipments.Step`), "" before the first one."""

    __tablename__ = "shipments"

    id: int | None = Field(default=None, primary_key=True)
    country: str = Field(max_length=2, index=True)
    city: str = Field(max_length=128)
    carrier: str = Field(max_length=64)
    tracking: str = Field(max_length=64, index=True)
    method: str = Field(max_length=8)  # ShippingMethod
    eta: datetime
    status: str = Field(default="", max_length=24)
    last_event_at: datetime | None = None
    delivered_at: datetime | None = None
    created_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=0)  # events posted: a button showing an older one is stale


class ShipmentEvent(SQLModel, table=True):
    """A status event of a shipment. `key` makes an imported row apply once however often the
    same file is sent."""

    __tablename__ = "shipment_events"
    __table_args__ = (Index("ix_shipment_events_shipment_at", "shipment_id", "occurred_at"),)

    id: int | None = Field(default=None, primary_key=True)
    shipment_id: int = Field(foreign_key="shipments.id")
    step: str = Field(max_length=24)  # domain.shipments.Step
    occurred_at: datetime
    note: str = Field(default="", max_length=512)
    problem: str | None = Field(default=None, max_length=16)  # for an exception
    amount: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    currency: str | None = Field(default=None, max_length=3)
    new_eta: datetime | None = None
    key: str | None = Field(default=None, max_length=64, unique=True)
    created_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
