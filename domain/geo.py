"""Countries, cities, currencies and time zones of the diaspora destinations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.pofile import read_po
from babel.numbers import get_territory_currencies

from domain.digests import NEARBY_KM, distance_km
from domain.text import N_, fold


@dataclass(frozen=True)
class City:
    name: str  # canonical English name; translated for display through the catalogues
    timezone: str
    lat: float | None = None  # where it is, for "nearby" (within 50 km)
    lon: float | None = None


# Where Qingtian emigrants cluster, offered as buttons in this order.
COMMON_COUNTRIES: dict[str, tuple[City, ...]] = {
    "IT": (
        City(N_("Milan"), "Europe/Rome", 45.4642, 9.1900),
        City(N_("Rome"), "Europe/Rome", 41.9028, 12.4964),
        City(N_("Prato"), "Europe/Rome", 43.8777, 11.1022),
        City(N_("Florence"), "Europe/Rome", 43.7696, 11.2558),
        City(N_("Campi Bisenzio"), "Europe/Rome", 43.8260, 11.1366),
    ),
    "ES": (
        City(N_("Madrid"), "Europe/Madrid", 40.4168, -3.7038),
        City(N_("Barcelona"), "Europe/Madrid", 41.3874, 2.1686),
        City(N_("Valencia"), "Europe/Madrid", 39.4699, -0.3763),
    ),
    "PT": (
        City(N_("Lisbon"), "Europe/Lisbon", 38.7223, -9.1393),
        City(N_("Porto"), "Europe/Lisbon", 41.1579, -8.6291),
    ),
    "FR": (City(N_("Paris"), "Europe/Paris", 48.8566, 2.3522),),
    "NL": (
        City(N_("Rotterdam"), "Europe/Amsterdam", 51.9244, 4.4777),
        City(N_("Amsterdam"), "Europe/Amsterdam", 52.3676, 4.9041),
    ),
    "DE": (
        City(N_("Frankfurt"), "Europe/Berlin", 50.1109, 8.6821),
        City(N_("Berlin"), "Europe/Berlin", 52.5200, 13.4050),
    ),
    "AT": (City(N_("Vienna"), "Europe/Vienna", 48.2082, 16.3738),),
    "BR": (City(N_("São Paulo"), "America/Sao_Paulo", -23.5505, -46.6333),),
}

# A default time zone for countries with a single one, or the capital's, for typed cities.
COUNTRY_TIMEZONES: dict[str, str] = {
    "IT": "Europe/Rome", "ES": "Europe/Madrid", "PT": "Europe/Lisbon", "FR": "Europe/Paris",
    "NL": "Europe/Amsterdam", "DE": "Europe/Berlin", "AT": "Europe/Vienna",
    "BR": "America/Sao_Paulo", "BE": "Europe/Brussels", "CH": "Europe/Zurich",
    "GB": "Europe/London", "IE": "Europe/Dublin", "HU": "Europe/Budapest", "PL": "Europe/Warsaw",
    "CZ": "Europe/Prague", "RO": "Europe/Bucharest", "GR": "Europe/Athens", "SE": "Europe/Stockholm",
    "DK": "Europe/Copenhagen", "NO": "Europe/Oslo", "FI": "Europe/Helsinki", "LU": "Europe/Luxembourg",
    "SK": "Europe/Bratislava", "SI": "Europe/Ljubljana", "HR": "Europe/Zagreb", "RS": "Europe/Belgrade",
    "BG": "Europe/Sofia", "US": "America/New_York", "CA": "America/Toronto", "AR": "America/Argentina/Buenos_Aires",
    "CN": "Asia/Shanghai", "HK": "Asia/Hong_Kong", "TW": "Asia/Taipei", "JP": "Asia/Tokyo",
    "AU": "Australia/Sydney", "NZ": "Pacific/Auckland", "ZA": "Africa/Johannesburg",
}  # fmt: skip

DEFAULT_CURRENCY = "EUR"


# The bot's locales as Babel should format them: Portuguese as in Portugal (Babel's "pt" is
# Brazil's: "€ 12,54", "Polônia"), Traditional Chinese as in Taiwan.
BABEL_LOCALES = {"pt": "pt_PT", "zh_Hant": "zh_Hant_TW"}


@lru_cache(maxsize=128)  # Locale.parse ran dozens of times per update; a Locale is not changed
def babel_locale(locale: str) -> Locale:
    try:
        return Locale.parse(BABEL_LOCALES.get(locale, locale))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def country_name(code: str, locale: str) -> str:
    return babel_locale(locale).territories.get(code, code)


def is_country(code: str) -> bool:
    return len(code) == 2 and code.isalpha() and code.isupper() and code in _territories()


NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "AQ", "XA", "XB"})


@lru_cache(maxsize=1)
def _territories() -> frozenset[str]:
    """ISO codes of real countries and territories (with a currency of their own or shared)."""
    english = Locale.parse("en").territories
    return frozenset(
        code
        for code in english
        if isinstance(code, str)
        and len(code) == 2
        and code.isalpha()
        and code not in NOT_COUNTRIES
        and get_territory_currencies(code, date.today(), tender=True)
    )


@lru_cache(maxsize=16)
def _country_index(locale: str) -> dict[str, str]:
    """Folded country names and ISO codes → code: names in the user's locale first, then in every
    language the bot speaks (a buyer may type their country in the local language)."""
    index: dict[str, str] = {}
    for source in (locale, "en", "zh_Hans", "zh_Hant", "it", "es", "pt", "fr", "de", "nl"):
        names = babel_locale(source).territories
        for code in _territories():
            if code in names:
                index.setdefault(fold(names[code]), code)
    for code in _territories():
        index.setdefault(fold(code), code)
    return index


def find_country(text: str, locale: str) -> str | None:
    """A country typed by a user: its name in their language, English or Chinese, or ISO code."""
    key = fold(" ".join(text.split()))
    if not key:
        return None
    return _country_index(locale).get(key)


def currency_for_country(code: str) -> str:
    currencies = get_territory_currencies(code, date.today(), tender=True)
    return currencies[0] if currencies else DEFAULT_CURRENCY


def cities(country: str) -> tuple[City, ...]:
    return COMMON_COUNTRIES.get(country, ())


LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


@lru_cache(maxsize=1)
def _city_aliases() -> dict[tuple[str, str], str]:
    """(country, folded name in any of the bot's languages) → canonical city name."""
    catalogs = []
    for po in sorted(LOCALES_DIR.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as handle:
            catalogs.append(read_po(handle))
    aliases: dict[tuple[str, str], str] = {}
    for country, known in COMMON_COUNTRIES.items():
        for city in known:
            aliases[(country, fold(city.name))] = city.name
            for catalog in catalogs:
                message = catalog.get(city.name)
                if message is not None and isinstance(message.string, str) and message.string:
                    aliases.setdefault((country, fold(message.string)), city.name)
    return aliases


def canonical_city(country: str, city: str) -> str:
    """A common city typed in any of the bot's languages (`Milano`, `米兰`) → its canonical name,
    so buyers and group orders of one city always match; other cities stay as typed."""
    return _city_aliases().get((country, fold(" ".join(city.split()))), city)


def timezone_for(country: str, city: str | None) -> str:
    name = canonical_city(country, city) if city else None
    for known in cities(country):
        if name == known.name:
            return known.timezone
    return COUNTRY_TIMEZONES.get(country, "UTC")


def nearby_cities(country: str, city: str | None, km: float = NEARBY_KM) -> list[str]:
    """The other common cities within `km` of this one (Prato: Campi Bisenzio, Florence),
    nearest first; none for a city whose place is not known."""
    if not city:
        return []
    name = canonical_city(country, city)
    here = next((c for c in cities(country) if c.name == name and c.lat is not None), None)
    if here is None or here.lat is None or here.lon is None:
        return []
    found = []
    for other in cities(country):
        if other.name == here.name or other.lat is None or other.lon is None:
            continue
        km_away = distance_km((here.lat, here.lon), (other.lat, other.lon))
        if km_away <= km:
            found.append((km_away, other.name))
    return [name for _km, name in sorted(found)]


def parse_region(words: list[str], locale: str) -> tuple[str, str] | None:
    """`IT Milan`, `Italia Milano`, `ES San Sebastián` → (country, canonical city)."""
    if len(words) < 2:
        return None
    country = find_country(words[0], locale)
    city = " ".join(words[1:]).strip()
    if country is None or not city or len(city) > 64:
        return None
    return country, canonical_city(country, city)


@cache
def _zones() -> dict[str, str]:
    """Real places' zones (`Europe/Rome`) and UTC, by their lower-case names; not `localtime`,
    `Factory` and the like."""
    from zoneinfo import available_timezones

    return {
        z.lower(): z for z in available_timezones()
        if z == "UTC" or ("/" in z and not z.startswith(("posix/", "right/", "SystemV/")))
    }  # fmt: skip


def find_zone(text: str) -> str | None:
    """A time zone as typed (`europe/rome`, `America/Sao Paulo`) → its name, or None."""
    name = text.strip().replace(" ", "_")[:64]
    return _zones().get(name.lower())
