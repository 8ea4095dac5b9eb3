"""What a use-case reports happened. `services.notify` routes each event to whoever must be told
(the outbox rows are written in the use-case's own transaction)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.notices import AgentEvent


@dataclass(frozen=True)
class OrderEvent:
    """A buyer's order in an open group was placed, changed or cancelled (their agents hear)."""

    group_id: int
    order_id: int
    event: AgentEvent


@dataclass(frozen=True)
class MinimumReached:
    """The group's total reached its minimum for the first time: it will form."""

    group_id: int


@dataclass(frozen=True)
class GroupClosed:
    """The deadline passed (or an admin closed it): formed or failed, for these orders."""

    group_id: int
    formed: bool
    order_ids: tuple[tuple[int, int], ...]  # (order id, buyer id)


@dataclass(frozen=True)
class GroupCancelled:
    group_id: int
    order_ids: tuple[tuple[int, int], ...]  # (order id, buyer id)


@dataclass(frozen=True)
class DeadlineMoved:
    """An admin moved an open group's deadline later: its participants hear the new one."""

    group_id: int
    stamp: int  # the new deadline (a timestamp): part of its de-duplication key


@dataclass(frozen=True)
class RemindersDue:
    """The reminder before the deadline, once, to these buyers."""

    group_id: int
    user_ids: tuple[int, ...]
    stamp: int  # when it was decided: part of its de-duplication key


@dataclass(frozen=True)
class BalanceChanged:
    """Money moved for an order, or what it owes changed without the buyer doing it: the buyer
    is told the new balance. `why`: domain.notices.BalanceWhy; `ref` keys it (a payment id, a
    tier) so a retried use-case tells them once."""

    group_id: int
    order_id: int
    buyer_id: int
    why: str
    ref: int = 0


@dataclass(frozen=True)
class TierReached:
    """A group that is paid on joining moved to another tier: whoever paid more than they now
    owe is told what comes back, whoever paid and owes again (orders withdrawn: a dearer tier)
    what is left to pay. `stamp` (the group's version) tells one move from the next."""

    group_id: int
    tier: int
    stamp: int
    cheaper: bool = True


@dataclass(frozen=True)
class OrderHanded:
    group_id: int
    order_id: int
    buyer_id: int


@dataclass(frozen=True)
class ShipmentUpdated:
    """A status event was posted: every buyer on board and the destination's agents hear it."""

    shipment_id: int
    event_id: int


@dataclass(frozen=True)
class OrdersChanged:
    """These orders changed state (paid, handed over, confirmed, shipped…): the alerts their
    agents already received are edited to show it, with the buttons that now apply."""

    order_ids: tuple[int, ...]


@dataclass(frozen=True)
class GroupOpened:
    """An admin opened a group: the buyers of its city who want to know are told."""

    group_id: int


Event = (
    OrderEvent | MinimumReached | GroupClosed | GroupCancelled | DeadlineMoved | RemindersDue
    | OrderHanded | ShipmentUpdated | OrdersChanged | GroupOpened | BalanceChanged
    | TierReached
)  # fmt: skip
