"""An order with its lines, and what it comes to at a tier's prices."""

from __future__ import annotations

from dataclasses import dataclass

from domain import money, pricing
from models import GroupOffer, Order, OrderLine, Product

Line = tuple[OrderLine, GroupOffer, Product]


@dataclass
class OrderView:
    order: Order
    lines: list[tuple[OrderLine, GroupOffer, Product]]


def order_amount(view: OrderView, tier: int) -> int:
    """Yuan minor units at a tier's prices (a line that could not be supplied is not charged)."""
    return sum(
        pricing.line_amount(offer.prices[tier], line.quantity)
        for line, offer, _ in view.lines
        if line.supplied
    )


def order_amount_local(view: OrderView, tier: int, rate: int | None, currency: str) -> int:
    """The same in the buyer's currency: the sum of the lines as shown (`money.line_amount`)."""
    return sum(
        money.line_amount(offer.prices[tier], line.quantity, rate, currency)
        for line, offer, _ in view.lines
        if line.supplied
    )
