"""The nine locales, their names, and the one rule for whose language a text is in."""

from __future__ import annotations

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
    "zh_Hant": "🇹🇼",  # Traditional Chinese as written in Taiwan
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
