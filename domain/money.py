"""Money in integer minor units with an ISO currency code; conversion from yuan at admin-set rates.

Rates are integers too: units of the target currency per yuan, scaled by RATE_SCALE. Rounding is
half-up in the target currency's minor unit, done with integers only.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache

from babel.core import get_global
from babel.numbers import get_currency_precision, get_territory_currencies

BASE_CURRENCY = "CNY"
RATE_SCALE = 10**6
MAX_RATE = 10**6 * RATE_SCALE  # nothing costs a million units of anything per yuan


def precision(currency: str) -> int:
    return get_currency_precision(currency)


def to_decimal(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-precision(currency))


MIN_RATE_TEXT = "0.000001"  # the smallest rate RATE_SCALE can hold
MAX_RATE_TEXT = "1000000"
BIG_CHANGE = Decimal("0.20")  # a rate change beyond this (either way) is confirmed first


@cache
def iso_currencies() -> frozenset[str]:
    """ISO 4217 codes legal tender somewhere today (CLDR's data via Babel): "XYZ", metals,
    funds and retired currencies such as DEM are not among them."""
    codes: set[str] = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, tender=True))
    return frozenset(codes)


def is_iso_currency(code: str) -> bool:
    return code in iso_currencies()


class RateProblem(StrEnum):
    NOT_A_NUMBER = "not_a_number"
    NOT_POSITIVE = "not_positive"
    TOO_SMALL = "too_small"  # below one millionth
    TOO_LARGE = "too_large"  # over a million per yuan


def rate_problem(text: str) -> RateProblem | None:
    """Why `parse_rate` refuses this text (None: it accepts it)."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return RateProblem.NOT_A_NUMBER
    if not value.is_finite():
        return RateProblem.NOT_A_NUMBER
    if value <= 0:
        return RateProblem.NOT_POSITIVE
    # the magnitude first: 1e999999 would overflow the arithmetic (and a huge exponent costs
    # seconds to expand), 1e-999999 is simply too small
    if value.adjusted() > 12:
        return RateProblem.TOO_LARGE
    if value.adjusted() < -12:
        return RateProblem.TOO_SMALL
    micro = int((value * RATE_SCALE).to_integral_value())
    if micro <= 0:
        return RateProblem.TOO_SMALL
    if micro > MAX_RATE:
        return RateProblem.TOO_LARGE
    return None


def rate_change(old_micro: int, new_micro: int) -> Decimal:
    """The relative change from one rate to another: 0.25 is +25 %."""
    return (Decimal(new_micro) - Decimal(old_micro)) / Decimal(old_micro)


def is_big_change(old_micro: int, new_micro: int) -> bool:
    return abs(rate_change(old_micro, new_micro)) > BIG_CHANGE


def parse_rate(text: str) -> int | None:
    """`0.128` or `0,128` → 128000 (micro-units per yuan); None if not a positive number."""
    if rate_problem(text) is not None:
        return None
    return int((Decimal(text.strip().replace(",", ".")) * RATE_SCALE).to_integral_value())


def convert(amount_cny: int, per_cny_micro: int, currency: str) -> int:
    """Yuan minor units (fen) → minor units of `currency`, rounded half-up."""
    if currency == BASE_CURRENCY:
        return amount_cny
    scale_num = 10 ** precision(currency)
    scale_den = 10 ** precision(BASE_CURRENCY) * RATE_SCALE
    numerator = amount_cny * per_cny_micro * scale_num
    quotient, remainder = divmod(abs(numerator), scale_den)
    if remainder * 2 >= scale_den:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def line_amount(unit_cny: int, quantity: int, per_cny_micro: int | None, currency: str) -> int:
    """A line in the buyer's currency: the unit price converted (and rounded) once, then times
    the quantity, so `quantity × unit price = line` holds in the currency shown, and the sum of
    the lines is the order. Without a rate (or in yuan) it is the yuan amount."""
    if currency == BASE_CURRENCY or per_cny_micro is None:
        return unit_cny * quantity
    return convert(unit_cny, per_cny_micro, currency) * quantity


def parse_money(text: str, currency: str) -> int | None:
    """An amount someone typed (`12.54`, `12,54`, `12`) → minor units of `currency`; None when it
    is not a positive amount with at most the currency's decimals (a typo is refused, not
    rounded)."""
    value = text.strip().replace(" ", "").replace("\u00a0", "")
    if not value or len(value) > 20:
        return None
    if value.count(",") == 1 and "." not in value:
        value = value.replace(",", ".")
    if not value.replace(".", "", 1).isdigit() or not value.isascii():
        return None  # digits and one decimal point only: no signs, exponents, thousands
    if "." in value and len(value.split(".")[1]) > precision(currency):
        return None  # "1.000" in yen, or 12.545 €: a thousands mark or a typo, not an amount
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number <= 0 or not -12 < number.adjusted() < 13:
        return None
    minor = number.scaleb(precision(currency))
    if minor != minor.to_integral_value():
        return None
    return int(minor)


# Telegram Payments: the currencies it takes, and their exponents as Telegram counts them (ISO
# 4217, which CLDR's display precision does not always follow: Babel shows forints and rupiahs
# without decimals, Telegram counts them in hundredths).
# https://core.telegram.org/bots/payments#supported-currencies
TELEGRAM_CURRENCIES = frozenset(
    """AED AFN ALL AMD ARS AUD AZN BAM BDT BGN BND BOB BRL BYN CAD CHF CLP CNY COP CRC CZK DKK
    DOP DZD EGP ETB EUR GBP GEL GTQ HKD HNL HRK HUF IDR ILS INR ISK JMD JPY KES KGS KRW KZT LBP
    LKR MAD MDL MNT MUR MVR MXN MYR MZN NGN NIO NOK NPR NZD PAB PEN PHP PKR PLN PYG QAR RON RSD
    RUB SAR SEK SGD THB TJS TRY TTD TWD TZS UAH UGX USD UYU UZS VND YER ZAR""".split()
)
TELEGRAM_EXPONENTS = {"CLP": 0, "ISK": 0, "JPY": 0, "KRW": 0, "PYG": 0, "UGX": 0, "VND": 0}


def telegram_takes(currency: str) -> bool:
    return currency in TELEGRAM_CURRENCIES


def to_telegram(amount: int, currency: str) -> int | None:
    """Our minor units (Babel's precision) → the units Telegram counts the currency in; None
    when that cannot be exact (a fraction of Telegram's unit)."""
    shift = TELEGRAM_EXPONENTS.get(currency, 2) - precision(currency)
    if shift >= 0:
        return amount * 10**shift
    whole, rest = divmod(amount, 10**-shift)
    return None if rest else whole


def from_telegram(amount: int, currency: str) -> int | None:
    """Telegram's units → ours; None when the amount holds a fraction of our minor unit."""
    shift = TELEGRAM_EXPONENTS.get(currency, 2) - precision(currency)
    if shift <= 0:
        return amount * 10**-shift
    whole, rest = divmod(amount, 10**shift)
    return None if rest else whole
