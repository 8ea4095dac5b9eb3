"""Checkout details, pure: how a buyer collects their orders (a pickup point, or delivery to a
home or a restaurant), the address and phone number for it, a restaurant's business name and VAT
number, and a note on an order line (the name to carve on a seal). Each parser returns the clean
value or raises `CheckoutError` with a code (`ui.checkout.checkout_error_text` words it)."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from domain.errors import DomainError
from models import User

MAX_ADDRESS = 256
MAX_BUSINESS_NAME = 128
MAX_NOTE = 200  # characters of a line note (models.OrderLine.note)
MIN_PHONE_DIGITS = 6
MAX_PHONE_DIGITS = 15  # E.164: country code and number together
MAX_PHONE_LENGTH = 32  # models.User.phone
VAT_RE = re.compile(r"[A-Z]{2}[A-Z0-9]{2,13}")
PHONE_RE = re.compile(r"\+?[0-9 ().\-]+")

# Unicode categories that never belong in typed text: controls (NUL, escapes, line breaks
# where one line is wanted), format characters (invisible direction overrides), private use,
# surrogates, and the Unicode line and paragraph separators.
_FORBIDDEN = frozenset(("Cc", "Cf", "Co", "Cs", "Zl", "Zp"))


class Delivery(StrEnum):
    """How a buyer collects their orders (models.User.delivery)."""

    PICKUP = "pickup"  # at a pickup point: theirs (users.pickup_point_id) or the group's
    HOME = "home"  # delivered to their home: address and phone
    RESTAURANT = "restaurant"  # delivered to their restaurant: address, phone, business details


class CheckoutError(DomainError):
    """A checkout detail typed wrong; `code` says what is wrong, `details` the limits."""


def _has_forbidden(text: str) -> bool:
    return any(unicodedata.category(ch) in _FORBIDDEN for ch in text)


def _collapse(text: str) -> str:
    """Runs of spaces and tabs as one space; the ends stripped."""
    return " ".join(part for part in text.replace("\t", " ").split(" ") if part)


def parse_address(text: str) -> str:
    """A delivery address: 1-256 characters once trimmed. Lines typed one under another (street,
    then postcode and city) are joined with commas; other control characters are refused."""
    lines = [_collapse(line) for line in text.splitlines()]
    address = ", ".join(line for line in lines if line)
    if not address:
        raise CheckoutError("address_empty")
    if _has_forbidden(address):
        raise CheckoutError("address_chars")
    if len(address) > MAX_ADDRESS:
        raise CheckoutError("address_long", limit=MAX_ADDRESS)
    return address


def parse_phone(text: str) -> str:
    """A phone number: digits with an optional leading +, spaces, dashes, dots and parentheses,
    6 to 15 digits. A number given with its country code (`+39 …` or `0039 …`) is kept as
    `+<digits>`; a number without one as typed, its spaces tidied. Full-width digits (a Chinese
    keyboard's) count as digits; a `(0)` after the country code is left out."""
    typed = _collapse(unicodedata.normalize("NFKC", text))
    if not typed:
        raise CheckoutError("phone_empty")
    if not PHONE_RE.fullmatch(typed):
        raise CheckoutError("phone_chars", value=typed)
    international = typed.startswith("+")
    # `+49 (0)30 …`: the (0) is dialled only from within the country
    dialled = typed.replace("(0)", "") if international else typed
    digits = "".join(ch for ch in dialled if ch.isdigit())
    if not international and digits.startswith("00"):
        digits = digits[2:]
        international = True
    if len(digits) < MIN_PHONE_DIGITS:
        raise CheckoutError("phone_short", value=typed, minimum=MIN_PHONE_DIGITS)
    if len(digits) > MAX_PHONE_DIGITS:
        raise CheckoutError("phone_long", value=typed, maximum=MAX_PHONE_DIGITS)
    if international:
        return "+" + digits
    return typed if len(typed) <= MAX_PHONE_LENGTH else digits


def contact_phone(number: str) -> str:
    """The number of a contact shared from Telegram: always with its country code, with or
    without the +."""
    cleaned = unicodedata.normalize("NFKC", number).strip()
    return parse_phone(cleaned if cleaned.startswith("+") else "+" + cleaned)


def parse_business_name(text: str) -> str:
    """A restaurant's business name: one line of 1-128 characters."""
    name = _line(text, code="business")
    if len(name) > MAX_BUSINESS_NAME:
        raise CheckoutError("business_long", limit=MAX_BUSINESS_NAME)
    return name


def parse_vat(text: str) -> str:
    """An EU-style VAT number: two letters (the country), then 2 to 13 letters or digits.
    Spaces and dots are left out and letters uppercased: `it 123.456.789 01` → `IT12345678901`."""
    cleaned = unicodedata.normalize("NFKC", text)
    cleaned = "".join(ch for ch in cleaned if not ch.isspace() and ch != ".").upper()
    if not cleaned:
        raise CheckoutError("vat_empty")
    if not VAT_RE.fullmatch(cleaned):
        raise CheckoutError("vat_format", value=text.strip())
    return cleaned


def parse_note(text: str) -> str:
    """A note on an order line: one line of 1-200 characters (a line break is refused rather
    than guessed at: on a seal it would matter)."""
    if "\n" in text.strip() or "\r" in text.strip():
        raise CheckoutError("note_lines")
    note = _line(text, code="note")
    if len(note) > MAX_NOTE:
        raise CheckoutError("note_long", limit=MAX_NOTE)
    return note


def _line(text: str, *, code: str) -> str:
    line = _collapse(text)
    if not line:
        raise CheckoutError(f"{code}_empty")
    if _has_forbidden(line):
        raise CheckoutError(f"{code}_chars")
    return line


def has_chosen(user: User) -> bool:
    """Whether the buyer ever said how they collect their orders. There is no mark of the choice
    itself: a buyer who never chose has the defaults (pickup, no point of their own, no address,
    no phone). A buyer who chose "pickup at the group's point" looks the same, and is asked (once,
    with their first order: `services.checkout.should_ask_delivery`)."""
    return not (
        user.delivery == Delivery.PICKUP
        and user.pickup_point_id is None
        and user.address is None
        and user.phone is None
    )
