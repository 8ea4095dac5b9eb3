"""The agent's collection list of a group: per buyer, what is due, what was paid and how, and
what is to be refunded, with totals per way of paying (reads only)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.balance import Balance
from domain.orders import Line
from models import GroupOrder, Order, PickupPoint, User
from services.agents import covers, users_by_id
from services.groups.balances import balances
from services.groups.queries import lines_of
from services.pickup import buyer_point, city_points


@dataclass
class CollectionEntry:
    order: Order
    buyer: User | None
    point: PickupPoint | None
    lines: list[Line]
    balance: Balance


@dataclass
class Collection:
    group: GroupOrder
    entries: list[CollectionEntry]
    people: dict[int, User]  # who recorded the entries


async def collection(
    session: AsyncSession, *, group_id: int, actor_id: int, is_admin: bool = False
) -> Collection | None:
    """Every order of the group that has a balance to speak of (not cancelled, or cancelled
    with money still held), oldest first; a fixed number of queries. None for an unknown group,
    or one outside the regions of `actor_id` (unless an admin)."""
    group = await session.get(GroupOrder, group_id)
    if group is None:
        return None
    if not is_admin and not await covers(session, user_id=actor_id, group=group):
        return None
    orders = list(
        (
            await session.exec(
                select(Order).where(Order.group_id == group_id).order_by(col(Order.id))
            )
        ).all()
    )
    buyers = await users_by_id(session, [order.user_id for order in orders])
    lines = await lines_of(session, [order.id or 0 for order in orders])
    money = await balances(session, orders, groups={group_id: group}, lines=lines, buyers=buyers)
    points = await city_points(session, [(group.country, group.city)])
    entries = []
    for order in orders:
        balance = money.get(order.id or 0)
        if balance is None:
            continue
        if order.status == "cancelled" and not balance.entries:
            continue  # left before paying anything: nothing to collect or give back
        buyer = buyers.get(order.user_id)
        entries.append(
            CollectionEntry(
                order, buyer, buyer_point(buyer, group, points), lines[order.id or 0], balance
            )  # fmt: skip
        )
    recorders = {e.recorded_by for entry in entries for e in entry.balance.entries if e.recorded_by}
    people = await users_by_id(session, sorted(recorders))
    return Collection(group, entries, people)
