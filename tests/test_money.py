from decimal import Decimal

import pytest

from domain.money import convert, parse_rate, to_decimal
from ui.money import format_money, format_price

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


# ── amounts that add up in the currency shown ──
@pytest.mark.parametrize(
    "currency,rate,unit_cny,quantity,locale,unit_shown,line_shown",
    [
        # 139.00 CNY × 0.128 = 17.792 € → 17,79 €; 20 of them are 355,80 € (not 355,84 €)
        ("EUR", "0.128", 13900, 20, "it", "17,79 €", "355,80 €"),
        # Portuguese as written in Portugal: the symbol follows the amount
        ("BRL", "0.76", 13900, 3, "pt", "105,64 R$", "316,92 R$"),
        # the forint has no minor unit shown: 38.50 CNY × 50.30 = 1,936.55 → 1,937 Ft, × 7
        ("HUF", "50.30", 3850, 7, "en", "HUF1,937", "HUF13,559"),
        ("CNY", None, 3850, 7, "zh_Hans", "¥38.50", "¥269.50"),
    ],
)
def test_unit_price_times_quantity_is_the_line_as_shown(
    currency, rate, unit_cny, quantity, locale, unit_shown, line_shown
):
    from domain.money import line_amount, precision

    per_cny = parse_rate(rate) if rate else None
    unit = line_amount(unit_cny, 1, per_cny, currency)
    line = line_amount(unit_cny, quantity, per_cny, currency)
    assert line == unit * quantity
    assert plain(format_money(unit, currency, locale)) == unit_shown
    assert plain(format_money(line, currency, locale)) == line_shown
    shown_unit = to_decimal(unit, currency)
    assert shown_unit == round(
        shown_unit, precision(currency)
    )  # nothing hidden past the shown digits
    assert to_decimal(line, currency) == shown_unit * quantity


def test_the_lines_add_up_to_the_order():
    from domain.money import line_amount

    per_cny = parse_rate("0.128")
    lines = [(13900, 20), (3850, 3), (999, 7)]
    amounts = [line_amount(unit, quantity, per_cny, "EUR") for unit, quantity in lines]
    total = sum(amounts)
    converted_total = convert(sum(u * q for u, q in lines), per_cny, "EUR")
    assert total == sum(line_amount(u, 1, per_cny, "EUR") * q for u, q in lines)
    assert total != converted_total  # converting the total would not match the lines shown
