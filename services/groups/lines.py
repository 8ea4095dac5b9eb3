"""Order lines with their offers and products, for many orders in one query (the lowest of the
groups' read modules: balances and queries both use it)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.orders import Line
from models import GroupOffer, OrderLine, Product


async def lines_of(session: AsyncSession, order_ids: Sequence[int]) -> dict[int, list[Line]]:
    """The lines (with offer and product) of many orders, in one query, keyed by order id."""
    found: dict[int, list[Line]] = {order_id: [] for order_id in order_ids}
    if not order_ids:
        return found
    statement = (
        select(OrderLine, GroupOffer, Product)
        .join(GroupOffer, col(GroupOffer.id) == OrderLine.offer_id)
        .join(Product, col(Product.id) == GroupOffer.product_id)
        .where(col(OrderLine.order_id).in_(order_ids))
        .order_by(col(GroupOffer.position), col(GroupOffer.id))
    )
    for line, offer, product in (await session.exec(statement)).all():
        found[line.order_id].append((line, offer, product))
    return found
