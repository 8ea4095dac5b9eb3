"""IBANs (ISO 13616): what an admin types for a group's bank transfers, checked before buyers
are asked to send money to it.

`parse_iban` accepts the printed form (`DE89 3704 0044 0532 0130 00`, lower case, a leading
"IBAN") and returns the electronic one (`DE89370400440532013000`); `format_iban` prints it back in
groups of four. A typo in an IBAN sends money to nobody (or somebody else): the mod-97 check
digits catch every single mistyped character and most swaps.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

MIN_LENGTH = 15  # Norway's
MAX_LENGTH = 34

# Lengths from the SWIFT IBAN registry, for the countries the bot's admins and buyers bank in
# (Europe, and Brazil): a wrong length there is told as such. Other countries get the general
# 15-34 and the check digits.
COUNTRY_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "BR": 29, "CH": 21, "CY": 28, "CZ": 24, "DE": 22,
    "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27, "HR": 21,
    "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27,
    "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24,
    "SM": 27, "VA": 22,
}  # fmt: skip

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009-]+")
_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]+$")


class IbanProblem(StrEnum):
    CHARACTERS = "characters"  # something other than letters and digits
    SHAPE = "shape"  # not two letters (the country), two digits, then the account
    LENGTH = "length"  # outside 15-34 characters
    COUNTRY_LENGTH = "country_length"  # not the length of that country's IBANs
    CHECKSUM = "checksum"  # the check digits do not match (a typo)


class IbanError(ValueError):
    """`problem` says what is wrong; `value` is the input, `length` the characters it has and
    `expected` the length of its country's IBANs (for COUNTRY_LENGTH)."""

    def __init__(
        self, problem: IbanProblem, value: str, *, length: int = 0, expected: int = 0
    ) -> None:
        super().__init__(problem)
        self.problem = problem
        self.value = value
        self.length = length
        self.expected = expected

    @property
    def country(self) -> str:
        return compact(self.value)[:2]


def compact(text: str) -> str:
    """Without spaces (any kind) or dashes, upper case, without a leading "IBAN" label; full-width
    letters and digits read as themselves (NFKC), invisible characters a paste brings (zero-width
    spaces, direction marks: Unicode's format category) dropped."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    value = _SPACES.sub("", text).upper()
    value = value.removeprefix("IBAN:").removeprefix("IBAN")
    return value


def checksum_ok(iban: str) -> bool:
    """ISO 7064 MOD 97-10 over the compact IBAN: the first four characters moved to the end,
    letters as 10-35, the number modulo 97 must be 1."""
    moved = iban[4:] + iban[:4]
    digits = "".join(str(int(char, 36)) for char in moved)
    return int(digits) % 97 == 1


def parse_iban(text: str) -> str:
    """The compact IBAN, or IbanError saying what is wrong with it."""
    value = compact(text)
    if value and (not value.isascii() or not value.isalnum()):
        raise IbanError(IbanProblem.CHARACTERS, text)
    if not MIN_LENGTH <= len(value) <= MAX_LENGTH:
        raise IbanError(IbanProblem.LENGTH, text, length=len(value))
    if not _SHAPE.match(value):
        raise IbanError(IbanProblem.SHAPE, text)
    expected = COUNTRY_LENGTHS.get(value[:2])
    if expected is not None and len(value) != expected:
        raise IbanError(IbanProblem.COUNTRY_LENGTH, text, length=len(value), expected=expected)
    if value[2:4] in ("00", "01", "99") or not checksum_ok(value):
        # ISO 13616 check digits run from 02 to 98: 00, 01 and 99 are typos that pass mod 97
        raise IbanError(IbanProblem.CHECKSUM, text)
    return value


def format_iban(iban: str) -> str:
    """`DE89370400440532013000` → `DE89 3704 0044 0532 0130 00` (the printed form)."""
    value = compact(iban)
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))


def mask_iban(iban: str) -> str:
    """`DE89 … 3000`: enough to recognise an account on a button, not to copy it."""
    value = compact(iban)
    return f"{value[:4]} … {value[-4:]}"
