"""/stats: the admins' sales figures over the last 7, 30 or 90 days, in at most seven queries.

What counts (the same for the totals, the days, the cities and the products):

- **Orders**: the orders *placed* in the period (`Order.created_at`), in every status but
  `cancelled`: `placed` (its group still open), `confirmed`, `paid`, `shipped`,
  `ready_for_pickup`, `delivered`. A buyer who left, the orders of a group that failed and those
  of a cancelled group are all `cancelled`, so they never count.
- **Buyers**: the distinct people behind those orders.
- **Revenue**: what those orders come to, in yuan fen: the agreed `amount_cny` of the orders
  whose group formed; for the `placed` ones (their group still open, nothing agreed yet) the
  lines at the group's current tier price, reported apart as *provisional*. The euro figure is
  the yuan total converted at the current EUR rate (`exchange_rates`), in integers.
- **Cities**: the group's destination. **Products**: the lines' quantities, and their amounts at
  the tier the group formed at (or has reached, while open).
- **Groups formed / failed / cancelled**: the groups that *closed* in the period
  (`GroupOrder.closed_at`, set when a group forms, fails or is cancelled), by their status
  (a formed group that has since shipped or been delivered counts as formed).

Days are the admin's calendar days in their time zone, the last one today (from `now`). The
previous period of the same length comes along for the comparison.

Queries: the orders aggregated by day, group and status; their lines aggregated by day, group,
status and offer; the distinct buyers of both periods; the groups and the offers those rows name
(with the products); the closed groups by period and status; the EUR rate. Rows are bucketed
into days in SQL with a `CASE` over the days' UTC boundaries (exact in any time zone, DST
included, and the same SQL on SQLite and PostgreSQL); Python only adds up the aggregated rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import case, func
from sqlalchemy import select as select_many  # sqlmodel's takes 4 columns at most
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain import pricing
from domain.money import convert
from models import (
    ExchangeRate,
    GroupOffer,
    GroupOrder,
    GroupStatus,
    Order,
    OrderLine,
    OrderStatus,
    Product,
)

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 7
EUR = "EUR"
FORMED = (GroupStatus.FORMED, GroupStatus.SHIPPED, GroupStatus.DELIVERED)
CLOSED = (*FORMED, GroupStatus.FAILED, GroupStatus.CANCELLED)
PREVIOUS = -1  # the bucket of the previous period


def parse_period(args: str | None) -> int | None:
    """`/stats` → 7, `/stats 30` → 30; anything but 7, 30 or 90 → None."""
    text = (args or "").strip()
    if not text:
        return DEFAULT_PERIOD
    return int(text) if text in {str(days) for days in PERIODS} else None


def zone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True)
class Period:
    """The last `days` calendar days in a time zone, today included."""

    days: int
    first: date
    last: date
    # the UTC instants of the local midnights: the first day's, then each next day's (days + 1)
    bounds: tuple[datetime, ...]
    previous_start: datetime  # the local midnight `days` days before the first day

    @property
    def dates(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range(self.days)]


def period_of(days: int, now: datetime, zone: str | None) -> Period:
    tz = zone_of(zone)
    last = now.astimezone(tz).date()
    first = last - timedelta(days=days - 1)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)

    bounds = tuple(midnight(first + timedelta(days=i)) for i in range(days + 1))
    return Period(days, first, last, bounds, midnight(first - timedelta(days=days)))


@dataclass(frozen=True)
class Totals:
    orders: int = 0
    buyers: int = 0
    revenue_cny: int = 0  # fen, provisional part included
    provisional_cny: int = 0  # of the orders whose group is still open, at its current tier
    provisional_orders: int = 0
    formed: int = 0
    failed: int = 0
    cancelled: int = 0


@dataclass(frozen=True)
class CityFigure:
    country: str
    city: str
    orders: int
    revenue_cny: int


@dataclass(frozen=True)
class ProductFigure:
    product: Product
    quantity: int  # product units
    revenue_cny: int


@dataclass(frozen=True)
class SalesStats:
    period: Period
    current: Totals
    previous: Totals
    daily_orders: list[int]  # one per day of the period, days without orders at 0
    daily_revenue_cny: list[int]
    cities: list[CityFigure]  # by revenue, then orders: all of them (the view shows the top)
    products: list[ProductFigure]  # by revenue, then quantity
    eur_rate: int | None  # euro per yuan × 10⁶, None when no EUR rate is set

    @property
    def revenue_eur(self) -> int | None:
        """The period's yuan revenue in euro cents at the current rate."""
        if self.eur_rate is None:
            return None
        return convert(self.current.revenue_cny, self.eur_rate, EUR)


def _day(column: Any, period: Period) -> Any:
    """The bucket of a timestamp: -1 for the previous period, else the day's index."""
    whens = [(column < period.bounds[0], PREVIOUS)]
    whens += [(column < period.bounds[i + 1], i) for i in range(period.days - 1)]
    return case(*whens, else_=period.days - 1)


def _price(offer: GroupOffer, tier: int) -> int:
    prices = offer.prices or [0]
    return prices[min(tier, len(prices) - 1)]


async def sales_stats(
    session: AsyncSession, *, days: int, now: datetime, zone: str | None
) -> SalesStats:
    period = period_of(days, now, zone)
    created = col(Order.created_at)
    window = (
        created >= period.previous_start,
        created < period.bounds[-1],
        col(Order.status) != OrderStatus.CANCELLED,
    )

    # 1. orders by day, group and status
    inner = (
        select_many(
            _day(created, period).label("day"),
            col(Order.group_id).label("group_id"),
            col(Order.status).label("status"),
            col(Order.id).label("id"),
            col(Order.amount_cny).label("amount"),
        )
        .where(*window)
        .subquery()
    )
    order_rows = (
        await session.exec(
            select_many(
                inner.c.day,
                inner.c.group_id,
                inner.c.status,
                func.count(inner.c.id),
                func.coalesce(func.sum(inner.c.amount), 0),
            ).group_by(inner.c.day, inner.c.group_id, inner.c.status)  # type: ignore[call-overload]
        )
    ).all()

    # 2. their lines by day, group, status and offer
    inner_lines = (
        select_many(
            _day(created, period).label("day"),
            col(Order.group_id).label("group_id"),
            col(Order.status).label("status"),
            col(OrderLine.offer_id).label("offer_id"),
            col(OrderLine.quantity).label("quantity"),
        )
        .join(Order, col(Order.id) == col(OrderLine.order_id))
        .where(*window)
        .subquery()
    )
    line_rows = (
        await session.exec(
            select_many(
                inner_lines.c.day,
                inner_lines.c.group_id,
                inner_lines.c.status,
                inner_lines.c.offer_id,
                func.coalesce(func.sum(inner_lines.c.quantity), 0),
            ).group_by(
                inner_lines.c.day,
                inner_lines.c.group_id,
                inner_lines.c.status,
                inner_lines.c.offer_id,
            )  # type: ignore[call-overload]
        )
    ).all()

    # 3. distinct buyers, this period and the previous one
    current_start = period.bounds[0]
    buyers_now, buyers_before = (
        await session.exec(
            select(
                func.count(case((created >= current_start, col(Order.user_id))).distinct()),
                func.count(case((created < current_start, col(Order.user_id))).distinct()),
            ).where(*window)
        )
    ).one()

    # 4–5. the groups and offers (with their products) named by those rows
    group_ids = {int(row[1]) for row in order_rows} | {int(row[1]) for row in line_rows}
    offer_ids = {int(row[3]) for row in line_rows}
    groups: dict[int, GroupOrder] = {}
    offers: dict[int, tuple[GroupOffer, Product]] = {}
    if group_ids:
        found = await session.exec(select(GroupOrder).where(col(GroupOrder.id).in_(group_ids)))
        groups = {group.id or 0: group for group in found.all()}
    if offer_ids:
        pairs = await session.exec(
            select(GroupOffer, Product)
            .join(Product, col(Product.id) == col(GroupOffer.product_id))
            .where(col(GroupOffer.id).in_(offer_ids))
        )
        offers = {offer.id or 0: (offer, product) for offer, product in pairs.all()}

    # 6. the groups that closed, by period and status
    closed_at = col(GroupOrder.closed_at)
    inner_closed = (
        select(
            case((closed_at < current_start, PREVIOUS), else_=0).label("bucket"),
            col(GroupOrder.status).label("status"),
            col(GroupOrder.id).label("id"),
        )
        .where(
            closed_at >= period.previous_start,
            closed_at < period.bounds[-1],
            col(GroupOrder.status).in_(CLOSED),
        )
        .subquery()
    )
    closed_rows = (
        await session.exec(
            select(
                inner_closed.c.bucket, inner_closed.c.status, func.count(inner_closed.c.id)
            ).group_by(inner_closed.c.bucket, inner_closed.c.status)
        )
    ).all()

    # 7. the euro rate
    rate = await session.get(ExchangeRate, EUR)

    # adding up the aggregated rows
    def tier(group_id: int) -> int:
        group = groups.get(group_id)
        return pricing.tier_index(group.tiers, group.total) if group else 0

    daily_orders = [0] * days
    daily_revenue = [0] * days
    orders = {True: 0, False: 0}  # current period?
    revenue = {True: 0, False: 0}
    provisional = {True: 0, False: 0}
    provisional_orders = {True: 0, False: 0}
    city_orders: dict[tuple[str, str], int] = defaultdict(int)
    city_revenue: dict[tuple[str, str], int] = defaultdict(int)
    product_quantity: dict[int, int] = defaultdict(int)
    product_revenue: dict[int, int] = defaultdict(int)

    def place(group_id: int) -> tuple[str, str]:
        group = groups.get(group_id)
        return (group.country, group.city) if group else ("", "")

    for day, group_id, status, count, amount in order_rows:
        now_ = int(day) >= 0
        orders[now_] += int(count)
        if status == OrderStatus.PLACED:
            provisional_orders[now_] += int(count)
        else:
            revenue[now_] += int(amount)
        if now_:
            daily_orders[int(day)] += int(count)
            city_orders[place(int(group_id))] += int(count)
            if status != OrderStatus.PLACED:
                daily_revenue[int(day)] += int(amount)
                city_revenue[place(int(group_id))] += int(amount)
    for day, group_id, status, offer_id, quantity in line_rows:
        now_ = int(day) >= 0
        pair = offers.get(int(offer_id))
        if pair is None:
            continue
        offer, product = pair
        amount = pricing.line_amount(_price(offer, tier(int(group_id))), int(quantity))
        if status == OrderStatus.PLACED:
            provisional[now_] += amount
            revenue[now_] += amount
            if now_:
                daily_revenue[int(day)] += amount
                city_revenue[place(int(group_id))] += amount
        if now_:
            product_quantity[product.id or 0] += int(quantity)
            product_revenue[product.id or 0] += amount
    closed: dict[tuple[bool, str], int] = defaultdict(int)
    for bucket, status, count in closed_rows:
        kind = "formed" if status in FORMED else str(status)
        closed[(int(bucket) >= 0, kind)] += int(count)

    def totals(now_: bool, buyers: int) -> Totals:
        return Totals(
            orders=orders[now_],
            buyers=int(buyers or 0),
            revenue_cny=revenue[now_],
            provisional_cny=provisional[now_],
            provisional_orders=provisional_orders[now_],
            formed=closed[(now_, "formed")],
            failed=closed[(now_, GroupStatus.FAILED)],
            cancelled=closed[(now_, GroupStatus.CANCELLED)],
        )

    products = {product.id or 0: product for _offer, product in offers.values()}
    return SalesStats(
        period=period,
        current=totals(True, buyers_now),
        previous=totals(False, buyers_before),
        daily_orders=daily_orders,
        daily_revenue_cny=daily_revenue,
        cities=sorted(
            (
                CityFigure(
                    country, city, city_orders[(country, city)], city_revenue[(country, city)]
                )
                for country, city in city_orders
            ),
            key=lambda c: (-c.revenue_cny, -c.orders, c.country, c.city),
        ),
        products=sorted(
            (
                ProductFigure(products[pid], product_quantity[pid], product_revenue[pid])
                for pid in product_quantity
            ),
            key=lambda p: (-p.revenue_cny, -p.quantity, p.product.id or 0),
        ),
        eur_rate=rate.per_cny_micro if rate else None,
    )
