"""Exports for admins: orders (one row per order line) and users, read by one streamed query
each and capped at MAX_ROWS. The words (headers, statuses) and the files are made above."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import func
from sqlalchemy import select as select_many
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain import money, pricing
from models import GroupOffer, GroupOrder, Order, OrderLine, OrderStatus, Product, User
from services import audit
from services.catalog import list_rates
from services.tx import writes

MAX_ROWS = 100_000  # a file an admin can still open; the reply says when it was cut
STREAM_CHUNK = 1000


@dataclass(frozen=True)
class OrderRow:
    """One line of one order (an order without lines, such as a cancelled one: one row with
    no product). Amounts are the line's, in minor units: yuan at the group's tier (final once
    the group formed) and the buyer's currency at the rate fixed on the order, else today's
    (None without a rate, and for a cancelled order)."""

    order_id: int
    group_id: int
    country: str
    city: str
    buyer_id: int
    buyer_name: str
    buyer_username: str | None
    sku: str | None
    names: dict[str, str] | None
    quantity: int | None
    amount_cny: int | None
    amount_local: int | None
    currency: str | None
    status: str
    created_at: datetime
    paid_at: datetime | None
    handed_at: datetime | None


@dataclass(frozen=True)
class UserRow:
    user: User
    orders: int  # orders that are not cancelled


RowT = TypeVar("RowT")


@dataclass
class Export(Generic[RowT]):
    rows: list[RowT]
    truncated: bool  # more than MAX_ROWS matched: only the first MAX_ROWS are here


async def group_exists(session: AsyncSession, group_id: int) -> bool:
    return await session.get(GroupOrder, group_id) is not None


async def order_rows(
    session: AsyncSession, *, group_id: int | None = None, limit: int | None = None
) -> Export[OrderRow]:
    """Orders with their lines, oldest first, optionally of one group: one query, streamed
    (plus one for the exchange rates)."""
    limit = limit or MAX_ROWS
    rates = {rate.currency: rate.per_cny_micro for rate in await list_rates(session)}
    statement = (
        select_many(
            Order, GroupOrder, User, OrderLine, GroupOffer, Product
        )  # sqlmodel's: 4 at most
        .join(GroupOrder, col(GroupOrder.id) == Order.group_id)
        .outerjoin(User, col(User.id) == Order.user_id)
        .outerjoin(OrderLine, col(OrderLine.order_id) == Order.id)
        .outerjoin(GroupOffer, col(GroupOffer.id) == OrderLine.offer_id)
        .outerjoin(Product, col(Product.id) == GroupOffer.product_id)
        .order_by(col(Order.id), col(GroupOffer.position), col(OrderLine.id))
        .limit(limit + 1)
    )
    if group_id is not None:
        statement = statement.where(col(Order.group_id) == group_id)
    found: list[OrderRow] = []
    result = await session.stream(statement.execution_options(yield_per=STREAM_CHUNK))
    async for order, group, buyer, line, offer, product in result:
        if len(found) == limit:
            await result.close()
            return Export(found, truncated=True)
        found.append(_order_row(order, group, buyer, line, offer, product, rates))
    return Export(found, truncated=False)


def _order_row(
    order: Order, group: GroupOrder, buyer: User | None, line: OrderLine | None,
    offer: GroupOffer | None, product: Product | None, rates: dict[str, int],
) -> OrderRow:  # fmt: skip
    currency = order.currency or (buyer.currency if buyer else None) or money.BASE_CURRENCY
    amount_cny = amount_local = None
    if line is not None and offer is not None and order.status != OrderStatus.CANCELLED:
        tier = min(pricing.tier_index(group.tiers, group.total), len(offer.prices) - 1)
        unit = offer.prices[tier]
        amount_cny = pricing.line_amount(unit, line.quantity)
        rate = order.rate_micro if order.rate_micro is not None else rates.get(currency)
        if currency == money.BASE_CURRENCY:
            amount_local = amount_cny
        elif rate is not None:
            amount_local = money.line_amount(unit, line.quantity, rate, currency)
    return OrderRow(
        order_id=order.id or 0,
        group_id=group.id or 0,
        country=group.country,
        city=group.city,
        buyer_id=order.user_id,
        buyer_name=buyer.first_name if buyer else "",
        buyer_username=buyer.username if buyer else None,
        sku=product.slug if product else None,
        names=dict(product.names) if product else None,
        quantity=line.quantity if line else None,
        amount_cny=amount_cny,
        amount_local=amount_local,
        currency=currency if amount_local is not None else None,
        status=order.status,
        created_at=order.created_at,
        paid_at=order.paid_at,
        handed_at=order.handed_at,
    )


async def user_rows(session: AsyncSession, *, limit: int | None = None) -> Export[UserRow]:
    """Every user, oldest first, with how many orders they have that are not cancelled: one
    query, streamed."""
    limit = limit or MAX_ROWS
    counts = (
        select(Order.user_id, func.count().label("orders"))
        .where(col(Order.status) != OrderStatus.CANCELLED)
        .group_by(col(Order.user_id))
        .subquery()
    )
    statement = (
        select(User, func.coalesce(counts.c.orders, 0))
        .outerjoin(counts, counts.c.user_id == User.id)
        .order_by(col(User.created_at), col(User.id))
        .limit(limit + 1)
    )
    found: list[UserRow] = []
    result = await session.stream(statement.execution_options(yield_per=STREAM_CHUNK))
    async for user, orders in result:
        if len(found) == limit:
            await result.close()
            return Export(found, truncated=True)
        found.append(UserRow(user, int(orders)))
    return Export(found, truncated=False)


@writes
async def record_export(
    session: AsyncSession, *, admin_id: int, kind: str, rows: int, truncated: bool,
    group_id: int | None, now: datetime,
) -> None:  # fmt: skip
    """An export is an admin action too: who took which data, and how much of it."""
    after: dict[str, object] = {"rows": rows, "truncated": truncated}
    if group_id is not None:
        after["group_id"] = group_id
    audit.record(
        session, admin_id=admin_id, action=f"export.{kind}", object_type="export",
        object_id=kind if group_id is None else f"{kind}:{group_id}", after=after, at=now,
    )  # fmt: skip
