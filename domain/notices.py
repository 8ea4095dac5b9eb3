"""What a notification is: its kind and a typed payload per kind.

A use-case reports events (`domain.events`); `services.notify` turns them into outbox rows with
one of these payloads; the sender decodes a row's payload with `decode` and renders it with the
renderer registered for its kind (`notifications.registry`). A payload names rows by id only:
the words are chosen when it is sent, in the recipient's language.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    TEXT = "text"  # already worded (and escaped) by whoever queued it
    GROUP_MIN_REACHED = "group_min_reached"
    GROUP_REMINDER = "group_reminder"
    GROUP_EXTENDED = "group_extended"
    GROUP_FORMED = "group_formed"
    GROUP_FAILED = "group_failed"
    GROUP_CANCELLED = "group_cancelled"
    AGENT_ORDER = "agent_order"
    AGENT_GROUP_FORMED = "agent_group_formed"
    ORDER_PAID = "order_paid"
    ORDER_HANDED = "order_handed"
    SHIPMENT_UPDATE = "shipment_update"
    AGENT_ORDER_EDIT = "agent_order_edit"  # edits the alerts already sent about an order
    DIGEST = "digest"
    GROUP_OPENED = "group_opened"  # optional: "tell me when a group opens in my city"
    BROADCAST = "broadcast"  # an admin's message to a segment (its words are on the broadcast)
    BALANCE = "balance"  # to a buyer: their order's balance changed (BalanceNotice.why says how)


class BalanceWhy(StrEnum):
    """Why a buyer hears their balance."""

    PAID = "paid"  # a payment was recorded (by an agent, or Telegram Payments)
    UNDONE = "undone"  # an agent took back a payment recorded by mistake
    REFUNDED = "refunded"  # a refund was made
    TIER = "tier"  # the group reached a cheaper tier: the difference comes back
    TIER_UP = "tier_up"  # orders withdrawn, a dearer tier again: something left to pay
    NOT_SUPPLIED = "not_supplied"  # a line could not be supplied: not charged, refunded


class AgentEvent(StrEnum):
    """What an agent's alert about an order says happened."""

    PLACED = "placed"
    CHANGED = "changed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class GroupNotice:
    """About a group as a whole (minimum reached, reminder)."""

    group_id: int


@dataclass(frozen=True)
class OrderNotice:
    """About the recipient's own order in a group (formed, failed, cancelled, paid, handed)."""

    group_id: int
    order_id: int


@dataclass(frozen=True)
class BalanceNotice:
    """To a buyer: the balance of their order, and what changed it (`ref`: the payment, or the
    tier, it is about)."""

    group_id: int
    order_id: int
    why: str
    ref: int = 0


@dataclass(frozen=True)
class AgentAlert:
    """To an agent: a buyer's order in their city was placed, changed or cancelled."""

    group_id: int
    order_id: int
    event: AgentEvent


@dataclass(frozen=True)
class ShipmentNotice:
    """To a buyer on board or an agent of the destination: a shipment's status event."""

    shipment_id: int
    event_id: int


@dataclass(frozen=True)
class AlertEdit:
    """Not a new message: the agent's earlier alerts about the order are edited to its state."""

    order_id: int


@dataclass(frozen=True)
class DigestNotice:
    """A person's digest, as built at their local morning: ids of what is new since the last
    one (worded when it is sent), and the counts of their agent and admin sections."""

    period: str  # the local date it is for
    products: list[int]  # new products that can ship to their country
    groups: list[int]  # open groups of their city closing within 72 h
    orders: list[int]  # their own orders that changed
    events: list[int]  # status events of shipments carrying their orders
    region_groups: list[int]  # an agent's open groups
    agent: list[int]  # an agent's last 24 h: [orders, payments, handovers]; [] for a buyer
    admin: list[int]  # an admin's last 24 h: ADMIN_STATS in order; [] for others


@dataclass(frozen=True)
class BroadcastNotice:
    """One recipient's copy of an admin's broadcast: the text (and photo) are read from the
    broadcast when it is sent, under a header in the recipient's language; a stopped one is
    not sent."""

    broadcast_id: int


ADMIN_STATS = ("orders", "revenue", "buyers", "formed", "failed", "moved", "undelivered")


Payload = (
    Text | GroupNotice | OrderNotice | AgentAlert | ShipmentNotice | AlertEdit | DigestNotice
    | BroadcastNotice | BalanceNotice
)  # fmt: skip

PAYLOADS: dict[Kind, type[Payload]] = {
    Kind.TEXT: Text,
    Kind.GROUP_MIN_REACHED: GroupNotice,
    Kind.GROUP_REMINDER: GroupNotice,
    Kind.GROUP_EXTENDED: GroupNotice,
    Kind.GROUP_FORMED: OrderNotice,
    Kind.GROUP_FAILED: OrderNotice,
    Kind.GROUP_CANCELLED: OrderNotice,
    Kind.AGENT_ORDER: AgentAlert,
    Kind.AGENT_GROUP_FORMED: GroupNotice,
    Kind.ORDER_PAID: OrderNotice,
    Kind.ORDER_HANDED: OrderNotice,
    Kind.SHIPMENT_UPDATE: ShipmentNotice,
    Kind.AGENT_ORDER_EDIT: AlertEdit,
    Kind.DIGEST: DigestNotice,
    Kind.GROUP_OPENED: GroupNotice,
    Kind.BROADCAST: BroadcastNotice,
    Kind.BALANCE: BalanceNotice,
}


class BadPayload(ValueError):
    """A stored row whose payload does not fit its kind (written by an older or broken version)."""


def encode(kind: Kind, payload: Payload) -> dict[str, Any]:
    """The JSON stored on the row; the payload must be the kind's own type."""
    if not isinstance(payload, PAYLOADS[kind]):
        raise TypeError(f"{kind} takes {PAYLOADS[kind].__name__}, not {type(payload).__name__}")
    return {key: str(value) if isinstance(value, StrEnum) else value
            for key, value in dataclasses.asdict(payload).items()}  # fmt: skip


def decode(kind: str, data: dict[str, Any]) -> tuple[Kind, Payload]:
    """A stored row's kind and payload, checked: unknown kinds, missing or mistyped fields and
    unknown events raise BadPayload (the sender skips such a row instead of guessing)."""
    try:
        typed = Kind(kind)
    except ValueError as error:
        raise BadPayload(f"unknown kind {kind!r}") from error
    cls = PAYLOADS[typed]
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        if field.name not in data:
            raise BadPayload(f"{kind}: no {field.name}")
        value = data[field.name]
        if field.type == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise BadPayload(f"{kind}: {field.name} is not an id")
        elif field.type == "str":
            if not isinstance(value, str):
                raise BadPayload(f"{kind}: {field.name} is not a text")
        elif field.type == "list[int]":
            if not isinstance(value, list) or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in value
            ):
                raise BadPayload(f"{kind}: {field.name} is not a list of ids")
            value = list(value)
        elif field.type == "AgentEvent":
            try:
                value = AgentEvent(value)
            except ValueError as error:
                raise BadPayload(f"{kind}: unknown event {value!r}") from error
        values[field.name] = value
    return typed, cls(**values)
