"""The catalogue as admins type it: product and category fields checked one by one (the dialog,
the one-line commands and the import all use the same rules), and the one table format of
`/export products` and `/import`.

The file has a header row with exactly these columns, in any order (start from an export):

    sku | category | position | unit | weight_g | price_cny | stock | hs_code | restricted |
    active | name_<locale> … | desc_<locale> …   (one of each per locale in core.locales)

- `sku`: lowercase letters, digits and hyphens (at most 64), the product's code; a SKU that is
  not in the catalogue yet makes a new product.
- `category`: a category's code (the category must exist: create it first with /category_new).
- `price_cny`: yuan per unit, like `12.50` (never read as a float: exact to the fen).
- `stock`: units left to sell; empty for "not counted".
- `restricted`: ISO country codes the product may not be shipped to, like `IT,ES` (empty: none).
- `active`: `true` (on sale) or `false` (hidden).
- `name_en` and `name_zh_Hans` are required; the other names and every description may be empty
  (an empty cell removes that text).

Photos are not in the file (they are Telegram file ids, set with /photo): an import leaves them
as they are. Text cells that a spreadsheet would take for a formula were written with a leading
apostrophe (`domain.spreadsheets.safe_cell`); reading takes it off again.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from core.locales import LOCALES
from domain import geo
from domain.catalog import UNITS
from domain.errors import DomainError
from domain.money import BASE_CURRENCY, precision
from domain.shipment_files import FileError
from domain.spreadsheets import Cell, unescape_cell
from models import Product

SKU_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
MAX_SKU = 64
MAX_NAME = 120
MAX_DESCRIPTION = 1000
MAX_CATEGORY_NAME = 40
MAX_EMOJI = 8
MIN_WEIGHT_G = 1
MAX_WEIGHT_G = 100_000  # 100 kg: the heaviest sack is 25 kg
MAX_PRICE_YUAN = 1_000_000
MAX_STOCK = 1_000_000
MAX_POSITION = 100_000
MAX_ROWS = 1000
REQUIRED_LOCALES = ("en", "zh_Hans")  # English and the source of truth: never empty

NAME_COLUMNS = tuple(f"name_{locale}" for locale in LOCALES)
DESC_COLUMNS = tuple(f"desc_{locale}" for locale in LOCALES)
COLUMNS: tuple[str, ...] = (
    "sku", "category", "position", "unit", "weight_g", "price_cny", "stock", "hs_code",
    "restricted", "active", *NAME_COLUMNS, *DESC_COLUMNS,
)  # fmt: skip
_CANONICAL = {name.lower(): name for name in COLUMNS}

TRUE_WORDS = frozenset({"true", "yes", "y", "1", "on", "active", "visible"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "off", "hidden", "inactive"})
NONE_WORDS = frozenset({"", "-", "—", "none"})


class CatalogError(DomainError):
    """A refused catalogue edit; `value` is what was typed (for the message), when it helps."""

    def __init__(self, code: str, value: object = "", **details: object) -> None:
        super().__init__(code, **details)
        self.value = str(value)[:80]


@dataclass(frozen=True)
class ProductData:
    """A product as the file and the dialog hold it (the category by its code)."""

    sku: str
    category: str
    unit: str
    weight_g: int
    price_cny: int  # fen
    names: dict[str, str]
    descriptions: dict[str, str] = field(default_factory=dict)
    stock: int | None = None
    hs_code: str = ""
    restricted: tuple[str, ...] = ()
    active: bool = True
    position: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "sku": self.sku, "category": self.category, "unit": self.unit,
            "weight_g": self.weight_g, "price_cny": self.price_cny, "names": dict(self.names),
            "descriptions": dict(self.descriptions), "stock": self.stock,
            "hs_code": self.hs_code, "restricted": list(self.restricted), "active": self.active,
            "position": self.position,
        }  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProductData:
        """Raises KeyError, TypeError or ValueError for data that is not a stored product."""
        stock = data["stock"]
        return cls(
            sku=str(data["sku"]), category=str(data["category"]), unit=str(data["unit"]),
            weight_g=int(data["weight_g"]), price_cny=int(data["price_cny"]),
            names={str(k): str(v) for k, v in dict(data["names"]).items()},
            descriptions={str(k): str(v) for k, v in dict(data["descriptions"]).items()},
            stock=None if stock is None else int(stock), hs_code=str(data["hs_code"]),
            restricted=tuple(str(c) for c in data["restricted"]), active=bool(data["active"]),
            position=int(data["position"]),
        )  # fmt: skip


def fingerprint(data: ProductData) -> str:
    """A short digest of everything the file holds about a product (to notice a change between
    an import's preview and its confirmation)."""
    text = json.dumps(data.to_dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def data_of(product: Product, category_slug: str) -> ProductData:
    return ProductData(
        sku=product.slug, category=category_slug, unit=product.unit,
        weight_g=product.unit_weight_g, price_cny=product.price_cny,
        names=_texts(product.names), descriptions=_texts(product.descriptions),
        stock=product.stock, hs_code=product.hs_code or "",
        restricted=tuple(sorted(set(product.restricted_countries))), active=product.is_active,
        position=product.position,
    )  # fmt: skip


def _texts(texts: Mapping[str, str]) -> dict[str, str]:
    return {locale: texts[locale] for locale in LOCALES if texts.get(locale)}


# What changed, by the name the file (and the reports) use.
DIFF_FIELDS = (
    "category", "position", "unit", "weight_g", "price_cny", "stock", "hs_code", "restricted",
    "active",
)  # fmt: skip


def changes(old: ProductData, new: ProductData) -> list[str]:
    """The columns whose value differs: `price_cny`, `name_it`, `desc_en`…"""
    found = [name for name in DIFF_FIELDS if getattr(old, name) != getattr(new, name)]
    for locale in LOCALES:
        if old.names.get(locale, "") != new.names.get(locale, ""):
            found.append(f"name_{locale}")
    for locale in LOCALES:
        if old.descriptions.get(locale, "") != new.descriptions.get(locale, ""):
            found.append(f"desc_{locale}")
    return found


# ── one field at a time ────────────────────────────────────────────────────────────────


def parse_sku(text: str, code: str = "bad_sku") -> str:
    """A product's (or a category's) code: `rice-fish-rice-5kg`. Typed capitals are lowered."""
    value = text.strip().lower()
    if not SKU_RE.fullmatch(value):
        raise CatalogError(code, text.strip())
    return value


def parse_category_slug(text: str) -> str:
    return parse_sku(text, "bad_category_slug")


def parse_unit(text: str) -> str:
    value = text.strip().lower()
    if value not in UNITS:
        raise CatalogError("bad_unit", text.strip())
    return value


def parse_weight(text: str) -> int:
    """Grams: `250`, `250g`, `2.5kg`, `2,5 kg` (a bottle's millilitres are written the same)."""
    value = text.strip().lower().replace(" ", "").replace(",", ".")
    scale = 1
    for suffix, factor in (("kg", 1000), ("ml", 1), ("g", 1), ("l", 1000)):
        if value.endswith(suffix):
            value, scale = value.removesuffix(suffix), factor
            break
    try:
        number = Decimal(value)
    except InvalidOperation as error:
        raise CatalogError("bad_weight", text.strip()) from error
    if not number.is_finite():
        raise CatalogError("bad_weight", text.strip())
    if number and not -6 <= number.adjusted() <= 9:  # before any arithmetic: 1e99999999 g
        raise CatalogError("weight_range", text.strip())
    amount = number * scale
    if amount != amount.to_integral_value():
        raise CatalogError("bad_weight", text.strip())
    grams = int(amount)
    if not MIN_WEIGHT_G <= grams <= MAX_WEIGHT_G:
        raise CatalogError("weight_range", text.strip())
    return grams


_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+")


def parse_price(text: str) -> int:
    """Yuan → fen, exactly: `12.50`, `12,5`, `¥1,250.00`, `98 CNY`. Above zero, at most a
    million yuan, at most two decimals."""
    raw = text.strip()
    value = raw.upper().removesuffix("CNY").removesuffix("RMB").strip().lstrip("¥￥").strip()
    value = value.replace(" ", "").replace("\u00a0", "")
    if "," in value and ("." in value or _THOUSANDS.fullmatch(value)):
        value = value.replace(",", "")  # 1,250.00 or 1,250: thousands
    value = value.replace(",", ".")  # 12,50: a decimal comma
    try:
        amount = Decimal(value)
    except InvalidOperation as error:
        raise CatalogError("bad_price", raw) from error
    if not amount.is_finite() or (amount and amount.adjusted() < -6):
        raise CatalogError("bad_price", raw)
    if amount <= 0:
        raise CatalogError("price_not_positive", raw)
    if amount > MAX_PRICE_YUAN:
        raise CatalogError("price_too_high", raw)
    minor = amount.scaleb(precision(BASE_CURRENCY))
    if minor != minor.to_integral_value():
        raise CatalogError("bad_price", raw)
    return int(minor)


def price_text(fen: int) -> str:
    """Fen as the file writes yuan: `12.50` (the same text `parse_price` reads back)."""
    places = precision(BASE_CURRENCY)
    return str(Decimal(fen).scaleb(-places).quantize(Decimal(1).scaleb(-places)))


def parse_stock(text: str) -> int | None:
    """Units left to sell, or None (`-` or empty) for "not counted"."""
    value = text.strip().replace(" ", "")
    if value.lower() in NONE_WORDS:
        return None
    if re.fullmatch(r"-\d+", value):
        raise CatalogError("stock_negative", text.strip())
    if not value.isdecimal() or len(value) > 9:
        raise CatalogError("bad_stock", text.strip())
    stock = int(value)
    if stock > MAX_STOCK:
        raise CatalogError("bad_stock", text.strip())
    return stock


def parse_hs_code(text: str) -> str:
    """`0712.39`, `071239` → `071239`; empty or `-` for none. 4 to 10 digits; an odd count lost
    its leading zero in a spreadsheet (`71239`) and gets it back."""
    value = text.strip()
    if value.lower() in NONE_WORDS:
        return ""
    digits = value.replace(".", "").replace(" ", "")
    if not digits.isdecimal() or not digits.isascii():
        raise CatalogError("bad_hs", value)
    if len(digits) % 2:
        digits = "0" + digits
    if not 4 <= len(digits) <= 10:
        raise CatalogError("bad_hs", value)
    return digits


def parse_countries(text: str) -> tuple[str, ...]:
    """`IT,ES` or `it es` → ("ES", "IT"); empty or `-` for none."""
    value = text.strip()
    if value.lower() in NONE_WORDS:
        return ()
    codes = set()
    for word in re.split(r"[\s,;]+", value):
        if not word:
            continue
        code = word.upper()
        if not geo.is_country(code):
            raise CatalogError("bad_country", word)
        codes.add(code)
    return tuple(sorted(codes))


def parse_active(text: str) -> bool:
    value = text.strip().lower()
    if value in TRUE_WORDS or value == "":
        return True
    if value in FALSE_WORDS:
        return False
    raise CatalogError("bad_active", text.strip())


def parse_position(text: str) -> int:
    value = text.strip()
    if value == "":
        return 0
    if not value.isdecimal() or not value.isascii() or int(value) > MAX_POSITION:
        raise CatalogError("bad_position", value)
    return int(value)


def parse_locale(text: str) -> str:
    """`en`, `zh_Hans`, `zh-hans`, `ZH_HANT` → the locale; else CatalogError("bad_locale")."""
    key = text.strip().replace("-", "_").lower()
    for locale in LOCALES:
        if locale.lower() == key:
            return locale
    raise CatalogError("bad_locale", text.strip())


def _no_controls(text: str, keep: str = "") -> bool:
    return not any(
        unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") and ch not in keep for ch in text
    )


def clean_name(text: str, *, limit: int = MAX_NAME) -> str:
    """One line, whitespace collapsed, kept as typed (HTML is escaped where it is shown).
    Empty is allowed here (it removes a translation); control characters and NUL are not."""
    if "\x00" in text or not _no_controls(text, keep="\t\n\r"):
        raise CatalogError("bad_text")
    value = " ".join(text.split())
    if len(value) > limit:
        raise CatalogError("name_too_long", limit=limit)
    return value


def clean_description(text: str) -> str:
    """Several lines allowed; each line's spaces collapsed, blank lines at the ends dropped."""
    if "\x00" in text or not _no_controls(text, keep="\t\n\r"):
        raise CatalogError("bad_text")
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    value = "\n".join(lines).strip("\n")
    value = re.sub(r"\n{3,}", "\n\n", value)
    if len(value) > MAX_DESCRIPTION:
        raise CatalogError("description_too_long", limit=MAX_DESCRIPTION)
    return value


def clean_emoji(text: str) -> str:
    value = text.strip()
    if value in NONE_WORDS:
        return ""
    if len(value) > MAX_EMOJI or " " in value or not _no_controls(value, keep="\u200d\ufe0f"):
        raise CatalogError("bad_emoji", value)
    if any(ch.isascii() and ch.isalnum() for ch in value):
        raise CatalogError("bad_emoji", value)
    return value


def check_names(names: Mapping[str, str]) -> None:
    for locale in REQUIRED_LOCALES:
        if not names.get(locale):
            raise CatalogError("name_required", locale=locale)


# ── one-line edits: /product_set SKU FIELD VALUE, /category_set SLUG FIELD VALUE ─────────

PRODUCT_FIELDS = (
    "name", "desc", "category", "unit", "weight", "price", "stock", "hs", "restrict",
    "position",
)  # fmt: skip
CATEGORY_FIELDS = ("name", "emoji", "position")


@dataclass(frozen=True)
class Edit:
    """One field's new value. `name`/`desc` carry a locale; their value "" removes that
    locale's text. `category` is a category code (the service resolves it)."""

    field: str
    value: Any
    locale: str | None = None


def _split_field(text: str, fields: Sequence[str]) -> tuple[str, str | None]:
    key = text.strip().lower()
    name, _, locale = key.partition(".")
    if name in ("name", "desc") and name in fields:
        if not locale:
            raise CatalogError("field_needs_locale", name)
        return name, parse_locale(locale)
    if locale or name not in fields:
        raise CatalogError("bad_field", text.strip())
    return name, None


def parse_product_edit(field_text: str, value: str) -> Edit:
    """`price 12.50`, `name.it Funghi`, `stock -`, `restrict IT,ES`… checked like the dialog."""
    name, locale = _split_field(field_text, PRODUCT_FIELDS)
    if not value.strip():
        raise CatalogError("missing_value", name)  # removing takes a `-`, never nothing
    if name == "name":
        text = clean_name(value)
        text = "" if text in NONE_WORDS else text
        if not text and locale in REQUIRED_LOCALES:
            raise CatalogError("name_required", locale=locale)
        return Edit("name", text, locale)
    if name == "desc":
        text = clean_description(value)
        return Edit("desc", "" if text in NONE_WORDS else text, locale)
    parsers = {
        "category": parse_category_slug, "unit": parse_unit, "weight": parse_weight,
        "price": parse_price, "stock": parse_stock, "hs": parse_hs_code,
        "restrict": parse_countries, "position": parse_position,
    }  # fmt: skip
    return Edit(name, parsers[name](value))


def parse_category_edit(field_text: str, value: str) -> Edit:
    name, locale = _split_field(field_text, CATEGORY_FIELDS)
    if not value.strip():
        raise CatalogError("missing_value", name)
    if name == "name":
        text = clean_name(value, limit=MAX_CATEGORY_NAME)
        text = "" if text in NONE_WORDS else text
        return Edit("name", text, locale)
    if name == "emoji":
        return Edit("emoji", clean_emoji(value))
    return Edit("position", parse_position(value))


def apply_edit(data: ProductData, edit: Edit) -> ProductData:
    """The product with one field changed (no check against the database)."""
    if edit.field in ("name", "desc"):
        assert edit.locale is not None
        texts = dict(data.names if edit.field == "name" else data.descriptions)
        if edit.value:
            texts[edit.locale] = edit.value
        else:
            texts.pop(edit.locale, None)
        if edit.field == "name":
            return replace(data, names=_texts(texts))
        return replace(data, descriptions=_texts(texts))
    attr = {
        "weight": "weight_g", "price": "price_cny", "hs": "hs_code", "restrict": "restricted",
    }.get(edit.field, edit.field)  # fmt: skip
    return replace(data, **{attr: edit.value})


# ── the file ───────────────────────────────────────────────────────────────────────────


def product_cells(data: ProductData) -> list[Cell]:
    """One row of the file, in COLUMNS order."""
    return [
        data.sku, data.category, data.position, data.unit, data.weight_g,
        price_text(data.price_cny), "" if data.stock is None else data.stock, data.hs_code,
        ",".join(data.restricted), "true" if data.active else "false",
        *(data.names.get(locale, "") for locale in LOCALES),
        *(data.descriptions.get(locale, "") for locale in LOCALES),
    ]  # fmt: skip


def _names(names: list[str], limit: int = 200) -> str:
    """Column names for an error, whole ones only: `a, b, c … (+12)`."""
    shown: list[str] = []
    for name in names:
        name = name[:40]
        if shown and len(", ".join([*shown, name])) > limit:
            break
        shown.append(name)
    rest = len(names) - len(shown)
    return ", ".join(shown) + (f" … (+{rest})" if rest else "")


def _header_key(cell: str) -> str:
    return "_".join(cell.strip().lower().split()).lstrip("\ufeff")


def looks_like_product_table(table: Sequence[Sequence[str]]) -> bool:
    """Its header names a SKU and a price: a product file, not a file of shipment events."""
    first = next((row for row in table if any(row)), None)
    keys = {_header_key(cell) for cell in first or ()}
    return "sku" in keys and "price_cny" in keys


@dataclass(frozen=True)
class RowProblem:
    number: int  # as a spreadsheet numbers it (the header is row 1)
    errors: tuple[CatalogError, ...]


def read_products(
    table: Sequence[Sequence[str]],
) -> tuple[list[tuple[int, ProductData]], list[RowProblem]]:
    """The file's products, and the rows that cannot be read (every problem of each row).
    Blank rows are skipped. The file as a whole: FileError (empty, too_many_rows,
    missing_columns, unknown_columns, duplicate_columns)."""
    rows = [(number, list(row)) for number, row in enumerate(table, start=1) if any(row)]
    if not rows:
        raise FileError("empty")
    header = [_header_key(cell) for cell in rows[0][1]]
    while header and not header[-1]:
        header.pop()  # trailing empty columns of a spreadsheet
    columns = [_CANONICAL.get(key, key) for key in header]
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise FileError("unknown_columns", _names([c or "?" for c in unknown]))
    if len(set(columns)) != len(columns):
        twice = sorted({c for c in columns if columns.count(c) > 1})
        raise FileError("duplicate_columns", _names(twice))
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        raise FileError("missing_columns", _names(missing))
    body = rows[1:]
    if not body:
        raise FileError("empty")
    if len(body) > MAX_ROWS:
        raise FileError("too_many_rows", str(MAX_ROWS))
    found: list[tuple[int, ProductData]] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    for number, row in body:
        cells = {
            name: unescape_cell(row[i]) if i < len(row) else "" for i, name in enumerate(columns)
        }
        data, errors = _read_row(cells)
        if data is not None and data.sku in seen:
            errors.append(CatalogError("duplicate_in_file", data.sku, row=seen[data.sku]))
        if errors or data is None:
            problems.append(RowProblem(number, tuple(errors)))
            continue
        seen[data.sku] = number
        found.append((number, data))
    return found, problems


def _read_row(cells: Mapping[str, str]) -> tuple[ProductData | None, list[CatalogError]]:
    errors: list[CatalogError] = []

    def take(parse, text: str):  # noqa: ANN001, ANN202
        try:
            return parse(text)
        except CatalogError as error:
            errors.append(error)
            return None

    sku = take(parse_sku, cells["sku"]) if cells["sku"].strip() else None
    if sku is None and not errors:
        errors.append(CatalogError("no_sku"))
    category = take(parse_category_slug, cells["category"])
    unit = take(parse_unit, cells["unit"])
    weight = take(parse_weight, cells["weight_g"])
    price = take(parse_price, cells["price_cny"])
    stock = take(parse_stock, cells["stock"])
    hs_code = take(parse_hs_code, cells["hs_code"])
    restricted = take(parse_countries, cells["restricted"])
    active = take(parse_active, cells["active"])
    position = take(parse_position, cells["position"])
    names: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    for locale in LOCALES:
        name = take(clean_name, cells[f"name_{locale}"])
        if name:
            names[locale] = name
        text = take(clean_description, cells[f"desc_{locale}"])
        if text:
            descriptions[locale] = text
    for locale in REQUIRED_LOCALES:
        if not names.get(locale) and not cells[f"name_{locale}"].strip():
            errors.append(CatalogError("name_required", locale=locale))
    if errors:
        return None, errors
    assert sku and category and unit and weight and price and active is not None
    return ProductData(
        sku=sku, category=category, unit=unit, weight_g=weight, price_cny=price, names=names,
        descriptions=descriptions, stock=stock, hs_code=hs_code or "",
        restricted=restricted or (), active=active, position=position or 0,
    ), []  # fmt: skip
