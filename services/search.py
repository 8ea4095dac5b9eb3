"""Product search over every locale's names and descriptions, ranked (see services.search_index).

The index lives in memory, one per database, and is rebuilt when the catalogue changes, in this
process or another: each search first reads a cheap version of the `products` table (one
aggregate query) and compares it with the one the index was built at. The hits themselves are
read fresh by primary key, so prices and the like are never stale."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Text, case, cast, func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.search_text import query_terms
from models import Category, Product
from services.catalog import get_rate, on_sale, products_on_sale
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
    engine: weakref.ref[object] | None  # the engine it was read from (another one at this key:
    # a new database, perhaps with the same version, whose index this is not)


_indexes: OrderedDict[str, _Built] = OrderedDict()
# One build at a time per database: concurrent searches after a change wait for it. An asyncio
# lock belongs to the event loop it is first used in, so there is one set per loop.
_build_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def reset() -> None:
    """Forget every index (the next search rebuilds it): for tests, which open databases anew."""
    _indexes.clear()
    _build_locks.clear()


forget_indexes = reset


def catalogue_changed() -> None:
    """An admin changed the catalogue in this process (called once it is committed): the next
    search rebuilds the index, even for an edit the version cannot see (`Salame` → `Salami`).
    Other processes notice by the version, or within MAX_INDEX_AGE_SECONDS."""
    _indexes.clear()


def _build_lock(key: str) -> asyncio.Lock:
    locks = _build_locks.setdefault(asyncio.get_running_loop(), {})
    lock = locks.get(key)
    if lock is None:
        lock = locks[key] = asyncio.Lock()
    return lock


def _now() -> float:
    return time.monotonic()


async def catalogue_version(session: AsyncSession) -> tuple[int, ...]:
    """Changes whenever a product is added, removed, put on or off sale, or has a name or a
    description of another length, and whenever a category is hidden or shown. (An admin's
    edit in this process also forgets the index at once: `forget_indexes`.)"""
    product_id = cast(col(Product.id), BigInteger)
    active_id = case((col(Product.is_active), product_id * product_id), else_=0)
    text_length = func.length(cast(col(Product.names), Text)) + func.length(
        cast(col(Product.descriptions), Text)
    )
    category_id = cast(col(Category.id), BigInteger)
    shown_categories = (
        select(func.coalesce(func.sum(category_id * category_id), 0))
        .where(col(Category.is_active).is_(True))
        .scalar_subquery()
    )
    statement = sa_select(  # SQLModel's `select` takes four columns at most
        func.count(),
        func.coalesce(func.max(col(Product.id)), 0),
        func.coalesce(func.sum(active_id), 0),
        func.coalesce(func.sum(text_length), 0),
        shown_categories,
    ).select_from(Product)
    row = (await session.exec(statement)).one()  # type: ignore[call-overload]
    return tuple(int(value or 0) for value in row)


def _database(session: AsyncSession) -> tuple[str, object | None]:
    """The key of the session's database in the cache, and its engine."""
    bind = session.bind
    if bind is None:
        return "", None
    engine = bind.sync_engine if isinstance(bind, AsyncEngine) else bind.engine
    return f"{engine.url!r}#{id(engine)}", engine


def _usable(built: _Built | None, version: tuple[int, ...], engine: object | None) -> bool:
    if built is None or built.version != version:
        return False
    if (built.engine() if built.engine is not None else None) is not engine:
        return False
    age = _now() - built.built_at
    return 0 <= age <= MAX_INDEX_AGE_SECONDS  # a clock moved back expires it too


async def current_index(session: AsyncSession) -> SearchIndex:
    """The index of the catalogue as it is now, rebuilt first if it changed (once, however many
    searches ask for it meanwhile)."""
    from services.catalog import cached

    key, engine = _database(session)
    # the fingerprint is read again only when the catalogue's cache version moved on
    version = await cached(session, "fingerprint", lambda: catalogue_version(session))
    built = _indexes.get(key)
    if not _usable(built, version, engine):
        async with _build_lock(key):
            built = _indexes.get(key)  # perhaps built while this search waited
            if not _usable(built, version, engine):
                built = await _build(session, version, engine)
                _indexes[key] = built
                while len(_indexes) > MAX_INDEXES:
                    _indexes.popitem(last=False)
    assert built is not None
    if key in _indexes:
        _indexes.move_to_end(key)
    return built.index


async def _build(session: AsyncSession, version: tuple[int, ...], engine: object | None) -> _Built:
    now = _now()
    categories = await session.exec(select(col(Category.id), col(Category.position)))
    category_positions = {id_: position for id_, position in categories.all()}
    statement = select(
        col(Product.id),
        col(Product.position),
        col(Product.names),
        col(Product.descriptions),
    ).where(on_sale())
    products = await session.exec(
        statement.add_columns(col(Product.category_id))  # type: ignore[call-overload]
    )
    entries = [
        Entry(
            id=id_ or 0,
            position=position,
            names=names or {},
            descriptions=descriptions or {},
            category_position=category_positions.get(category_id, 0),
        )
        for id_, position, names, descriptions, category_id in products.all()
    ]
    # Building segments Chinese and stems every word: off the event loop.
    index = await asyncio.to_thread(SearchIndex, entries, SYNONYMS)
    return _Built(
        version=version,
        index=index,
        built_at=now,
        engine=weakref.ref(engine) if engine is not None else None,
    )


MAX_RANKINGS = 20_000  # queries remembered per index
_rankings: weakref.WeakKeyDictionary[SearchIndex, dict[tuple[object, ...], list[Any]]] = (
    weakref.WeakKeyDictionary()
)


async def search_products(
    session: AsyncSession, *, query: str, locale: str, limit: int = 50
) -> list[Hit]:
    """Products matching the query, best first. Every word must match when any product has them
    all; otherwise products matching the most words come first."""
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryTooLong(len(query))
    index = await current_index(session)
    # the same query in the same language ranks the same in the same index (one rebuilt after
    # a change in the catalogue, with its words, ranks afresh): read, split and stemmed once
    memo = _rankings.setdefault(index, {})
    key = (query, locale, limit)
    ranked = memo.get(key)
    if ranked is None:
        terms = query_terms(query)
        if len(memo) >= MAX_RANKINGS:
            memo.clear()
        ranked = memo[key] = index.search(terms, locale)[:limit] if terms else []
    if not ranked:
        return []
    products = await products_on_sale(session)
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
