"""Words as a reader of each language expects them: currency names, units, durations, flags."""

from datetime import UTC, datetime, timedelta

import pytest

from core.locales import LANGUAGE_FLAGS
from models import Measure
from tests.harness import Harness
from ui.catalog import weight_text
from ui.groups import measure_text, time_left
from ui.money import currency_label


def test_currencies_are_named_in_the_readers_language():
    assert currency_label("EUR", "zh_Hans") == "欧元（EUR）"
    assert currency_label("EUR", "zh_Hant") == "歐元（EUR）"
    assert currency_label("EUR", "de") == "Euro (EUR)"
    assert currency_label("USD", "fr") == "dollar des États-Unis (USD)"


def test_chinese_weights_read_as_product_names_do():
    # Babel's own words: 千克 in Simplified, 公斤 in Traditional (Taiwan), never "kg"
    assert weight_text(25_000, "zh_Hans").replace(" ", "") == "25千克"
    assert weight_text(25_000, "zh_Hant").replace(" ", "") == "25公斤"
    assert weight_text(100, "zh_Hant").replace(" ", "") == "100公克"  # Taiwan usage
    assert measure_text(300_000, Measure.WEIGHT, "zh_Hans").replace(" ", "") == "300千克"
    assert weight_text(25_000, "it") == "25 kg"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("de", "9 Tage und 4 Stunden"), ("it", "9 giorni e 4 ore"), ("nl", "9 dagen en 4 uur"),
     ("en", "9 days and 4 hours"), ("pt", "9 dias e 4 horas"), ("zh_Hans", "9天4小时")],
)  # fmt: skip
def test_durations_are_written_out(locale: str, expected: str):
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    shown = time_left(now + timedelta(days=9, hours=4), now, locale)
    assert shown.replace(" ", "") == expected.replace(" ", "")


def test_portuguese_is_formatted_as_in_portugal():
    from domain.geo import country_name
    from ui.money import format_money

    assert format_money(1254, "EUR", "pt").replace("\xa0", " ") == "12,54 €"
    assert country_name("PL", "pt") == "Polónia"  # not Brazil's Polônia


def test_traditional_chinese_has_taiwans_flag():
    assert LANGUAGE_FLAGS["zh_Hant"] == "🇹🇼"


@pytest.mark.clock
async def test_settings_name_the_currency(app: Harness):
    buyer = app.user(language_code="zh-CN")
    await app.onboard(buyer, language="zh_Hans", country="意大利", city="米兰")
    screen = await app.send(buyer, "/settings")
    assert "欧元（EUR）" in screen.text


def test_liquids_are_sold_by_volume():
    from domain.catalog import is_liquid
    from models import Product
    from ui.catalog import volume_text

    soy = Product(slug="s", category_id=1, unit="bottle", unit_weight_g=1900, hs_code="2103.10",
                  price_cny=1, names={}, descriptions={})  # fmt: skip
    rice = Product(slug="r", category_id=1, unit="sack", unit_weight_g=5000, hs_code="1006.30",
                   price_cny=1, names={}, descriptions={})  # fmt: skip
    assert is_liquid(soy) and not is_liquid(rice)
    assert volume_text(1900, "en") == "1.9 L" and volume_text(750, "de") == "750\xa0ml"
    assert volume_text(1900, "zh_Hans") == "1.9升"
