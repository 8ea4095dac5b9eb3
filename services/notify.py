"""The one place that decides who is told what: each event a use-case reports becomes outbox
rows, in the use-case's own transaction (`EVENT_HANDLERS` routes them). Rows carry ids only;
the words are chosen when they are sent (`notifications`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain import events as ev
from domain.notices import (
    AgentAlert,
    AgentEvent,
    AlertEdit,
    BalanceNotice,
    BalanceWhy,
    GroupNotice,
    Kind,
    OrderNotice,
    ShipmentNotice,
)
from domain.text import same_city
from models import (
    Agent,
    GroupOrder,
    GroupWatch,
    Notification,
    Order,
    OrderStatus,
    OutboxStatus,
    Shipment,
    User,
)
from services import outbox
from services.outbox import CHUNK, Outgoing


async def publish(session: AsyncSession, events: Iterable[ev.Event], *, now: datetime) -> None:
    """Queue what these events mean for each person concerned (the caller commits)."""
    for event in events:
        await EVENT_HANDLERS[type(event)](session, event, now)


def merged_event(pending: AgentEvent, new: AgentEvent) -> AgentEvent | None:
    """What one alert about an order says when a newer change comes before the older alert was
    sent (None: nothing left to say: the agent never saw an order that is gone again)."""
    if pending == AgentEvent.PLACED:
        return None if new == AgentEvent.CANCELLED else AgentEvent.PLACED
    if pending == AgentEvent.CANCELLED and new == AgentEvent.PLACED:
        return AgentEvent.CHANGED  # they saw it before it was cancelled; it is back, changed
    return new


async def agents_of_city(session: AsyncSession, *, country: str, city: str) -> list[int]:
    """The user ids of the agents of a city."""
    rows = (await session.exec(select(Agent).where(Agent.country == country))).all()
    return sorted({agent.user_id for agent in rows if same_city(agent.city, city)})


async def _order_event(session: AsyncSession, event: ev.OrderEvent, now: datetime) -> None:
    """An alert to every agent of the group's city. An alert about the same order still waiting
    to be sent is updated instead (the agent gets one message showing the latest state, not one
    per tap)."""
    group = await session.get(GroupOrder, event.group_id)
    if group is None:
        return
    recipients = await agents_of_city(session, country=group.country, city=group.city)
    if not recipients:
        return
    keys = {user_id: alert_key(event.order_id, user_id) for user_id in recipients}
    waiting = (
        await session.exec(
            select(Notification).where(
                col(Notification.coalesce_key).in_(list(keys.values())),
                col(Notification.status) == OutboxStatus.PENDING,
                col(Notification.claimed_by).is_(None),
            )
        )
    ).all()
    pending = {row.coalesce_key: row for row in waiting}
    fresh = []
    for user_id in recipients:
        row = pending.get(keys[user_id])
        if row is None:
            alert = AgentAlert(event.group_id, event.order_id, event.event)
            fresh.append(Outgoing(user_id, Kind.AGENT_ORDER, alert, coalesce_key=keys[user_id]))
            continue
        try:
            before = AgentEvent(row.payload.get("event", ""))
        except ValueError:
            before = AgentEvent.CHANGED
        merged = merged_event(before, event.event)
        if merged is None:
            row.status = OutboxStatus.SKIPPED
            row.last_error = "coalesced: the order was cancelled before the alert went out"
        else:
            row.payload = {**row.payload, "event": str(merged)}
        session.add(row)
    await outbox.enqueue_many(session, fresh, now=now)


async def _participant_ids(session: AsyncSession, group_id: int) -> list[int]:
    """The buyers with an order placed in the group, once each."""
    found = await session.exec(
        select(Order.user_id).where(Order.group_id == group_id, Order.status == OrderStatus.PLACED)
    )
    return sorted(set(found.all()))


async def _minimum_reached(session: AsyncSession, event: ev.MinimumReached, now: datetime) -> None:
    """Every participant who did not mute the group."""
    muted = set(
        (
            await session.exec(
                select(GroupWatch.user_id).where(
                    GroupWatch.group_id == event.group_id, col(GroupWatch.muted).is_(True)
                )
            )
        ).all()
    )
    buyers = await _participant_ids(session, event.group_id)
    kind = Kind.GROUP_MIN_REACHED
    await outbox.enqueue_many(
        session,
        [
            Outgoing(user_id, kind, GroupNotice(event.group_id),
                     f"{kind}:{event.group_id}:{user_id}")
            for user_id in buyers
            if user_id not in muted
        ],
        now=now,
    )  # fmt: skip


async def _to_buyers(
    session: AsyncSession, kind: Kind, group_id: int, orders: Iterable[tuple[int, int]],
    now: datetime,
) -> None:  # fmt: skip
    await outbox.enqueue_many(
        session,
        [
            Outgoing(buyer_id, kind, OrderNotice(group_id, order_id),
                     f"{kind}:{group_id}:{buyer_id}")
            for order_id, buyer_id in orders
        ],
        now=now,
    )  # fmt: skip


async def _group_closed(session: AsyncSession, event: ev.GroupClosed, now: datetime) -> None:
    """Every buyer hears how it ended; a formed group's agents get what they will collect."""
    kind = Kind.GROUP_FORMED if event.formed else Kind.GROUP_FAILED
    await _to_buyers(session, kind, event.group_id, event.order_ids, now)
    group = await session.get(GroupOrder, event.group_id)
    if not event.formed or group is None:
        return
    summary = Kind.AGENT_GROUP_FORMED
    recipients = await agents_of_city(session, country=group.country, city=group.city)
    await outbox.enqueue_many(
        session,
        [
            Outgoing(user_id, summary, GroupNotice(event.group_id),
                     f"{summary}:{event.group_id}:{user_id}")
            for user_id in recipients
        ],
        now=now,
    )  # fmt: skip


async def _group_cancelled(session: AsyncSession, event: ev.GroupCancelled, now: datetime) -> None:
    await _to_buyers(session, Kind.GROUP_CANCELLED, event.group_id, event.order_ids, now)


async def _deadline_moved(session: AsyncSession, event: ev.DeadlineMoved, now: datetime) -> None:
    """Every participant (an order placed in the group)."""
    buyers = await _participant_ids(session, event.group_id)
    kind = Kind.GROUP_EXTENDED
    await outbox.enqueue_many(
        session,
        [
            Outgoing(user_id, kind, GroupNotice(event.group_id),
                     f"{kind}:{event.group_id}:{user_id}:{event.stamp}")
            for user_id in buyers
        ],
        now=now,
    )  # fmt: skip


async def _reminders(session: AsyncSession, event: ev.RemindersDue, now: datetime) -> None:
    kind = Kind.GROUP_REMINDER
    await outbox.enqueue_many(
        session,
        [
            Outgoing(user_id, kind, GroupNotice(event.group_id),
                     f"{kind}:{event.group_id}:{user_id}:{event.stamp}")
            for user_id in event.user_ids
        ],
        now=now,
    )  # fmt: skip


async def _balance_changed(session: AsyncSession, event: ev.BalanceChanged, now: datetime) -> None:
    """The buyer hears their new balance, once per change (`ref` keys it)."""
    notice = BalanceNotice(event.group_id, event.order_id, event.why, event.ref)
    key = f"{Kind.BALANCE}:{event.order_id}:{event.why}:{event.ref}"
    await outbox.enqueue_many(
        session, [Outgoing(event.buyer_id, Kind.BALANCE, notice, key)], now=now
    )


async def _tier_reached(session: AsyncSession, event: ev.TierReached, now: datetime) -> None:
    """A group paid on joining changed tier: every buyer who paid in it hears what comes back,
    or what is left to pay (worded from their balance when it is sent; skipped when neither)."""
    from models import Payment

    paid = (
        await session.exec(
            select(Order.id, Order.user_id).where(
                Order.group_id == event.group_id,
                col(Order.status) == OrderStatus.PLACED,
                col(Order.id).in_(select(Payment.order_id).where(col(Payment.undone_at).is_(None))),
            )
        )
    ).all()
    kind = Kind.BALANCE
    why = BalanceWhy.TIER if event.cheaper else BalanceWhy.TIER_UP
    await outbox.enqueue_many(
        session,
        [
            Outgoing(user_id, kind,
                     BalanceNotice(event.group_id, order_id or 0, why, event.stamp),
                     f"{kind}:{order_id}:{why}:{event.stamp}")
            for order_id, user_id in paid
        ],
        now=now,
    )  # fmt: skip


async def _order_handed(session: AsyncSession, event: ev.OrderHanded, now: datetime) -> None:
    notice = OrderNotice(event.group_id, event.order_id)
    await outbox.enqueue_many(
        session, [Outgoing(event.buyer_id, Kind.ORDER_HANDED, notice)], now=now
    )


async def _shipment_updated(
    session: AsyncSession, event: ev.ShipmentUpdated, now: datetime
) -> None:
    """Every buyer with an order on board and every agent of the destination, once each (a
    buyer in three groups of the shipment, or an agent who also bought, gets one message)."""
    shipment = await session.get(Shipment, event.shipment_id)
    if shipment is None:
        return
    on_board = select(GroupOrder.id).where(GroupOrder.shipment_id == event.shipment_id)
    buyers = (
        await session.exec(
            select(Order.user_id)
            .where(
                col(Order.group_id).in_(on_board.scalar_subquery()),
                col(Order.status) != OrderStatus.CANCELLED,
            )
            .distinct()
        )
    ).all()
    agents = await agents_of_city(session, country=shipment.country, city=shipment.city)
    kind = Kind.SHIPMENT_UPDATE
    notice = ShipmentNotice(event.shipment_id, event.event_id)
    await outbox.enqueue_many(
        session,
        [
            Outgoing(user_id, kind, notice, f"{kind}:{event.event_id}:{user_id}")
            for user_id in sorted(set(buyers) | set(agents))
        ],
        now=now,
    )


def alert_key(order_id: int, user_id: int) -> str:
    return f"agent_order:{order_id}:{user_id}"


async def _orders_changed(session: AsyncSession, event: ev.OrdersChanged, now: datetime) -> None:
    """An edit for every agent who was sent an alert about one of these orders (one pending
    edit per order and agent: it shows the state when it is sent, so one is enough)."""
    order_ids = sorted(set(event.order_ids))
    if not order_ids:
        return
    orders: list[tuple[int | None, str, str]] = []
    for start in range(0, len(order_ids), CHUNK):
        orders += (
            await session.exec(
                select(Order.id, GroupOrder.country, GroupOrder.city)
                .join(GroupOrder, col(GroupOrder.id) == Order.group_id)
                .where(col(Order.id).in_(order_ids[start : start + CHUNK]))
            )
        ).all()
    places = {(country, city) for _id, country, city in orders}
    agents = {
        place: await agents_of_city(session, country=place[0], city=place[1]) for place in places
    }
    keys = {
        alert_key(order_id or 0, user_id): (order_id or 0, user_id)
        for order_id, country, city in orders
        for user_id in agents[(country, city)]
    }
    sent: set[tuple[int, int]] = set()
    wanted = sorted(keys)
    for start in range(0, len(wanted), CHUNK):
        rows = await session.exec(
            select(Notification.coalesce_key).where(
                col(Notification.coalesce_key).in_(wanted[start : start + CHUNK]),
                col(Notification.kind) == Kind.AGENT_ORDER,
                col(Notification.status) == OutboxStatus.SENT,
                col(Notification.message_id).is_not(None),
            )
        )
        sent.update(keys[key] for key in rows.all() if key in keys)
    if not sent:
        return
    edit_keys = sorted(f"edit:{o}:{u}" for o, u in sent)
    waiting: set[str | None] = set()
    for start in range(0, len(edit_keys), CHUNK):
        waiting.update(
            (
                await session.exec(
                    select(Notification.coalesce_key).where(
                        col(Notification.kind) == Kind.AGENT_ORDER_EDIT,
                        col(Notification.status) == OutboxStatus.PENDING,
                        col(Notification.claimed_by).is_(None),
                        col(Notification.coalesce_key).in_(edit_keys[start : start + CHUNK]),
                    )
                )
            ).all()
        )
    await outbox.enqueue_many(
        session,
        [
            Outgoing(user_id, Kind.AGENT_ORDER_EDIT, AlertEdit(order_id),
                     coalesce_key=f"edit:{order_id}:{user_id}")
            for order_id, user_id in sorted(sent)
            if f"edit:{order_id}:{user_id}" not in waiting
        ],
        now=now,
    )  # fmt: skip


async def _group_opened(session: AsyncSession, event: ev.GroupOpened, now: datetime) -> None:
    """The buyers of the group's city who want to hear of new groups (onboarded, not blocked;
    "tell me when a group opens in my city" is on unless they turned it off)."""
    group = await session.get(GroupOrder, event.group_id)
    if group is None:
        return
    rows = await session.exec(
        select(User.id, User.city).where(
            User.country == group.country,
            col(User.group_alerts).is_(True),
            col(User.is_blocked).is_(False),
            col(User.is_banned).is_(False),
            col(User.locale).is_not(None),
            col(User.city).is_not(None),
        )
    )
    kind = Kind.GROUP_OPENED
    await outbox.enqueue_many(
        session,
        [
            Outgoing(uid, kind, GroupNotice(event.group_id), f"{kind}:{event.group_id}:{uid}")
            for uid, city in rows.all()
            if same_city(city or "", group.city) and uid != group.created_by
        ],
        now=now,
    )


EVENT_HANDLERS: dict[type, Callable[[AsyncSession, Any, datetime], Awaitable[None]]] = {
    ev.OrderEvent: _order_event,
    ev.MinimumReached: _minimum_reached,
    ev.GroupClosed: _group_closed,
    ev.GroupCancelled: _group_cancelled,
    ev.DeadlineMoved: _deadline_moved,
    ev.RemindersDue: _reminders,
    ev.OrderHanded: _order_handed,
    ev.ShipmentUpdated: _shipment_updated,
    ev.OrdersChanged: _orders_changed,
    ev.GroupOpened: _group_opened,
    ev.BalanceChanged: _balance_changed,
    ev.TierReached: _tier_reached,
}
