"""The catalogue's screens: prices, weights, product cards, pagers."""

from __future__ import annotations

from decimal import Decimal

from aiogram.types import InlineKeyboardButton
from aiogram.utils.i18n import gettext as _
from babel.units import format_unit

from domain import geo
from models import Product, User
from services import catalog
from services.catalog import localized
from ui.callbacks import NoopCb
from ui.money import format_price
from ui.render import button, q, truncate

CARD_DESCRIPTION_LIMIT = 600  # keeps a photo card's caption within Telegram's 1024 characters


def weight_text(grams: int, locale: str) -> str:
    loc = geo.babel_locale(locale)
    if grams >= 1000:
        return format_unit(Decimal(grams) / 1000, "mass-kilogram", length="short", locale=loc)
    return format_unit(grams, "mass-gram", length="short", locale=loc)


def unit_label(unit: str) -> str:
    return _(catalog.UNITS.get(unit, unit))


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
    if product.unit_weight_g:
        lines.append(
            _("⚖️ Net weight: {weight}").format(weight=q(weight_text(product.unit_weight_g, locale)))
        )
    if product.hs_code:
        lines.append(_("🏷 HS code: {code}").format(code=q(product.hs_code)))
    if user.country:
        country = q(geo.country_name(user.country, locale))
        if catalog.can_ship(product, user.country):
            lines.append(_("✅ Can be shipped to {country}").format(country=country))
        else:
            lines.append(
                _("⛔ Cannot be shipped to {country} (import restrictions)").format(country=country)
            )
    return "\n".join(lines)
