"""The catalogue: categories, products in pages, product cards' facts, exchange rates."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.catalog import FALLBACK_LOCALES, UNITS, can_ship, localized
from domain.text import fold
from models import Category, ExchangeRate, Product
from models.base import utcnow
from services.tx import writes

__all__ = ["FALLBACK_LOCALES", "UNITS", "can_ship", "localized"]


@dataclass(frozen=True)
class CategoryRow:
    category: Category
    product_count: int


@dataclass(frozen=True)
class Page:
    products: list[Product]
    page: int  # 0-based
    pages: int
    total: int
    shippable: int | None = None  # how many of them can reach the buyer's country (None: unknown)


class NotFound(LookupError):
    """The object does not exist (any more): a stale or forged reference."""


def active_category_ids():  # noqa: ANN201 - a SQL subquery
    """The categories buyers see (an admin hid the others, and every product in them)."""
    return select(Category.id).where(col(Category.is_active).is_(True))


def on_sale():  # noqa: ANN201 - a SQL condition
    """A product buyers see: on sale itself, in a category on show."""
    return col(Product.is_active).is_(True) & col(Product.category_id).in_(active_category_ids())


async def list_categories(session: AsyncSession) -> list[CategoryRow]:
    counts = (
        select(Product.category_id, func.count().label("n"))
        .where(col(Product.is_active).is_(True))
        .group_by(col(Product.category_id))
        .subquery()
    )
    statement = (
        select(Category, counts.c.n)
        .join(counts, counts.c.category_id == Category.id)
        .where(col(Category.is_active).is_(True))
        .order_by(col(Category.position), col(Category.id))
    )
    rows = await session.exec(statement)
    return [CategoryRow(category, int(n)) for category, n in rows.all()]


async def get_category(session: AsyncSession, category_id: int) -> Category:
    """A category buyers see (a hidden one is NotFound)."""
    category = await session.get(Category, category_id)
    if category is None or not category.is_active:
        raise NotFound(category_id)
    return category


async def products_page(
    session: AsyncSession,
    *,
    category_id: int,
    page: int,
    page_size: int,
    country: str | None = None,
) -> Page:
    """One page of a category's active products: those that can be shipped to `country` first
    (in catalogue order), then the rest. A page out of range raises NotFound."""
    await get_category(session, category_id)
    statement = (
        select(Product)
        .where(col(Product.category_id) == category_id, col(Product.is_active).is_(True))
        .order_by(col(Product.position), col(Product.id))
    )
    products = list((await session.exec(statement)).all())  # a category holds a few dozen
    shippable = None
    if country:
        products.sort(key=lambda product: not can_ship(product, country))  # stable: keeps order
        shippable = sum(1 for product in products if can_ship(product, country))
    total = len(products)
    pages = max(1, ceil(total / page_size))
    if page < 0 or page >= pages:
        raise NotFound(page)
    chunk = products[page * page_size : (page + 1) * page_size]
    return Page(products=chunk, page=page, pages=pages, total=total, shippable=shippable)


@dataclass(frozen=True)
class CategoryScreen:
    """One page of a category, with the rate of the buyer's currency."""

    category: Category
    page: Page
    rate: int | None


async def category_screen(
    session: AsyncSession, *, category_id: int, page: int, page_size: int, currency: str | None,
    country: str | None = None,
) -> CategoryScreen:  # fmt: skip
    """Raises NotFound for a category that does not exist or a page out of range."""
    category = await get_category(session, category_id)
    result = await products_page(
        session, category_id=category_id, page=page, page_size=page_size, country=country
    )
    return CategoryScreen(category=category, page=result, rate=await get_rate(session, currency))


async def get_product(session: AsyncSession, product_id: int) -> Product:
    """A product buyers see: on sale, in a category on show."""
    product = await session.get(Product, product_id)
    if product is None or not product.is_active:
        raise NotFound(product_id)
    category = await session.get(Category, product.category_id)
    if category is None or not category.is_active:
        raise NotFound(product_id)
    return product


def refresh_search_fields(product: Product) -> None:
    """Keep the folded search columns in step with the names and descriptions."""
    product.search_names = "\n".join(fold(name) for name in product.names.values() if name)
    product.search_text = "\n".join(fold(text) for text in product.descriptions.values() if text)


async def get_rate(session: AsyncSession, currency: str | None) -> int | None:
    if not currency:
        return None
    rate = await session.get(ExchangeRate, currency)
    return rate.per_cny_micro if rate else None


async def list_rates(session: AsyncSession) -> list[ExchangeRate]:
    return list(
        (await session.exec(select(ExchangeRate).order_by(col(ExchangeRate.currency)))).all()
    )


@writes
async def set_rate(
    session: AsyncSession, *, currency: str, per_cny_micro: int, updated_by: int | None
) -> ExchangeRate:
    rate = await session.get(ExchangeRate, currency)
    if rate is None:
        rate = ExchangeRate(currency=currency, per_cny_micro=per_cny_micro)
    rate.per_cny_micro = per_cny_micro
    rate.updated_at = utcnow()
    rate.updated_by = updated_by
    session.add(rate)
    return rate


async def product_by_slug(session: AsyncSession, slug: str) -> Product | None:
    return (await session.exec(select(Product).where(Product.slug == slug))).first()


async def active_products(session: AsyncSession) -> list[Product]:
    """Every product on sale, in catalogue order."""
    statement = (
        select(Product)
        .where(col(Product.is_active).is_(True))
        .order_by(col(Product.category_id), col(Product.position))
    )
    return list((await session.exec(statement)).all())


async def products_by_slug(session: AsyncSession, slugs: list[str]) -> dict[str, Product]:
    """Products by their codes, in one query (codes that match nothing are left out)."""
    if not slugs:
        return {}
    found = await session.exec(select(Product).where(col(Product.slug).in_(set(slugs))))
    return {product.slug: product for product in found.all()}
