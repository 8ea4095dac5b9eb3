"""`seed-demo`: load the demo catalogue. Idempotent: rows are matched by slug and updated."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import Category, ExchangeRate, Product
from services import demo_data
from services.catalog import refresh_search_fields
from services.money import parse_rate


@dataclass(frozen=True)
class SeedReport:
    categories: int
    products: int
    rates: int
    created: int


async def seed_demo(session: AsyncSession) -> SeedReport:
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
    return SeedReport(
        categories=len(demo_data.CATEGORIES),
        products=len(demo_data.PRODUCTS),
        rates=rates,
        created=created,
    )


async def catalogue_is_empty(session: AsyncSession) -> bool:
    return (await session.exec(select(Product.id).limit(1))).first() is None
