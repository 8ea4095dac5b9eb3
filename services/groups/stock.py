"""Stock, for the products that count it (`Product.stock` not None): an order line takes its
units when it is placed or raised, in the same transaction, by a conditional UPDATE (`stock >=
n`), so two buyers racing for the last units cannot both have them; lowering a line, leaving,
and a group that fails or is cancelled give them back. A group that forms keeps them: they are
sold. Products whose stock is not counted are never limited."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.errors import GroupError
from models import GroupOffer, OrderLine, Product


async def take(
    session: AsyncSession, product_id: int, units: int, *, have: int = 0, held: int = 0
) -> int:
    """A line of `have` units, `held` of them taken from stock, changes by `units`: take them
    from a counted product, or refuse with GroupError("stock", left=the most this line may hold,
    have=what it holds now). Negative `units` give back what the line took, never more (units
    ordered while the stock was not counted were never taken). Returns the change of `held`."""
    if units < 0:
        back = min(-units, held)
        await give_back(session, {product_id: back})
        return -back
    if units == 0:
        return 0
    result = await session.exec(
        update(Product)
        .where(col(Product.id) == product_id, col(Product.stock) >= units)
        .values(stock=col(Product.stock) - units)
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount == 1:
        return units
    left = (await session.exec(select(Product.stock).where(col(Product.id) == product_id))).one()
    if left is None:
        return 0  # not counted: nothing taken
    raise GroupError("stock", left=max(0, left) + have, have=have)


async def give_back(session: AsyncSession, units: dict[int, int]) -> None:
    """Return units to counted products (one UPDATE each, in id order: two transactions never
    wait for each other's products the other way round)."""
    for product_id in sorted(units):
        if units[product_id] > 0:
            await session.exec(
                update(Product)
                .where(col(Product.id) == product_id, col(Product.stock).is_not(None))
                .values(stock=col(Product.stock) + units[product_id])
                .execution_options(synchronize_session="fetch")
            )


async def units_of(session: AsyncSession, order_ids: Sequence[int]) -> dict[int, int]:
    """The units the orders' lines took from stock, by product, in one query."""
    if not order_ids:
        return {}
    statement = (
        select(GroupOffer.product_id, func.sum(OrderLine.stock_taken))
        .join(GroupOffer, col(GroupOffer.id) == OrderLine.offer_id)
        .where(col(OrderLine.order_id).in_(list(order_ids)))
        .group_by(col(GroupOffer.product_id))
    )
    return {
        product_id: int(total or 0) for product_id, total in (await session.exec(statement)).all()
    }


async def release_orders(session: AsyncSession, order_ids: Sequence[int]) -> None:
    """The orders are cancelled (a buyer left, the group failed or was cancelled): their units
    go back on sale."""
    await give_back(session, await units_of(session, order_ids))
