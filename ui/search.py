"""Search results, a page at a time."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from domain.catalog import localized
from models import User
from services.search import ResultsPage
from ui.callbacks import FROM_SEARCH, CategoryCb, ProductCb, SearchPageCb
from ui.catalog import pager_row, product_price
from ui.context import current
from ui.keyboard import Keyboard
from ui.memo import Drawn
from ui.render import button, home_button, q

_drawn = Drawn()


def results_view(found: ResultsPage, user: User, query: str) -> tuple[str, InlineKeyboardMarkup]:
    """A page of results (drawn once per page of the same cached products, query, language and
    currency: ui.memo)."""
    locale = current().locale
    sources = tuple(hit.product for hit in found.hits)
    key = (
        "results",
        query,
        locale,
        user.currency,
        found.page,
        found.pages,
        found.total,
        found.rate,
    )
    return _drawn.get(sources, key, lambda: _results_view(found, user, query, locale))


def _results_view(
    found: ResultsPage, user: User, query: str, locale: str
) -> tuple[str, InlineKeyboardMarkup]:
    kb = Keyboard()
    if not found.total:
        kb.row(button(_("🛒 Browse the catalogue"), CategoryCb(id=0).pack()), home_button())
        text = _("Nothing found for “{query}”. Try other words, or browse the catalogue.").format(
            query=q(query)
        )
        return text, kb.as_markup()
    page, pages, rate = found.page, found.pages, found.rate
    for hit in found.hits:
        product = hit.product
        kb.row(
            button(
                f"{localized(product.names, locale)} · {product_price(product, user, rate, locale)}",
                ProductCb(id=product.id or 0, cat=FROM_SEARCH, page=page).pack(),
            )
        )
    if pages > 1:
        kb.row(*pager_row(page, pages, lambda p: SearchPageCb(page=p).pack()))
    kb.row(button(_("🛒 Catalogue"), CategoryCb(id=0).pack()), home_button())
    text = ngettext(
        "🔍 “{query}”: {count} product found",
        "🔍 “{query}”: {count} products found",
        found.total,
    ).format(query=q(query), count=found.total)
    return text, kb.as_markup()
