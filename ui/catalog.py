"""The catalogue's screens: prices, weights, product cards, pagers."""

from __future__ import annotations

from decimal import Decimal

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from babel.units import format_unit

from domain import geo
from domain.catalog import UNITS, can_ship, is_liquid, localized
from models import Product, User
from services.catalog import CategoryRow, CategoryScreen
from services.groups import ProductScreen
from ui.callbacks import FROM_SEARCH, CategoryCb, NoopCb, ProductCb, SearchPageCb
from ui.groups import product_group_buttons
from ui.keyboard import Keyboard
from ui.memo import Drawn
from ui.money import format_price, unit_length
from ui.render import button, home_button, q, truncate

CARD_DESCRIPTION_LIMIT = 600  # keeps a photo card's caption within Telegram's 1024 characters


def weight_text(grams: int, locale: str) -> str:
    loc = geo.babel_locale(locale)
    if grams >= 1000:
        kilos = Decimal(grams) / 1000
        return format_unit(kilos, "mass-kilogram", length=unit_length(locale), locale=loc)
    grams_text = format_unit(grams, "mass-gram", length=unit_length(locale), locale=loc)
    # Taiwan writes 公克 (as it writes 公斤 and 公升); CLDR's long form there is 克
    return grams_text.replace("克", "公克") if locale == "zh_Hant" else grams_text


def volume_text(millilitres: int, locale: str) -> str:
    """`1.9 L`, `750 ml` (`1.9升` in Chinese), by Babel."""
    loc = geo.babel_locale(locale)
    if millilitres >= 1000:
        litres = (Decimal(millilitres) / 1000).normalize()
        return format_unit(litres, "volume-liter", length=unit_length(locale), locale=loc)
    return format_unit(millilitres, "volume-milliliter", length=unit_length(locale), locale=loc)


def unit_label(unit: str) -> str:
    return _(UNITS.get(unit, unit))


def product_price(product: Product, user: User, rate: int | None, locale: str) -> str:
    return format_price(product.price_cny, user.currency or "CNY", rate, locale)


def pager_row(page: int, pages: int, make) -> list[InlineKeyboardButton]:  # noqa: ANN001
    """« ‹page/pages› » — the arrows only where there is somewhere to go."""
    row = []
    if page > 0:
        row.append(button("«", make(page - 1)))
    row.append(button(f"{page + 1}/{pages}", NoopCb().pack()))
    if page < pages - 1:
        row.append(button("»", make(page + 1)))
    return row


def card_text(product: Product, user: User, rate: int | None, locale: str) -> str:
    name = localized(product.names, locale)
    description = truncate(localized(product.descriptions, locale), CARD_DESCRIPTION_LIMIT)
    lines = [f"<b>{q(name)}</b>"]
    if description:
        lines += [q(description)]
    lines += [
        "",
        _("💰 {price} per {unit}").format(
            price=q(product_price(product, user, rate, locale)), unit=q(unit_label(product.unit))
        ),
    ]
    if product.unit_weight_g and is_liquid(product):
        lines.append(
            _("🧴 Volume: {volume}").format(volume=q(volume_text(product.unit_weight_g, locale)))
        )
    elif product.unit_weight_g:
        lines.append(
            _("⚖️ Net weight: {weight}").format(weight=q(weight_text(product.unit_weight_g, locale)))
        )
    if product.stock is not None:
        lines.append(stock_line(product.stock))
    if product.hs_code:
        lines.append(_("🏷 HS code: {code}").format(code=q(product.hs_code)))
    if user.country:
        country = q(geo.country_name(user.country, locale))
        if can_ship(product, user.country):
            lines.append(_("✅ Can be shipped to {country}").format(country=country))
        else:
            lines.append(
                _("⛔ Cannot be shipped to {country} (import restrictions)").format(country=country)
            )
    return "\n".join(lines)


def stock_line(stock: int) -> str:
    """A counted product's stock, as buyers read it."""
    if stock <= 0:
        return _("❌ Out of stock")
    return ngettext("📦 {count} left in stock", "📦 {count} left in stock", stock).format(
        count=stock
    )


_drawn = Drawn()


def categories_view(rows: list[CategoryRow], locale: str) -> tuple[str, InlineKeyboardMarkup]:
    """The categories (drawn once per catalogue version and language: ui.memo)."""
    return _drawn.get((rows,), ("categories", locale), lambda: _categories_view(rows, locale))


def _categories_view(rows: list[CategoryRow], locale: str) -> tuple[str, InlineKeyboardMarkup]:
    kb = Keyboard()
    for row in rows:
        name = localized(row.category.names, locale)
        kb.button(
            text=f"{row.category.emoji} {name} ({row.product_count})".strip(),
            callback_data=CategoryCb(id=row.category.id or 0, page=0),
        )
    kb.adjust(2)
    kb.row(home_button())
    if not rows:
        return _("The catalogue is empty for now. Please come back soon."), kb.as_markup()
    return _("🛒 <b>Catalogue</b>\nChoose a category:"), kb.as_markup()


def category_view(
    screen: CategoryScreen, user: User, locale: str
) -> tuple[str, InlineKeyboardMarkup]:
    """A page of a category (drawn once per version, language, currency and country)."""
    key = ("category", locale, user.currency, user.country)
    return _drawn.get((screen,), key, lambda: _category_view(screen, user, locale))


def _category_view(
    screen: CategoryScreen, user: User, locale: str
) -> tuple[str, InlineKeyboardMarkup]:
    category, result, rate = screen.category, screen.page, screen.rate
    category_id, page = category.id or 0, result.page
    kb = Keyboard()
    for product in result.products:
        kb.row(
            button(
                f"{localized(product.names, locale)} · {product_price(product, user, rate, locale)}",
                ProductCb(id=product.id or 0, cat=category_id, page=page).pack(),
            )
        )
    if result.pages > 1:
        kb.row(*pager_row(page, result.pages, lambda p: CategoryCb(id=category_id, page=p).pack()))
    kb.row(button(_("⬅ Categories"), CategoryCb(id=0).pack()), home_button())
    name = localized(category.names, locale)
    text = ngettext(
        "{emoji} <b>{name}</b>\nPage {page} of {pages} · {total} product",
        "{emoji} <b>{name}</b>\nPage {page} of {pages} · {total} products",
        result.total,
    ).format(
        emoji=q(category.emoji),
        name=q(name),
        page=page + 1,
        pages=result.pages,
        total=result.total,
    )
    if result.shippable == 0 and user.country:
        text += "\n\n" + _(
            "⛔ None of these products can be shipped to {country} (import restrictions)."
        ).format(country=q(geo.country_name(user.country, locale)))
    return text, kb.as_markup()


def product_view(
    screen: ProductScreen, user: User, locale: str, data: ProductCb
) -> tuple[str, InlineKeyboardMarkup, str | None]:
    """A product's card, its groups to join, and its photo; back to where it was opened from
    (drawn once per version of the product and its groups, language, currency, country and
    time zone)."""
    groups = tuple(group for group, _offer in screen.groups)
    key = (
        "product", locale, user.currency, user.country, user.timezone, screen.rate,
        data.cat, data.page,
    )  # fmt: skip
    return _drawn.get(
        (screen.product, *groups), key, lambda: _product_view(screen, user, locale, data)
    )


def _product_view(
    screen: ProductScreen, user: User, locale: str, data: ProductCb
) -> tuple[str, InlineKeyboardMarkup, str | None]:
    product, rate = screen.product, screen.rate
    if data.cat == FROM_SEARCH:
        back = button(_("⬅ Results"), SearchPageCb(page=max(0, data.page)).pack())
    else:
        back = button(
            _("⬅ Back"), CategoryCb(id=product.category_id, page=max(0, data.page)).pack()
        )
    kb = Keyboard()
    for join in product_group_buttons(screen.groups, user, locale):
        kb.row(join)
    kb.row(back, button(_("🛒 Catalogue"), CategoryCb(id=0).pack()))
    return card_text(product, user, rate, locale), kb.as_markup(), product.photo
