"""Product search over every locale's names and descriptions, ranked (see services.search_index).

The index lives in memory, one per database, and is rebuilt when the catalogue changes, in this
process or another: each search first reads a cheap version of the `products` table (one
aggregate query) and compares it with the one the index was built at. The hits themselves are
read fresh by primary key, so prices and the like are never stale."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import BigInteger, Text, case, cast, func
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.search_text import query_terms
from models import Product
from services.catalog import get_rate
from services.demo_synonyms import SYNONYMS
from services.search_index import Entry, SearchIndex

MAX_QUERY_LENGTH = 100
# An edit that keeps the counts, the ids and every text's length (`Salame` → `Salami`) does not
# change the version: the index is rebuilt after this many seconds anyway.
MAX_INDEX_AGE_SECONDS = 600.0
MAX_INDEXES = 4  # databases whose index is kept (one in production; tests open many)


class QueryTooLong(ValueError):
    pass


@dataclass(frozen=True)
class Hit:
    product: Product
    score: int


def tokens(query: str) -> list[str]:
    """The query's search terms, folded, each once (Chinese split into words, in Simplified
    characters)."""
    return [term.text for term in query_terms(query)]


@dataclass(frozen=True)
class _Built:
    version: tuple[int, ...]
    index: SearchIndex
    built_at: float


_indexes: OrderedDict[str, _Built] = OrderedDict()


def _now() -> float:
    return time.monotonic()


async def catalogue_version(session: AsyncSession) -> tuple[int, ...]:
    """Changes whenever a product is added, removed, put on or off sale, or has a name or a
    description of another length."""
    product_id = cast(col(Product.id), BigInteger)
    active_id = case((col(Product.is_active), product_id * product_id), else_=0)
    text_length = func.length(cast(col(Product.names), Text)) + func.length(
        cast(col(Product.descriptions), Text)
    )
    statement = select(
        func.count(),
        func.coalesce(func.max(col(Product.id)), 0),
        func.coalesce(func.sum(active_id), 0),
        func.coalesce(func.sum(text_length), 0),
    ).select_from(Product)
    row = (await session.exec(statement)).one()
    return tuple(int(value or 0) for value in row)


def _database_key(session: AsyncSession) -> str:
    bind = session.bind
    if bind is None:
        return ""
    engine = bind if isinstance(bind, AsyncEngine) else bind.engine
    return str(engine.url)


async def current_index(session: AsyncSession) -> SearchIndex:
    """The index of the catalogue as it is now, rebuilt first if it changed."""
    key = _database_key(session)
    version = await catalogue_version(session)
    built = _indexes.get(key)
    now = _now()
    if built is None or built.version != version or now - built.built_at > MAX_INDEX_AGE_SECONDS:
        statement = select(
            col(Product.id), col(Product.position), col(Product.names), col(Product.descriptions)
        ).where(col(Product.is_active).is_(True))
        entries = [
            Entry(
                id=id_ or 0, position=position, names=names or {}, descriptions=descriptions or {}
            )
            for id_, position, names, descriptions in (await session.exec(statement)).all()
        ]
        # Building segments Chinese and stems every word: off the event loop.
        index = await asyncio.to_thread(SearchIndex, entries, SYNONYMS)
        built = _Built(version=version, index=index, built_at=now)
        _indexes[key] = built
        while len(_indexes) > MAX_INDEXES:
            _indexes.popitem(last=False)
    _indexes.move_to_end(key)
    return built.index


async def search_products(
    session: AsyncSession, *, query: str, locale: str, limit: int = 50
) -> list[Hit]:
    """Products matching the query, best first. Every word must match when any product has them
    all; otherwise products matching the most words come first."""
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryTooLong(len(query))
    index = await current_index(session)
    terms = query_terms(query)
    if not terms:
        return []
    ranked = index.search(terms, locale)[:limit]
    if not ranked:
        return []
    ids = [row.id for row in ranked]
    statement = select(Product).where(col(Product.id).in_(ids), col(Product.is_active).is_(True))
    products = {product.id: product for product in (await session.exec(statement)).all()}
    return [Hit(products[row.id], row.score) for row in ranked if row.id in products]


@dataclass(frozen=True)
class ResultsPage:
    """One page of a search: its hits, where it is, how many were found in all, and the rate of
    the buyer's currency (None when nothing was found)."""

    hits: list[Hit]
    page: int  # 0-based
    pages: int  # 0 when nothing was found
    total: int
    rate: int | None


async def results_page(
    session: AsyncSession,
    *,
    query: str,
    locale: str,
    currency: str | None,
    page: int,
    page_size: int,
) -> ResultsPage | None:
    """The page, or None when it does not exist (finding nothing makes page 0 only)."""
    hits = await search_products(session, query=query, locale=locale)
    if not hits:
        return ResultsPage(hits=[], page=0, pages=0, total=0, rate=None) if page == 0 else None
    pages = (len(hits) + page_size - 1) // page_size
    if not 0 <= page < pages:
        return None
    return ResultsPage(
        hits=hits[page * page_size : (page + 1) * page_size],
        page=page,
        pages=pages,
        total=len(hits),
        rate=await get_rate(session, currency),
    )
