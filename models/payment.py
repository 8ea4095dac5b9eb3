from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from models.base import utcnow


class PayWhen(StrEnum):
    """When a group's buyers pay."""

    FORMED = "formed"  # a payment request at formation, at the final tier
    NOW = "now"  # on joining, at the current tier; a cheaper tier later is refunded


class PayMethod(StrEnum):
    TELEGRAM = "telegram"  # Telegram Payments (an invoice; PAYMENT_PROVIDER_TOKEN)
    CASH = "cash"  # at the pickup point, recorded by the agent
    TRANSFER = "transfer"  # to the group's IBAN with the order's reference, recorded by the agent


class EntryKind(StrEnum):
    PAYMENT = "payment"
    REFUND = "refund"


class RefundReason(StrEnum):
    """Why money goes back (shown on the refund; the balance itself says how much)."""

    LEFT = "left"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIER = "tier"
    NOT_SUPPLIED = "not_supplied"
    OVERPAID = "overpaid"


class Payment(SQLModel, table=True):
    """Money that moved for an order: a payment received or a refund made, in the order's
    currency (`amount`, minor units) with the yuan it stands for. An entry is never deleted:
    an agent's mistake is undone (`undone_at`), and the balance leaves it out."""

    __tablename__ = "payments"
    __table_args__ = (Index("ix_payments_order_id_id", "order_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id")
    kind: str = Field(default=EntryKind.PAYMENT, max_length=8)  # EntryKind
    method: str = Field(max_length=8)  # PayMethod
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    currency: str = Field(max_length=3)
    amount_cny: int = Field(sa_column=Column(BigInteger, nullable=False))
    reason: str | None = Field(default=None, max_length=16)  # RefundReason of a refund
    # who recorded it (an agent or admin); None: Telegram Payments, by itself
    recorded_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    recorded_at: datetime = Field(default_factory=utcnow)
    undone_at: datetime | None = None
    undone_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    # Telegram Payments: recorded once per charge, however often the update is delivered
    charge_id: str | None = Field(default=None, max_length=255, unique=True)
    provider_charge_id: str | None = Field(default=None, max_length=255)
