import pytest

from domain.geo import country_name, currency_for_country, find_country, timezone_for
from domain.text import clean_line, fold


@pytest.mark.parametrize(
    ("typed", "locale", "code"),
    [
        ("Italia", "it", "IT"),
        ("italy", "en", "IT"),
        ("意大利", "zh_Hans", "IT"),
        ("義大利", "zh_Hant", "IT"),
        ("  espana ", "es", "ES"),
        ("Nederland", "nl", "NL"),
        ("Brasil", "pt", "BR"),
        ("hu", "en", "HU"),
        ("Schweiz", "de", "CH"),
    ],
)
def test_typed_country_is_found(typed, locale, code):
    found = find_country(typed, locale)
    assert found == code


def test_unknown_country():
    found = find_country("Atlantis", "en")
    assert found is None


@pytest.mark.parametrize(
    ("country", "currency"),
    [("IT", "EUR"), ("BR", "BRL"), ("US", "USD"), ("GB", "GBP"), ("CH", "CHF"), ("HU", "HUF")],
)
def test_currency_follows_country(country, currency):
    found = currency_for_country(country)
    assert found == currency


def test_country_name_in_locale():
    chinese = country_name("IT", "zh_Hans")
    dutch = country_name("DE", "nl")
    assert chinese == "意大利"
    assert dutch == "Duitsland"


def test_timezone_of_known_and_typed_city():
    assert timezone_for("BR", "São Paulo") == "America/Sao_Paulo"
    assert timezone_for("IT", "Bologna") == "Europe/Rome"
    assert timezone_for("XX", None) == "UTC"


def test_fold_is_case_and_accent_insensitive():
    assert fold("Tè VERDE") == fold("te verde")
    assert fold("Bambú") == "bambu"


def test_clean_line():
    assert clean_line("  San   Donà  ", 64) == "San Donà"
    assert clean_line("x" * 65, 64) is None
    assert clean_line("   ", 64) is None
    assert clean_line("bad\x00byte", 64) is None
