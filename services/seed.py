"""`seed-demo`: load the demo catalogue. Idempotent: rows are matched by slug and updated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.money import parse_rate
from models import Agent, Category, ExchangeRate, GroupOrder, PickupPoint, Product, User
from services import demo_data
from services.catalog import refresh_search_fields


@dataclass(frozen=True)
class SeedReport:
    categories: int
    products: int
    rates: int
    created: int
    groups: int = 0


async def seed_demo(session: AsyncSession, *, now: datetime | None = None) -> SeedReport:
    created = 0
    categories: dict[str, Category] = {
        c.slug: c for c in (await session.exec(select(Category))).all()
    }
    for data in demo_data.CATEGORIES:
        category = categories.get(data["slug"])
        if category is None:
            category = Category(slug=data["slug"])
            categories[category.slug] = category
            created += 1
        category.position = data["position"]
        category.emoji = data["emoji"]
        category.names = dict(data["names"])
        session.add(category)
    await session.flush()

    products = {p.slug: p for p in (await session.exec(select(Product))).all()}
    for data in demo_data.PRODUCTS:
        product = products.get(data["slug"])
        if product is None:
            product = Product(slug=data["slug"], category_id=0, price_cny=0, unit=data["unit"])
            created += 1
        product.category_id = categories[data["category"]].id or 0
        product.position = data["position"]
        product.names = dict(data["names"])
        product.descriptions = dict(data["descriptions"])
        product.price_cny = data["price_cny"]
        product.unit = data["unit"]
        product.unit_weight_g = data["unit_weight_g"]
        product.hs_code = data["hs_code"]
        product.restricted_countries = sorted(data["restricted_countries"])
        refresh_search_fields(product)
        session.add(product)

    rates = 0
    for currency, value in demo_data.EXCHANGE_RATES.items():
        if await session.get(ExchangeRate, currency) is None:  # never overwrite an admin's rate
            micro = parse_rate(value)
            assert micro is not None, (currency, value)
            session.add(ExchangeRate(currency=currency, per_cny_micro=micro))
            rates += 1
            created += 1
    await session.commit()
    demo_groups = await seed_demo_groups(session, now=now or datetime.now(UTC))
    return SeedReport(
        categories=len(demo_data.CATEGORIES),
        products=len(demo_data.PRODUCTS),
        rates=rates,
        created=created,
        groups=demo_groups,
    )


# The demo's agent in Milan (a sample user: no one can write as them) and the pickup points
# they run in Chinatown, around Via Paolo Sarpi: Milan's buyers choose one in /settings.
DEMO_AGENT: dict[str, Any] = {
    "id": 900001, "first_name": "Chen Wei", "country": "IT", "city": "Milan",
}  # fmt: skip
DEMO_POINTS = (
    ("Ristorante Hangzhou", "Via Paolo Sarpi 24, 20154 Milano", "Tue–Sun 11:30–15:00, 18:30–23:00"),
    ("Bazar Sarpi", "Via Paolo Sarpi 7, 20154 Milano", "Mon–Sat 9:30–19:30"),
)

# Open group orders of the demo: (country, city, method, days to the deadline, pickup point)
DEMO_GROUPS = (
    ("IT", "Milan", "rail", 9, "Ristorante Hangzhou"),
    ("ES", "Madrid", "rail", 11, None),
    ("PT", "Lisbon", "sea", 20, None),
    ("FR", "Paris", "air", 6, None),
    ("NL", "Rotterdam", "sea", 18, None),
    ("AT", "Vienna", "rail", 13, None),
)
DEMO_OFFERS = (
    "restaurant-rice-25kg",
    "rice-fish-rice-5kg",
    "dried-shiitake",
    "dried-bamboo-shoots",
    "qingtian-green-tea",
    "camellia-oil-1l",
)
DEMO_TIERS_KG = (0, 300, 600)
DEMO_DISCOUNTS = (100, 93, 88)  # percent of the list price at each tier


async def seed_demo_groups(session: AsyncSession, *, now: datetime) -> int:
    """Open a demo group order in each diaspora city that has none open (idempotent)."""
    from services import groups
    from services.groups import GroupSpec, OfferSpec

    products = {
        p.slug: p
        for p in (
            await session.exec(select(Product).where(col(Product.slug).in_(DEMO_OFFERS)))
        ).all()
    }
    offers = [
        OfferSpec(
            product_id=products[slug].id or 0,
            prices=[products[slug].price_cny * pct // 100 // 100 * 100 for pct in DEMO_DISCOUNTS],
        )
        for slug in DEMO_OFFERS
        if slug in products
    ]
    await seed_demo_agent(session)
    created = 0
    for country, city, method, days, pickup in DEMO_GROUPS:
        if await groups.open_groups(session, country=country, city=city, now=now):
            continue
        deadline = (now + timedelta(days=days)).replace(hour=11, minute=0, second=0, microsecond=0)
        await groups.create_group(
            session,
            spec=GroupSpec(
                country=country,
                city=city,
                method=method,
                deadline=deadline,
                measure="weight",
                min_total=DEMO_TIERS_KG[1] * 1000,
                capacity=1500 * 1000,
                tiers=[kg * 1000 for kg in DEMO_TIERS_KG],
                pickup_point=pickup,
                offers=offers,
            ),  # fmt: skip
            created_by=None,
            now=now,
        )
        created += 1
    return created


async def seed_demo_agent(session: AsyncSession) -> None:
    """The Milan agent and their pickup points (idempotent: matched by name)."""
    data = DEMO_AGENT
    if await session.get(User, data["id"]) is None:
        session.add(
            User(
                id=data["id"], first_name=data["first_name"], locale="zh_Hans",
                country=data["country"], city=data["city"], currency="EUR",
                timezone="Europe/Rome",
            )
        )  # fmt: skip
        await session.flush()
    agent = (
        await session.exec(
            select(Agent).where(Agent.user_id == data["id"], Agent.country == data["country"])
        )
    ).first()
    if agent is None:
        agent = Agent(user_id=data["id"], country=data["country"], city=data["city"])
        session.add(agent)
        await session.flush()
    have = {
        p.name
        for p in (
            await session.exec(select(PickupPoint).where(PickupPoint.agent_id == agent.id))
        ).all()
    }
    for name, address, hours in DEMO_POINTS:
        if name not in have:
            session.add(
                PickupPoint(
                    agent_id=agent.id or 0, country=agent.country, city=agent.city, name=name,
                    address=address, hours=hours,
                )
            )  # fmt: skip
    await session.flush()
    # an older sandbox's Milan group named its pickup point in free text: link it
    points = (await session.exec(select(PickupPoint).where(PickupPoint.agent_id == agent.id))).all()
    unlinked = (
        await session.exec(
            select(GroupOrder).where(
                GroupOrder.country == agent.country,
                col(GroupOrder.pickup_point_id).is_(None),
                col(GroupOrder.pickup_point).is_not(None),
            )
        )
    ).all()
    for group in unlinked:
        point = next((p for p in points if (group.pickup_point or "").startswith(p.name)), None)
        if point is not None:
            group.pickup_point_id = point.id
            session.add(group)
    await session.flush()


async def catalogue_is_empty(session: AsyncSession) -> bool:
    return (await session.exec(select(Product.id).limit(1))).first() is None
