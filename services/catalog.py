"""The catalogue: categories, products in pages, product cards' facts, exchange rates."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from math import ceil
from typing import TypeVar

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.catalog import FALLBACK_LOCALES, UNITS, can_ship, localized
from domain.text import fold
from models import Category, ExchangeRate, Product
from models.base import utcnow
from services.cache import cache
from services.tx import writes

T = TypeVar("T")

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


_catalog = cache("catalog")


async def list_categories(session: AsyncSession) -> list[CategoryRow]:
    """The categories buyers see, with how many products each has (cached: services.cache)."""
    return await _catalog.get(session, "categories", lambda: _list_categories(session))


async def _list_categories(session: AsyncSession) -> list[CategoryRow]:
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
    """Raises NotFound for a category that does not exist or a page out of range. Cached
    (services.cache) per page, currency and country."""

    async def load() -> CategoryScreen:
        category = await get_category(session, category_id)
        result = await products_page(
            session, category_id=category_id, page=page, page_size=page_size, country=country
        )
        return CategoryScreen(
            category=category, page=result, rate=await get_rate(session, currency)
        )

    key = ("page", category_id, page, page_size, currency, country)
    return await _catalog.get(session, key, load)


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
    """Micro-units of `currency` per yuan (cached with the catalogue: services.cache)."""
    if not currency:
        return None
    return (await _catalog.get(session, "rates", lambda: _rates(session))).get(currency)


async def _rates(session: AsyncSession) -> dict[str, int]:
    return {rate.currency: rate.per_cny_micro for rate in await list_rates(session)}


async def cached(session: AsyncSession, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
    """Something read from the catalogue's tables, kept until they change (services.cache)."""
    return await _catalog.get(session, key, load)


async def products_on_sale(session: AsyncSession) -> dict[int, Product]:
    """Every product buyers see, by id (cached: shared between updates, not to be changed)."""

    async def load() -> dict[int, Product]:
        found = await session.exec(select(Product).where(on_sale()))
        return {product.id or 0: product for product in found.all()}

    return await _catalog.get(session, "on_sale", load)


async def product_on_sale(session: AsyncSession, product_id: int) -> Product:
    """`get_product` for the buyers' screens, cached (services.cache): the product is shared
    between updates and must not be changed."""
    return await _catalog.get(
        session, ("product", product_id), lambda: get_product(session, product_id)
    )


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
