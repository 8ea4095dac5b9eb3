"""Money in integer minor units with an ISO currency code; conversion from yuan at admin-set rates.

Rates are integers too: units of the target currency per yuan, scaled by RATE_SCALE. Rounding is
half-up in the target currency's minor unit, done with integers only.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_precision

BASE_CURRENCY = "CNY"
RATE_SCALE = 10**6
MAX_RATE = 10**6 * RATE_SCALE  # nothing costs a million units of anything per yuan


def precision(currency: str) -> int:
    return get_currency_precision(currency)


def to_decimal(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-precision(currency))


def parse_rate(text: str) -> int | None:
    """`0.128` or `0,128` → 128000 (micro-units per yuan); None if not a positive number."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value <= 0:
        return None
    micro = int((value * RATE_SCALE).to_integral_value())
    if micro <= 0 or micro > MAX_RATE:
        return None
    return micro


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
