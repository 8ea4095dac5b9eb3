"""Locales, Telegram language-code mapping and catalogue compilation."""

from __future__ import annotations

from pathlib import Path

from aiogram.utils.i18n import I18n
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

# The order is the order of the language picker.
LOCALES: tuple[str, ...] = ("zh_Hans", "zh_Hant", "en", "it", "es", "pt", "fr", "de", "nl")

# Each language's own name: shown untranslated so everyone finds theirs.
LANGUAGE_NAMES: dict[str, str] = {
    "zh_Hans": "简体中文",
    "zh_Hant": "繁體中文",
    "en": "English",
    "it": "Italiano",
    "es": "Español",
    "pt": "Português",
    "fr": "Français",
    "de": "Deutsch",
    "nl": "Nederlands",
}

LANGUAGE_FLAGS: dict[str, str] = {
    "zh_Hans": "🇨🇳",
    "zh_Hant": "🇨🇳",
    "en": "🇬🇧",
    "it": "🇮🇹",
    "es": "🇪🇸",
    "pt": "🇵🇹",
    "fr": "🇫🇷",
    "de": "🇩🇪",
    "nl": "🇳🇱",
}

DEFAULT_LOCALE = "en"
_TRADITIONAL_REGIONS = {"tw", "hk", "mo", "hant"}


def locale_from_language_code(code: str | None) -> str:
    """Map Telegram's optional IETF tag (`it`, `it-IT`, `zh-hans`, `zh-TW`, `pt-br`) to a locale."""
    if not code:
        return DEFAULT_LOCALE
    parts = [p for p in code.strip().lower().replace("_", "-").split("-") if p]
    if not parts:
        return DEFAULT_LOCALE
    language = parts[0]
    if language == "zh":
        return "zh_Hant" if _TRADITIONAL_REGIONS.intersection(parts[1:]) else "zh_Hans"
    if language in LOCALES:
        return language
    return DEFAULT_LOCALE


def user_locale(chosen: str | None, language_code: str | None) -> str:
    """The one rule for whose language a text is in: the locale the user chose, else the one
    their Telegram language code maps to."""
    if chosen in LOCALES:
        return str(chosen)
    return locale_from_language_code(language_code)


def telegram_language_code(locale: str) -> str:
    """The two-letter code Telegram uses for per-language command menus."""
    return locale.split("_")[0]


def ensure_compiled(locales_dir: Path) -> list[Path]:
    """Compile every `messages.po` whose `.mo` is missing or older. Returns the files written."""
    written = []
    for po_path in sorted(locales_dir.glob("*/LC_MESSAGES/messages.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        tmp.replace(mo_path)
        written.append(mo_path)
    return written


def create_i18n(locales_dir: Path, default_locale: str = DEFAULT_LOCALE) -> I18n:
    ensure_compiled(locales_dir)
    return I18n(path=locales_dir, default_locale=default_locale, domain="messages")
