"""Everything a batch of outbox rows needs, read at once: the number of queries does not grow
with the batch (a group closing for 5,000 buyers is a few queries per batch, not 20,000)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from domain.notices import AgentAlert, BadPayload, Kind, OrderNotice, Payload, decode
from models import Agent, GroupOrder, Notification, Order, User
from services import agents, groups
from services.agents import OrderCard
from services.groups import Line, lines_of


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


async def prefetch(session: AsyncSession, rows: Sequence[Notification]) -> Batch:
    batch = Batch()
    group_ids: set[int] = set()
    order_ids: set[int] = set()
    formed_orders: set[int] = set()
    alerts: set[int] = set()
    agents_alerted: set[int] = set()
    summaries: set[int] = set()  # groups whose agents get the formed summary
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
        elif isinstance(payload, OrderNotice):
            group_ids.add(payload.group_id)
            order_ids.add(payload.order_id)
            if kind == Kind.GROUP_FORMED:
                formed_orders.add(payload.order_id)
        elif hasattr(payload, "group_id"):
            group_ids.add(payload.group_id)
            if kind == Kind.AGENT_GROUP_FORMED:
                summaries.add(payload.group_id)
                agents_alerted.add(row.user_id)
    batch.groups = await groups.groups_by_id(session, sorted(group_ids))
    batch.orders = await groups.orders_by_id(session, sorted(order_ids))
    if formed_orders:
        batch.lines = await lines_of(session, sorted(formed_orders))
    if alerts:
        batch.cards = await agents.order_cards(session, sorted(alerts))
    if agents_alerted:
        batch.regions = await agents.regions_of(session, sorted(agents_alerted))
    if summaries:
        batch.group_orders = await groups.active_orders_of(session, sorted(summaries))
        buyer_ids = [o.user_id for orders in batch.group_orders.values() for o in orders]
        batch.buyers = await agents.users_by_id(session, buyer_ids)
    return batch
