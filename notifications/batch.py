"""Everything a batch of outbox rows needs, read at once: the number of queries does not grow
with the batch (a group closing for 5,000 buyers is a few queries per batch, not 20,000)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.balance import Balance, Due
from domain.notices import (
    AgentAlert,
    AlertEdit,
    BadPayload,
    BalanceNotice,
    BalanceWhy,
    BroadcastNotice,
    DigestNotice,
    Kind,
    OrderNotice,
    Payload,
    ShipmentNotice,
    decode,
)
from models import (
    Agent,
    Broadcast,
    GroupOrder,
    Notification,
    Order,
    OrderStatus,
    OutboxStatus,
    Payment,
    PickupPoint,
    Product,
    Shipment,
    ShipmentEvent,
    User,
)
from services import agents, catalog, groups
from services.agents import OrderCard
from services.groups import Line, lines_of
from services.groups.balances import balances, recorders
from services.notify import alert_key
from services.pickup import city_points

_NOTHING = Due(0, 0, "CNY", None, provisional=False)


@dataclass
class Batch:
    payloads: dict[int, tuple[Kind, Payload] | BadPayload] = field(default_factory=dict)
    groups: dict[int, GroupOrder] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    lines: dict[int, list[Line]] = field(default_factory=dict)  # of the recipients' own orders
    cards: dict[int, OrderCard] = field(default_factory=dict)  # orders agents are alerted about
    regions: dict[int, list[Agent]] = field(default_factory=dict)  # of the agents alerted
    group_orders: dict[int, list[Order]] = field(default_factory=dict)  # for agents' summaries
    buyers: dict[int, User] = field(default_factory=dict)  # of those orders
    shipments: dict[int, Shipment] = field(default_factory=dict)
    shipment_events: dict[int, ShipmentEvent] = field(default_factory=dict)
    # (recipient, shipment) → their orders on board, with the group of each
    on_board: dict[tuple[int, int], list[tuple[Order, GroupOrder]]] = field(default_factory=dict)
    points: list[PickupPoint] = field(default_factory=list)  # of the shipments' cities
    point_agents: dict[int, User] = field(default_factory=dict)  # who runs each, by agent id
    # (order, agent) → the messages of the alerts already sent about it (to edit)
    alert_messages: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    # digests: what they name, by id
    products: dict[int, Product] = field(default_factory=dict)
    digest_orders: dict[int, Order] = field(default_factory=dict)
    digest_events: dict[int, ShipmentEvent] = field(default_factory=dict)
    digest_shipments: dict[int, Shipment] = field(default_factory=dict)
    open_groups: list[GroupOrder] = field(default_factory=list)  # for "also open nearby"
    broadcasts: dict[int, Broadcast] = field(default_factory=dict)  # admins' broadcasts, by id
    # the balances of the recipients' own orders, and the entries balance notices are about
    balances: dict[int, Balance] = field(default_factory=dict)
    entries: dict[int, Payment] = field(default_factory=dict)
    people: dict[int, User] = field(default_factory=dict)  # who recorded those entries


async def prefetch(session: AsyncSession, rows: Sequence[Notification]) -> Batch:
    batch = Batch()
    group_ids: set[int] = set()
    order_ids: set[int] = set()
    formed_orders: set[int] = set()
    alerts: set[int] = set()
    agents_alerted: set[int] = set()
    summaries: set[int] = set()  # groups whose agents get the formed summary
    shipment_ids: set[int] = set()
    event_ids: set[int] = set()
    on_board: set[int] = set()  # recipients of shipment events
    edits: set[str] = set()  # alert keys whose messages are edited
    digests: list[DigestNotice] = []
    broadcast_ids: set[int] = set()
    entry_ids: set[int] = set()
    opened = False
    for row in rows:
        try:
            kind, payload = decode(row.kind, row.payload)
        except BadPayload as error:
            batch.payloads[row.id or 0] = error
            continue
        batch.payloads[row.id or 0] = (kind, payload)
        if isinstance(payload, AgentAlert):
            alerts.add(payload.order_id)
            agents_alerted.add(row.user_id)
        elif isinstance(payload, AlertEdit):
            alerts.add(payload.order_id)
            agents_alerted.add(row.user_id)
            edits.add(alert_key(payload.order_id, row.user_id))
        elif isinstance(payload, BroadcastNotice):
            broadcast_ids.add(payload.broadcast_id)
        elif isinstance(payload, DigestNotice):
            digests.append(payload)
            group_ids.update(payload.groups, payload.region_groups)
        elif isinstance(payload, ShipmentNotice):
            shipment_ids.add(payload.shipment_id)
            event_ids.add(payload.event_id)
            on_board.add(row.user_id)
        elif isinstance(payload, OrderNotice | BalanceNotice):
            group_ids.add(payload.group_id)
            order_ids.add(payload.order_id)
            formed_orders.add(payload.order_id)  # their lines and balances are shown
            if isinstance(payload, BalanceNotice) and payload.why not in (
                BalanceWhy.TIER,
                BalanceWhy.TIER_UP,
            ):
                entry_ids.add(payload.ref)
        elif hasattr(payload, "group_id"):
            group_ids.add(payload.group_id)
            opened = opened or kind == Kind.GROUP_OPENED
            if kind == Kind.AGENT_GROUP_FORMED:
                summaries.add(payload.group_id)
                agents_alerted.add(row.user_id)
    if digests:
        await _digests(session, batch, digests, group_ids)
    if broadcast_ids:  # one query for any number of recipients' copies
        found_broadcasts = await session.exec(
            select(Broadcast).where(col(Broadcast.id).in_(broadcast_ids))
        )
        batch.broadcasts = {b.id or 0: b for b in found_broadcasts.all()}
    if opened:
        batch.open_groups = await groups.all_open_groups(session)
    batch.groups = await groups.groups_by_id(session, sorted(group_ids))
    batch.orders = await groups.orders_by_id(session, sorted(order_ids))
    if formed_orders:
        batch.lines = await lines_of(session, sorted(formed_orders))
        own = [batch.orders[i] for i in sorted(formed_orders) if i in batch.orders]
        batch.balances = await balances(session, own, groups=batch.groups, lines=batch.lines)
    if entry_ids:
        found_entries = await session.exec(select(Payment).where(col(Payment.id).in_(entry_ids)))
        batch.entries = {e.id or 0: e for e in found_entries.all()}
    if batch.balances or batch.entries:
        held = [*batch.balances.values(), Balance(_NOTHING, tuple(batch.entries.values()))]
        batch.people = await recorders(session, held)
    if alerts:
        batch.cards = await agents.order_cards(session, sorted(alerts))
    if agents_alerted:
        batch.regions = await agents.regions_of(session, sorted(agents_alerted))
    if summaries:
        batch.group_orders = await groups.active_orders_of(session, sorted(summaries))
        buyer_ids = [o.user_id for orders in batch.group_orders.values() for o in orders]
        batch.buyers = await agents.users_by_id(session, buyer_ids)
        summed = [o for orders in batch.group_orders.values() for o in orders]
        summary_groups = await groups.groups_by_id(session, sorted(summaries))
        batch.balances |= await balances(
            session, summed, groups=summary_groups, buyers=batch.buyers
        )
    if shipment_ids:
        await _shipments(session, batch, shipment_ids, event_ids, on_board)
    if edits:
        found = await session.exec(
            select(Notification.coalesce_key, Notification.message_id)
            .where(
                col(Notification.coalesce_key).in_(edits),
                col(Notification.kind) == Kind.AGENT_ORDER,
                col(Notification.status) == OutboxStatus.SENT,
                col(Notification.message_id).is_not(None),
            )
            .order_by(col(Notification.id))
        )
        for key, message_id in found.all():
            _prefix, order_id, user_id = (key or "::").split(":")
            batch.alert_messages.setdefault((int(order_id), int(user_id)), []).append(
                message_id or 0
            )
    return batch


async def _digests(
    session: AsyncSession, batch: Batch, digests: list[DigestNotice], group_ids: set[int]
) -> None:
    """Four queries for any number of digests: their products, orders, shipment events and
    the shipments of those (the groups are read with the batch's other groups)."""
    product_ids = {i for d in digests for i in d.products}
    order_ids = {i for d in digests for i in d.orders}
    event_ids = {i for d in digests for i in d.events}
    if product_ids:
        found_products = await session.exec(
            select(Product).where(col(Product.id).in_(product_ids), catalog.on_sale())
        )
        batch.products = {p.id or 0: p for p in found_products.all()}
    if order_ids:
        batch.digest_orders = await groups.orders_by_id(session, sorted(order_ids))
        group_ids.update(o.group_id for o in batch.digest_orders.values())
    if event_ids:
        rows = await session.exec(select(ShipmentEvent).where(col(ShipmentEvent.id).in_(event_ids)))
        batch.digest_events = {e.id or 0: e for e in rows.all()}
        ids = {e.shipment_id for e in batch.digest_events.values()}
        found = await session.exec(select(Shipment).where(col(Shipment.id).in_(ids)))
        batch.digest_shipments = {s.id or 0: s for s in found.all()}


async def _shipments(
    session: AsyncSession, batch: Batch, shipment_ids: set[int], event_ids: set[int],
    recipients: set[int],
) -> None:  # fmt: skip
    """Five queries for any number of shipment notices: the shipments, the events, the
    recipients' orders on board, the pickup points of the destinations and who runs them."""
    shipments = await session.exec(select(Shipment).where(col(Shipment.id).in_(shipment_ids)))
    batch.shipments = {s.id or 0: s for s in shipments.all()}
    events = await session.exec(select(ShipmentEvent).where(col(ShipmentEvent.id).in_(event_ids)))
    batch.shipment_events = {e.id or 0: e for e in events.all()}
    rows = await session.exec(
        select(Order, GroupOrder)
        .join(GroupOrder, col(GroupOrder.id) == Order.group_id)
        .where(
            col(GroupOrder.shipment_id).in_(shipment_ids),
            col(Order.user_id).in_(recipients),
            col(Order.status) != OrderStatus.CANCELLED,
        )
        .order_by(col(Order.id))
    )
    for order, group in rows.all():
        batch.on_board.setdefault((order.user_id, group.shipment_id or 0), []).append(
            (order, group)
        )
    places = sorted({(s.country, s.city) for s in batch.shipments.values()})
    batch.points = await city_points(session, places)
    batch.point_agents = await agents.point_agents(session, batch.points)
