"""Text helpers shared by services: folding for search, and a marker for translatable data."""

import unicodedata


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext "no-op" marker
    """Mark a string for extraction into the catalogues; it is translated where it is shown."""
    return message


def fold(text: str) -> str:
    """Case- and accent-insensitive form: `Tè Verde` and `te verde` fold to the same string."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", stripped)


def clean_line(text: str, max_length: int) -> str | None:
    """One line of user-typed text, whitespace-collapsed; None if empty, too long or binary."""
    collapsed = " ".join(text.split())
    if not collapsed or len(collapsed) > max_length:
        return None
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") for ch in collapsed):
        return None
    return collapsed


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A CSV or XLSX cell that a spreadsheet can't take for a formula (OWASP's rule): text that
    starts with = + - @, a tab or a carriage return gets a leading apostrophe. Numbers pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def parse_id(text: str | None) -> int | None:
    """An id someone typed after a command (`12`, `#12`): a positive whole number that fits the
    database's ids, else None."""
    value = (text or "").strip().lstrip("#")
    return int(value) if value.isdecimal() and len(value) < 10 else None


def same_city(a: str, b: str) -> bool:
    """The same city however it was typed (`Milano`, `milano`, `MILANO`)."""
    return fold(a) == fold(b)
