"""Product search over every locale's names and descriptions, case- and accent-insensitive, ranked."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.text import fold
from models import Product
from services.catalog import get_rate

MAX_QUERY_LENGTH = 100
MAX_CANDIDATES = 500


class QueryTooLong(ValueError):
    pass


@dataclass(frozen=True)
class Hit:
    product: Product
    score: int


def tokens(query: str) -> list[str]:
    words = []
    for word in fold(query).split():
        word = word.strip(".,;:!?\"'()[]{}«»“”„‘’、，。！？：；（）")
        if word and word not in words:
            words.append(word)
    return words


def _like(token: str) -> str:
    escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _score(product: Product, words: list[str], locale: str) -> tuple[int, int]:
    """(how many words matched, score). Names weigh more than descriptions, the user's language most."""
    own_name = fold(product.names.get(locale, ""))
    names = product.search_names.split("\n")
    matched = 0
    score = 0
    for word in words:
        word_score = 0
        if word in own_name:
            word_score = 12 if own_name.startswith(word) else 10
        elif any(word in name for name in names):
            word_score = 8 if any(name.startswith(word) for name in names) else 6
        elif word in product.search_text:
            word_score = 2
        if word_score:
            matched += 1
            score += word_score
    return matched, score


async def search_products(
    session: AsyncSession, *, query: str, locale: str, limit: int = 50
) -> list[Hit]:
    """Products matching the query, best first. Every word must match when any product has them
    all; otherwise products matching the most words come first."""
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryTooLong(len(query))
    words = tokens(query)
    if not words:
        return []
    conditions = []
    for word in words:
        pattern = _like(word)
        conditions.append(col(Product.search_names).like(pattern, escape="\\"))
        conditions.append(col(Product.search_text).like(pattern, escape="\\"))
    statement = (
        select(Product)
        .where(col(Product.is_active).is_(True), or_(*conditions))
        .limit(MAX_CANDIDATES)
    )
    candidates = (await session.exec(statement)).all()
    ranked = []
    for product in candidates:
        matched, score = _score(product, words, locale)
        if matched:
            ranked.append((matched, score, product))
    if not ranked:
        return []
    best = max(matched for matched, _, _ in ranked)
    if best == len(words):
        ranked = [row for row in ranked if row[0] == best]
    ranked.sort(key=lambda row: (-row[0], -row[1], row[2].position, row[2].id or 0))
    return [Hit(product, score) for _, score, product in ranked[:limit]]


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
