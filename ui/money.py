"""Money as people read it: Babel formats every amount and rate in the reader's locale."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Literal

from babel.numbers import format_currency, get_currency_name

from domain.geo import babel_locale
from domain.money import BASE_CURRENCY, line_amount, to_decimal


def format_rate(per_cny_micro: int, locale: str) -> str:
    from babel.numbers import format_decimal

    value = Decimal(per_cny_micro).scaleb(-6).normalize()
    return format_decimal(value, format="#,##0.######", locale=babel_locale(locale))


@lru_cache(maxsize=65_536)  # pure: prices repeat on every screen
def format_money(minor: int, currency: str, locale: str) -> str:
    """`1250, "EUR"` → `12,50 €` in Italian, `€12.50` in English (Babel, the locale's own pattern)."""
    return format_currency(to_decimal(minor, currency), currency, locale=babel_locale(locale))


@lru_cache(maxsize=65_536)
def format_price(
    unit_cny: int, currency: str, per_cny_micro: int | None, locale: str, quantity: int = 1
) -> str:
    """A unit price (or `quantity` of it) in the buyer's currency beside the yuan price:
    `12,50 € (98,00 CN¥)`. Amounts follow `line_amount`, so they add up as shown.

    Without a rate for the buyer's currency (or when it is the yuan) only the yuan price is shown.
    """
    yuan = format_money(unit_cny * quantity, BASE_CURRENCY, locale)
    if currency == BASE_CURRENCY or per_cny_micro is None:
        return yuan
    local = format_money(line_amount(unit_cny, quantity, per_cny_micro, currency), currency, locale)
    return f"{local} ({yuan})"


def format_amounts(amount_cny: int, amount_local: int, currency: str, locale: str) -> str:
    """An amount already worked out in both currencies: `355,80 € (2.780,00 CN¥)`."""
    yuan = format_money(amount_cny, BASE_CURRENCY, locale)
    if currency == BASE_CURRENCY:
        return yuan
    return f"{format_money(amount_local, currency, locale)} ({yuan})"


def currency_name(code: str, locale: str) -> str:
    """The currency's name in the reader's language (欧元, Euro, euro), as Babel knows it."""
    return get_currency_name(code, locale=babel_locale(locale))


def currency_label(code: str, locale: str) -> str:
    """The name with the code beside it: `Euro (EUR)`; in Chinese with full-width brackets and
    no spaces, as Chinese text is set: `欧元（EUR）`."""
    name = currency_name(code, locale)
    if not name or name == code:
        return code
    return f"{name}（{code}）" if locale.startswith("zh") else f"{name} ({code})"


def unit_length(locale: str) -> Literal["short", "long"]:
    """How long a unit's name is shown: Chinese writes 公斤 and 克 as product names do (CLDR's
    short form there is kg and g); elsewhere the short form (kg, g)."""
    return "long" if locale.startswith("zh") else "short"
