"""One renderer per kind (`RENDERERS`; a test checks none is missing). A renderer returns the
text and keyboard for a row, or None when the notification no longer applies (the group closed
meanwhile, the agent no longer covers that city): such a row is skipped, not sent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiogram.types import InlineKeyboardMarkup

from domain import geo
from domain.notices import (
    AgentAlert,
    AlertEdit,
    BadPayload,
    BalanceNotice,
    BalanceWhy,
    BroadcastNotice,
    DigestNotice,
    GroupNotice,
    Kind,
    OrderNotice,
    Payload,
    ShipmentNotice,
    Text,
)
from domain.text import same_city
from models import BroadcastStatus, GroupOrder, Notification, Order, User
from notifications.batch import Batch
from services.agents import covers_group
from services.groups import OrderView
from services.pickup import collections
from ui import agents as agent_views
from ui import broadcast as broadcast_views
from ui import digests as digest_views
from ui import notices
from ui import shipments as shipment_views
from ui.context import RenderContext

Rendered = tuple[str, InlineKeyboardMarkup | None]
Renderer = Callable[[Payload, User, Batch, RenderContext], Rendered | None]


def _text(payload: Payload, user: User, batch: Batch, ctx: RenderContext) -> Rendered | None:
    assert isinstance(payload, Text)
    return (payload.text, None) if payload.text else None


def _group(batch: Batch, payload: Payload) -> GroupOrder | None:
    assert isinstance(payload, GroupNotice | OrderNotice)
    return batch.groups.get(payload.group_id)


def _own_order(batch: Batch, payload: Payload) -> tuple[GroupOrder, Order] | None:
    assert isinstance(payload, OrderNotice)
    group, order = batch.groups.get(payload.group_id), batch.orders.get(payload.order_id)
    return (group, order) if group is not None and order is not None else None


def _formed(payload: Payload, user: User, batch: Batch, ctx: RenderContext) -> Rendered | None:
    found = _own_order(batch, payload)
    if found is None:
        return None
    group, order = found
    view = OrderView(order, batch.lines.get(order.id or 0, []))
    return notices.group_formed(
        group, view, user, ctx, batch.balances.get(order.id or 0), batch.people
    )


def _with_balance(
    words: Callable[..., Rendered],
) -> Renderer:
    """An order's notice that says what its balance is now (failed, cancelled)."""

    def renderer(payload: Payload, user: User, batch: Batch, ctx: RenderContext) -> Rendered | None:
        found = _own_order(batch, payload)
        if found is None:
            return None
        group, order = found
        return words(group, order, user, ctx, batch.balances.get(order.id or 0), batch.people)

    return renderer


def _balance(payload: Payload, user: User, batch: Batch, ctx: RenderContext) -> Rendered | None:
    assert isinstance(payload, BalanceNotice)
    group, order = batch.groups.get(payload.group_id), batch.orders.get(payload.order_id)
    balance = batch.balances.get(payload.order_id)
    if group is None or order is None or balance is None or order.user_id != user.id:
        return None
    entry = batch.entries.get(payload.ref)
    if entry is not None and entry.order_id != order.id:
        entry = None
    return notices.balance_notice(
        group, order, balance, payload.why, entry, user, ctx, batch.people,
        batch.lines.get(order.id or 0, []),
    )  # fmt: skip


def _paid(payload: Payload, user: User, batch: Batch, ctx: RenderContext) -> Rendered | None:
    """A notice queued before balances (0010): worded as a payment recorded."""
    assert isinstance(payload, OrderNotice)
    return _balance(
        BalanceNotice(payload.group_id, payload.order_id, BalanceWhy.PAID), user, batch, ctx
    )


def _about_order(
    words: Callable[[GroupOrder, Order, User, RenderContext], Rendered],
) -> Renderer:
    def renderer(payload: Payload, user: User, batch: Batch, ctx: RenderContext) -> Rendered | None:
        found = _own_order(batch, payload)
        return words(*found, user, ctx) if found is not None else None

    return renderer


def _min_reached(payload: Payload, user: User, batch: Batch, ctx: RenderContext) -> Rendered | None:
    group = _group(batch, payload)
    if group is None or group.status != "open":
        return None
    return notices.min_reached(group, user, ctx)


def _reminder(payload: Payload, user: User, batch: Batch, ctx: RenderContext) -> Rendered | None:
    group = _group(batch, payload)
    if group is None or group.status != "open" or group.deadline <= ctx.now:
        return None
    return notices.reminder(group, user, ctx)


def _extended(payload: Payload, user: User, batch: Batch, ctx: RenderContext) -> Rendered | None:
    group = _group(batch, payload)
    if group is None or group.status != "open" or group.deadline <= ctx.now:
        return None
    return notices.deadline_moved(group, user, ctx)


def _agent_alert(payload: Payload, user: User, batch: Batch, ctx: RenderContext) -> Rendered | None:
    assert isinstance(payload, AgentAlert)
    card = batch.cards.get(payload.order_id)
    if card is None or not covers_group(batch.regions.get(user.id, []), card.group):
        return None  # the order is gone, or this user is no longer the agent of that city
    text = agent_views.agent_alert(card, payload.event, user, ctx)
    return text, agent_views.agent_buttons(card)


def _agent_summary(
    payload: Payload, user: User, batch: Batch, ctx: RenderContext
) -> Rendered | None:
    group = _group(batch, payload)
    if group is None or not covers_group(batch.regions.get(user.id, []), group):
        return None  # no longer the agent of that city
    orders = batch.group_orders.get(group.id or 0, [])
    return agent_views.group_formed_summary(group, orders, batch.buyers, user, ctx, batch.balances)


def _alert_edit(payload: Payload, user: User, batch: Batch, ctx: RenderContext) -> Rendered | None:
    """The current state of an order the agent was alerted about (sent as edits of those
    alerts: `edits_of`)."""
    assert isinstance(payload, AlertEdit)
    card = batch.cards.get(payload.order_id)
    if card is None or not covers_group(batch.regions.get(user.id, []), card.group):
        return None
    if not batch.alert_messages.get((payload.order_id, user.id)):
        return None  # nothing to edit (the alerts are not recorded)
    text = agent_views.agent_alert(card, agent_views.current_event(card), user, ctx)
    return text, agent_views.agent_buttons(card)


def edits_of(row: Notification, batch: Batch) -> list[int]:
    """The messages a row edits instead of sending a new one (none for most kinds)."""
    decoded = batch.payloads.get(row.id or 0)
    if decoded is None or isinstance(decoded, BadPayload):
        return []
    _kind, payload = decoded
    if isinstance(payload, AlertEdit):
        return batch.alert_messages.get((payload.order_id, row.user_id), [])
    return []


def _shipment(payload: Payload, user: User, batch: Batch, ctx: RenderContext) -> Rendered | None:
    assert isinstance(payload, ShipmentNotice)
    shipment = batch.shipments.get(payload.shipment_id)
    event = batch.shipment_events.get(payload.event_id)
    if shipment is None or event is None:
        return None
    mine = batch.on_board.get((user.id, payload.shipment_id), [])
    places = collections(
        mine, chosen=user.pickup_point_id, points=batch.points, runners=batch.point_agents
    )
    orders = [order for order, _group in mine]
    return shipment_views.event_notice(shipment, event, orders, places, user, ctx)


def _digest(payload: Payload, user: User, batch: Batch, ctx: RenderContext) -> Rendered | None:
    assert isinstance(payload, DigestNotice)
    if user.digest == "off":
        return None  # turned off after it was built
    return digest_views.digest_view(
        payload, user, ctx, products=batch.products, groups=batch.groups,
        orders=batch.digest_orders, events=batch.digest_events, shipments=batch.digest_shipments,
    )  # fmt: skip


def _group_opened(
    payload: Payload, user: User, batch: Batch, ctx: RenderContext
) -> Rendered | None:
    group = _group(batch, payload)
    if group is None or group.status != "open" or group.deadline <= ctx.now:
        return None
    if not user.group_alerts:
        return None  # turned off after it was queued
    near = set(geo.nearby_cities(group.country, group.city))
    nearby = [
        g for g in batch.open_groups
        if g.id != group.id and g.country == group.country
        and (g.city in near or same_city(g.city, group.city)) and g.deadline > ctx.now
    ]  # fmt: skip
    return digest_views.group_opened_view(group, nearby, user, ctx)


def _broadcast(payload: Payload, user: User, batch: Batch, ctx: RenderContext) -> Rendered | None:
    assert isinstance(payload, BroadcastNotice)
    broadcast = batch.broadcasts.get(payload.broadcast_id)
    if broadcast is None or broadcast.status == BroadcastStatus.STOPPED:
        return None  # stopped after this row was claimed: it is skipped, not sent
    if user.is_banned:
        return None  # suspended since it was queued
    return broadcast_views.recipient_text(broadcast.text), None


@dataclass(frozen=True)
class Media:
    """A row sent as one message, as it was checked to fit when it was queued (not split at
    4,096 characters), with a photo when it has one (its text is then the caption)."""

    photo: str | None = None


def media_of(row: Notification, batch: Batch) -> Media | None:
    """How a row is sent when not as plain text split to fit (None: most kinds)."""
    decoded = batch.payloads.get(row.id or 0)
    if decoded is None or isinstance(decoded, BadPayload):
        return None
    _kind, payload = decoded
    if isinstance(payload, BroadcastNotice):
        broadcast = batch.broadcasts.get(payload.broadcast_id)
        return Media(photo=broadcast.photo if broadcast is not None else None)
    return None


RENDERERS: dict[Kind, Renderer] = {
    Kind.TEXT: _text,
    Kind.GROUP_MIN_REACHED: _min_reached,
    Kind.GROUP_REMINDER: _reminder,
    Kind.GROUP_EXTENDED: _extended,
    Kind.GROUP_FORMED: _formed,
    Kind.GROUP_FAILED: _with_balance(notices.group_failed),
    Kind.GROUP_CANCELLED: _with_balance(notices.group_cancelled),
    Kind.AGENT_ORDER: _agent_alert,
    Kind.AGENT_GROUP_FORMED: _agent_summary,
    Kind.ORDER_PAID: _paid,
    Kind.ORDER_HANDED: _about_order(notices.order_handed),
    Kind.SHIPMENT_UPDATE: _shipment,
    Kind.AGENT_ORDER_EDIT: _alert_edit,
    Kind.DIGEST: _digest,
    Kind.GROUP_OPENED: _group_opened,
    Kind.BROADCAST: _broadcast,
    Kind.BALANCE: _balance,
}


def render(row: Notification, user: User, batch: Batch, ctx: RenderContext) -> Rendered | None:
    """The row's text and keyboard, or None when it no longer applies (or its payload is
    broken: nothing sensible can be said, so nothing is sent)."""
    decoded = batch.payloads.get(row.id or 0)
    if decoded is None or isinstance(decoded, BadPayload):
        return None
    kind, payload = decoded
    return RENDERERS[kind](payload, user, batch, ctx)
