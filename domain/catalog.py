"""Rules of the catalogue that need no database: which text of a product a reader sees, the
units products are sold in, where a product may be shipped."""

from __future__ import annotations

from domain.text import N_
from models import Product

FALLBACK_LOCALES = ("zh_Hans", "en")

# Units a product is sold in; the labels are translated where they are shown.
UNITS: dict[str, str] = {
    "kg": N_("kg"),
    "piece": N_("piece"),
    "bag": N_("bag"),
    "sack": N_("sack"),
    "box": N_("box"),
    "bottle": N_("bottle"),
    "jar": N_("jar"),
    "tin": N_("tin"),
    "pack": N_("pack"),
    "set": N_("set"),
}


def localized(texts: dict[str, str], locale: str) -> str:
    """The text in the locale, else Simplified Chinese (the source of truth), else English."""
    for candidate in (locale, *FALLBACK_LOCALES):
        value = texts.get(candidate)
        if value:
            return value
    return next((v for v in texts.values() if v), "")


def can_ship(product: Product, country: str | None) -> bool:
    return country is None or country not in product.restricted_countries


# HS codes of goods that are liquids: beverages (chapter 22), soy sauce, liquid vegetable oils.
LIQUID_HS = ("22", "210310", "1509", "1510", "1512", "1514", "1515")


def is_liquid(product: Product) -> bool:
    """Sold by volume: its `unit_weight_g` holds millilitres, not grams."""
    return sold_by_volume(product.unit, product.hs_code)


def sold_by_volume(unit: str, hs_code: str) -> bool:
    return unit == "bottle" or hs_code.replace(".", "").startswith(LIQUID_HS)
