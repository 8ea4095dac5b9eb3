from decimal import Decimal

import pytest

from services.money import convert, format_money, format_price, parse_rate, to_decimal

NBSP = "\xa0"


def plain(text: str) -> str:
    return text.replace(NBSP, " ").replace("\u202f", " ")


def test_parse_rate_accepts_dot_and_comma():
    dot = parse_rate("0.128")
    comma = parse_rate("0,128")
    assert dot == 128_000
    assert comma == 128_000


@pytest.mark.parametrize("text", ["0", "-1", "abc", "", "nan", "inf", "1e99", "0.0000001"])
def test_parse_rate_refuses_nonsense(text):
    result = parse_rate(text)
    assert result is None


def test_convert_rounds_half_up_in_minor_units():
    # 98.00 CNY at 0.127551 EUR/CNY = 12.499998 EUR -> 12.50
    cents = convert(9800, 127_551, "EUR")
    assert cents == 1250
    # 1 fen at 0.125 -> 0.125 cents -> 0 ; 4 fen at 0.125 -> 0.5 cent -> 1 (half up)
    assert convert(1, 125_000, "EUR") == 0
    assert convert(4, 125_000, "EUR") == 1


def test_convert_to_currency_with_other_precision():
    # JPY has no minor unit: 100.00 CNY at 21 JPY/CNY = 2100 JPY
    yen = convert(10_000, 21_000_000, "JPY")
    assert yen == 2100


def test_convert_is_exact_for_large_amounts():
    # 10 million yuan at 0.128 is exactly 1,280,000.00 EUR: no float drift
    cents = convert(10_000_000_00, 128_000, "EUR")
    assert cents == 1_280_000_00


def test_to_decimal():
    value = to_decimal(1250, "EUR")
    assert value == Decimal("12.50")


def test_format_money_follows_the_locale():
    italian = plain(format_money(1250, "EUR", "it"))
    english = plain(format_money(1250, "EUR", "en"))
    assert italian == "12,50 €"
    assert english == "€12.50"


def test_price_in_buyer_currency_beside_yuan():
    rate = parse_rate("0.127551")
    italian = plain(format_price(9800, "EUR", rate, "it"))
    english = plain(format_price(9800, "EUR", rate, "en"))
    assert italian == "12,50 € (98,00 CN¥)"
    assert english == "€12.50 (CN¥98.00)"


def test_price_without_rate_shows_yuan_only():
    text = plain(format_price(9800, "XAF", None, "en"))
    assert text == "CN¥98.00"
