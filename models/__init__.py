"""SQLModel tables. Import this package to register every table on the shared metadata."""

from models.admin import AuditEntry, Broadcast, BroadcastStatus
from models.agent import Agent, AgentInvite, PickupPoint
from models.base import metadata
from models.catalog import Category, ExchangeRate, Product
from models.group import (
    GroupOffer,
    GroupOrder,
    GroupStatus,
    GroupWatch,
    Measure,
    Order,
    OrderLine,
    OrderStatus,
    ShippingMethod,
)
from models.outbox import Notification, OutboxStatus
from models.payment import EntryKind, Payment, PayMethod, PayWhen, RefundReason
from models.processed import CacheVersion, ProcessedUpdate
from models.shipment import Shipment, ShipmentEvent
from models.user import User

__all__ = [
    "AuditEntry",
    "Broadcast",
    "BroadcastStatus",
    "CacheVersion",
    "ProcessedUpdate",
    "EntryKind",
    "Payment",
    "PayMethod",
    "PayWhen",
    "RefundReason",
    "Agent",
    "AgentInvite",
    "PickupPoint",
    "Category",
    "ExchangeRate",
    "GroupOffer",
    "GroupOrder",
    "GroupStatus",
    "GroupWatch",
    "Measure",
    "Notification",
    "Order",
    "OrderLine",
    "OrderStatus",
    "OutboxStatus",
    "Product",
    "Shipment",
    "ShipmentEvent",
    "ShippingMethod",
    "User",
    "metadata",
]
