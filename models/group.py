from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import utcnow


class GroupStatus(StrEnum):
    OPEN = "open"
    FORMED = "formed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SHIPPED = "shipped"
    DELIVERED = "delivered"


class OrderStatus(StrEnum):
    PLACED = "placed"
    CONFIRMED = "confirmed"
    PAID = "paid"
    SHIPPED = "shipped"
    READY_FOR_PICKUP = "ready_for_pickup"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class Measure(StrEnum):
    WEIGHT = "weight"  # grams
    UNITS = "units"  # pieces of whatever the products are sold in


class ShippingMethod(StrEnum):
    AIR = "air"
    RAIL = "rail"
    SEA = "sea"
    EXPRESS = "express"


class GroupOrder(SQLModel, table=True):
    """A consolidated shipment to one city that forms at its deadline if it reached its minimum.

    `total` is kept equal to the sum of the open orders' lines, in the group's measure (grams or
    units), by the same conditional update that enforces the capacity cap."""

    __tablename__ = "group_orders"
    __table_args__ = (Index("ix_group_orders_status_deadline", "status", "deadline"),)

    id: int | None = Field(default=None, primary_key=True)
    country: str = Field(max_length=2, index=True)
    city: str = Field(max_length=128)
    # free text from before 0007 (shown only when no pickup point of the city is linked)
    pickup_point: str | None = Field(default=None, max_length=256)
    # one of the city's agents' pickup points: where its buyers collect, unless they chose another
    pickup_point_id: int | None = Field(default=None, foreign_key="pickup_points.id")
    shipment_id: int | None = Field(default=None, foreign_key="shipments.id", index=True)
    method: str = Field(max_length=8)  # ShippingMethod
    deadline: datetime
    measure: str = Field(max_length=8)  # Measure
    min_total: int = Field(sa_column=Column(BigInteger, nullable=False))
    capacity: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    total: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    # Tier thresholds in the group's measure, ascending, the first one 0: [0, 100000, 300000]
    tiers: list[int] = Field(default_factory=lambda: [0], sa_column=Column(JSON, nullable=False))
    status: str = Field(default=GroupStatus.OPEN, max_length=16)
    cancel_reason: str | None = Field(default=None, max_length=512)
    created_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    reminder_sent_at: datetime | None = None
    min_reached_at: datetime | None = None
    version: int = Field(default=0)
    # how its buyers pay (models.payment): when, which ways, and the account of a transfer
    pay_when: str = Field(default="formed", max_length=8)  # PayWhen
    pay_methods: list[str] = Field(
        default_factory=lambda: ["cash"], sa_column=Column(JSON, nullable=False)
    )
    iban: str | None = Field(default=None, max_length=34)
    beneficiary: str | None = Field(default=None, max_length=128)


class GroupOffer(SQLModel, table=True):
    """A product offered in a group, with one price per tier (fen per product unit)."""

    __tablename__ = "group_offers"
    __table_args__ = (UniqueConstraint("group_id", "product_id"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="group_orders.id", index=True)
    product_id: int = Field(foreign_key="products.id")
    prices: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    position: int = Field(default=0)


class Order(SQLModel, table=True):
    """One buyer's order in one group (one per buyer and group; leaving cancels it, joining
    again while the group is open places it again)."""

    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="group_orders.id", index=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    status: str = Field(default=OrderStatus.PLACED, max_length=20)
    referrer_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    amount_cny: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    amount_local: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    currency: str | None = Field(default=None, max_length=3)
    # units of `currency` per yuan × 10⁶, fixed when the order is confirmed: a later /rate does
    # not change an amount already agreed (None: yuan, or an order from before 0004)
    rate_micro: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    paid_at: datetime | None = None  # marked paid by the agent (prepayment allowed while placed)
    paid_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    handed_at: datetime | None = None
    pickup_point_id: int | None = Field(default=None, foreign_key="pickup_points.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class OrderLine(SQLModel, table=True):
    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_id", "offer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True)
    offer_id: int = Field(foreign_key="group_offers.id")
    quantity: int  # product units
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))  # in the group's measure
    # units this line took from the product's stock (services.groups.stock): what it gives back.
    # Not `quantity`: a line placed while the stock was not counted took none
    stock_taken: int = Field(default=0)
    note: str | None = Field(default=None, max_length=200)  # the buyer's: a name to carve, say
    supplied: bool = Field(default=True)  # False: could not be supplied (not charged, refunded)


class GroupWatch(SQLModel, table=True):
    """A buyer who opened a group: asked to be reminded, muted it, or came through a referral."""

    __tablename__ = "group_watches"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="group_orders.id", index=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    remind: bool = Field(default=False)
    muted: bool = Field(default=False)
    referrer_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
