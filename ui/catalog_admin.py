"""What admins see of the catalogue: the product list and card with its edit buttons, the
/product_new dialog, categories, the import's report, and the words of every refusal."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.i18n import ngettext
from aiogram.utils.i18n.lazy_proxy import LazyProxy
from pydantic import Field

from core.locales import LANGUAGE_NAMES, LOCALES
from domain import geo
from domain.catalog import UNITS, localized, sold_by_volume
from domain.product_files import (
    CATEGORY_FIELDS,
    MAX_DESCRIPTION,
    MAX_NAME,
    MAX_PRICE_YUAN,
    MAX_ROWS,
    REQUIRED_LOCALES,
    CatalogError,
    ProductData,
    RowProblem,
    data_of,
)
from domain.shipment_files import MAX_BYTES, FileError
from models import Category, Product
from services.catalog_admin import AdminCard, AdminPage, CategoryStats, ImportPlan, ImportResult
from ui.callbacks import Id, MenuAction, MenuCb
from ui.catalog import unit_label, volume_text, weight_text
from ui.context import current
from ui.errors import shipment_error_text
from ui.groups import yuan
from ui.keyboard import Keyboard
from ui.render import button, fit, q

# The /admin help screen's catalogue lines: (command, what it does).
ADMIN_COMMANDS: tuple[tuple[str, LazyProxy], ...] = (
    ("products", __("/products [page] — every product, hidden ones too, with SKU, price, stock")),
    ("product", __("/product SKU — a product's card with its edit buttons")),
    ("product_new", __("/product_new — add a product (guided; or one line, see /product_new help)")),
    ("product_set", __("/product_set SKU FIELD VALUE — change one field, e.g. /product_set dried-shiitake price 39.50")),
    ("product_hide", __("/product_hide SKU, /product_show SKU — take a product off sale, or back")),
    ("photo", __("/photo SKU — as the caption of a photo: the product's picture")),
    ("categories", __("/categories — the categories with their product counts")),
    ("category_new", __("/category_new SLUG EMOJI NAME — add a category")),
    ("category_set", __("/category_set SLUG FIELD VALUE — rename, emoji, position")),
    ("category_hide", __("/category_hide SLUG, /category_show SLUG — hide a category, or show it")),
    ("export", __("/export products — the catalogue as CSV and XLSX files")),
    ("import", __("/import — a CSV or XLSX file of products: checked first, applied all or nothing")),
)  # fmt: skip


class CatalogAction(StrEnum):
    LIST = "ls"  # p: the page
    SHOW = "sh"  # id: the product
    EDIT = "ed"  # id, v: the field (price, stock, …; unit and category show buttons)
    UNIT = "un"  # id, v: set the unit
    CATEGORY = "ct"  # id, c: move to the category
    HIDE = "hd"  # id: ask to hide it
    UNHIDE = "uh"  # id: on sale again
    DIALOG_CATEGORY = "dc"  # /product_new: c
    DIALOG_UNIT = "du"  # /product_new: v
    DIALOG_SKIP = "dk"  # /product_new: skip this step
    DIALOG_CREATE = "dn"  # /product_new: create it


class CatalogCb(CallbackData, prefix="adp"):
    a: CatalogAction
    id: Id = 0
    c: Id = 0
    p: Annotated[int, Field(ge=0, le=100_000)] = 0
    v: Annotated[str, Field(max_length=16)] = ""


class CatalogImport(StatesGroup):
    # /import was typed: the next document is a product file (not a file of shipment events)
    file = State()


EDITABLE = ("price", "stock", "weight", "unit", "category", "hs", "restrict", "position",
            "name", "desc")  # fmt: skip
DIALOG_STEPS = 10


def _locale() -> str:
    return current().locale


def language(locale: str) -> str:
    return f"{LANGUAGE_NAMES.get(locale, locale)} ({locale})"


def cancel_button():  # noqa: ANN201
    return button(_("✖ Cancel"), MenuCb(action=MenuAction.CANCEL).pack())


# ── refusals ────────────────────────────────────────────────────────────────────────────

TEXTS: dict[str, LazyProxy] = {
    "bad_sku": __(
        "“{value}” is not a valid SKU: use lowercase letters, digits and hyphens (at most 64), "
        "starting with a letter or a digit, e.g. <code>dried-shiitake-500g</code>."
    ),
    "bad_category_slug": __(
        "“{value}” is not a valid category code: use lowercase letters, digits and hyphens (at "
        "most 64), e.g. <code>frozen-food</code>."
    ),
    "unknown_sku": __("There is no product “{value}”. See /products."),
    "duplicate_sku": __("A product with the SKU “{value}” already exists: see /product {value}."),
    "unknown_category": __(
        "There is no category “{value}”. See /categories, or create it with /category_new."
    ),
    "duplicate_category": __("There is already a category “{value}”. See /categories."),
    "bad_unit": __("“{value}” is not a unit. Use one of: {units}."),
    "bad_weight": __(
        "“{value}” is not a weight: give grams like <code>250</code> or kilograms like "
        "<code>2.5kg</code>."
    ),
    "weight_range": __("The net weight must be from 1 g to 100 kg (“{value}” is not)."),
    "bad_price": __(
        "“{value}” is not a price in yuan: write it like <code>38.50</code> (at most two decimals)."
    ),
    "price_not_positive": __("The price must be above zero."),
    "price_too_high": __("“{value}” is too high: a price is at most {maximum}."),
    "bad_stock": __(
        "“{value}” is not a stock: give a whole number of units, or <code>-</code> when stock is "
        "not counted."
    ),
    "stock_negative": __("The stock cannot be negative."),
    "bad_hs": __(
        "“{value}” is not an HS code: 4 to 10 digits, e.g. <code>0712.39</code>, or <code>-</code> "
        "for none."
    ),
    "bad_country": __(
        "“{value}” is not a country code: use two-letter ISO codes like <code>IT,ES</code>, or "
        "<code>-</code> for none."
    ),
    "bad_active": __("“{value}” is neither true nor false."),
    "bad_position": __("“{value}” is not a position: use a whole number from 0 to 100000."),
    "bad_locale": __("“{value}” is not one of the languages: {locales}."),
    "bad_text": __("The text has control characters in it (such as NUL). Please type it again."),
    "name_too_long": __("That is too long: a name has at most {limit} characters."),
    "description_too_long": __("That is too long: a description has at most {limit} characters."),
    "name_required": __("The name in {language} is required."),
    "category_name_required": __("A category needs a name in at least one language."),
    "bad_emoji": __("“{value}” is not an emoji: send one emoji, or <code>-</code> for none."),
    "bad_field": __("“{value}” is not a field you can set."),
    "field_needs_locale": __(
        "Say which language, e.g. <code>{value}.en</code> or <code>{value}.zh_Hans</code>."
    ),
    "missing_value": __("Give the new value after the field."),
    "no_sku": __("The SKU is empty."),
    "duplicate_in_file": __("The SKU “{value}” is already on row {row}."),
    "import_stale": __(
        "The catalogue changed since the file was checked ({value}), so nothing was imported. "
        "Send the file again."
    ),
}

FILE_TEXTS: dict[str, LazyProxy] = {
    "missing_columns": __(
        "These columns are missing: {value}. Start from the file that /export products sends."
    ),
    "unknown_columns": __(
        "These columns are unknown: {value}. Use the columns of the file that /export products "
        "sends."
    ),
    "duplicate_columns": __("These columns appear more than once: {value}."),
}


def catalog_error_text(error: CatalogError | FileError) -> str:
    if isinstance(error, FileError):
        text = FILE_TEXTS.get(error.code)
        if text is None:
            return shipment_error_text(error)
        return str(text).format(value=q(error.value))
    if error.code == "bad_page":
        pages = int(str(error.details.get("pages", 1)))
        return ngettext(
            "There is no page {page}: the list has {count} page.",
            "There is no page {page}: the list has {count} pages.",
            pages,
        ).format(page=q(error.value), count=pages)
    locale = str(error.details.get("locale", ""))
    values = {
        "value": q(error.value),
        "units": ", ".join(f"<code>{u}</code>" for u in UNITS),
        "maximum": q(yuan(MAX_PRICE_YUAN * 100, _locale())),
        "locales": ", ".join(f"<code>{code}</code>" for code in LOCALES),
        "language": q(language(locale)),
        "limit": str(error.details.get("limit", MAX_NAME)),
        "row": q(error.details.get("row", "")),
    }
    text = TEXTS.get(error.code)
    if text is None:
        return _("That did not work.")
    return str(text).format(**values)


def problems_text(problems: Sequence[RowProblem], *, shown: int = 15) -> str:
    """Every row's problems, by row number (like the shipment import's)."""
    lines = [
        ngettext(
            "⛔ Nothing was imported: {count} row has a problem.",
            "⛔ Nothing was imported: {count} rows have a problem.",
            len(problems),
        ).format(count=len(problems))
    ]
    for problem in sorted(problems, key=lambda p: p.number)[:shown]:
        reasons = " ".join(catalog_error_text(e) for e in problem.errors)
        lines.append(_("Row {number}: {error}").format(number=problem.number, error=reasons))
    if len(problems) > shown:
        more = len(problems) - shown
        lines.append(
            ngettext("…and {count} more row.", "…and {count} more rows.", more).format(count=more)
        )
    return fit(lines)


# ── usage ───────────────────────────────────────────────────────────────────────────────


def product_new_usage() -> str:
    return _(
        "Add a product: send /product_new alone for a guided dialog, or everything in one line:\n"
        "<code>/product_new SKU | CATEGORY | UNIT | WEIGHT | PRICE | English name | 中文名称</code>\n"
        "and, optionally, <code>| STOCK | HS CODE | RESTRICTED COUNTRIES</code>, e.g.\n"
        "<code>/product_new shiitake-500g | dried-goods | bag | 500 | 68 | Dried shiitake, 500 g "
        "| 香菇干 500克 | 40 | 0712.39 | -</code>"
    )


def product_set_usage() -> str:
    return _(
        "Usage: /product_set SKU FIELD VALUE\n"
        "Fields: <code>name.LANG</code>, <code>desc.LANG</code>, <code>category</code>, "
        "<code>unit</code>, <code>weight</code>, <code>price</code>, <code>stock</code> (a number, "
        "or <code>-</code> for not counted), <code>hs</code>, <code>restrict</code> (e.g. "
        "<code>IT,ES</code>, or <code>-</code>), <code>position</code>.\n"
        "Languages: {locales}.\n"
        "<code>/product_set dried-shiitake price 39.50</code>\n"
        "<code>/product_set dried-shiitake name.it Funghi shiitake secchi</code>"
    ).format(locales=", ".join(LOCALES))


def category_usage() -> str:
    return _(
        "Categories: /category_new SLUG EMOJI NAME (the name in your language; <code>-</code> for "
        "no emoji), /category_set SLUG FIELD VALUE (fields: <code>name.LANG</code>, "
        "<code>emoji</code>, <code>position</code>), /category_hide SLUG, /category_show SLUG.\n"
        "<code>/category_new frozen 🧊 Frozen food</code>\n"
        "<code>/category_set frozen name.zh_Hans 冷冻食品</code>"
    )


def category_set_usage() -> str:
    fields = ", ".join(f"<code>{f}</code>" for f in CATEGORY_FIELDS)
    return _("Usage: /category_set SLUG FIELD VALUE (fields: {fields}; names as name.LANG)").format(
        fields=fields
    )


def import_prompt() -> str:
    return ngettext(
        "Send the product file now, as a CSV or XLSX document, in the format of the file that "
        "/export products sends (at most {rows} row, {size} MB). It is checked first; nothing "
        "changes until you confirm.",
        "Send the product file now, as a CSV or XLSX document, in the format of the file that "
        "/export products sends (at most {rows} rows, {size} MB). It is checked first; nothing "
        "changes until you confirm.",
        MAX_ROWS,
    ).format(rows=MAX_ROWS, size=MAX_BYTES // 1024 // 1024)


def resend_text() -> str:
    return _("Correct the file and send it again: the next file you send is read as products.")


def product_file_hint() -> str:
    """A product file sent without /import (it would otherwise be read as shipment events)."""
    return _(
        "This is a product file. To import it, send it again with the caption "
        "<code>/import</code>, or type /import first and then send it."
    )


def photo_usage() -> str:
    return _(
        "To set a product's photo, send the photo with the caption <code>/photo SKU</code>, "
        "e.g. <code>/photo dried-shiitake</code>. <code>/photo SKU -</code> removes it."
    )


# ── the product list and card ───────────────────────────────────────────────────────────


def stock_text(stock: int | None) -> str:
    if stock is None:
        return _("not counted")
    if stock == 0:
        return _("out of stock")
    return ngettext("{count} left", "{count} left", stock).format(count=stock)


def list_view(page: AdminPage) -> tuple[str, InlineKeyboardMarkup]:
    locale = _locale()
    lines = [
        ngettext(
            "<b>Products</b> · {total} product · page {page} of {pages}",
            "<b>Products</b> · {total} products · page {page} of {pages}",
            page.total,
        ).format(total=page.total, page=page.page + 1, pages=page.pages),
        "",
    ]
    kb = Keyboard()
    for product in page.products:
        category = page.categories.get(product.category_id)
        hidden = not product.is_active or (category is not None and not category.is_active)
        parts = [
            f"<code>{q(product.slug)}</code>",
            q(localized(product.names, locale)),
            q(yuan(product.price_cny, locale)),
        ]
        if product.stock is not None:
            parts.append("📦 " + q(stock_text(product.stock)))
        if hidden:
            parts.append("🙈")
        lines.append(" · ".join(parts))
        kb.button(
            text=("🙈 " if hidden else "") + product.slug[:40],
            callback_data=CatalogCb(a=CatalogAction.SHOW, id=product.id or 0),
        )
    kb.adjust(2)
    nav = []
    if page.page > 0:
        nav.append(button("◀️", CatalogCb(a=CatalogAction.LIST, p=page.page - 1).pack()))
    if page.page < page.pages - 1:
        nav.append(button("▶️", CatalogCb(a=CatalogAction.LIST, p=page.page + 1).pack()))
    if nav:
        kb.row(*nav)
    if not page.products:
        lines.append(_("No products yet. Add one with /product_new or /import."))
    lines += ["", _("Open one with /product SKU; 🙈 marks what buyers do not see.")]
    return fit(lines), kb.as_markup()


def product_lines(data: ProductData, category: Category | None, locale: str) -> list[str]:
    """The facts of a product (the card, and the dialog's summary)."""
    title = localized(data.names, locale) or data.sku
    lines = [f"<b>{q(title)}</b>", f"<code>{q(data.sku)}</code>"]
    for code in REQUIRED_LOCALES:
        if data.names.get(code) and data.names.get(code) != title:
            lines.append(f"{q(code)}: {q(data.names[code])}")
    if category is not None:
        name = localized(category.names, locale) or category.slug
        hidden = "" if category.is_active else " · " + _("🙈 hidden")
        lines.append(
            _("Category: {emoji} {name} ({code})")
            .format(emoji=q(category.emoji), name=q(name), code=f"<code>{q(category.slug)}</code>")
            .replace("  ", " ")
            + hidden
        )
    else:
        lines.append(_("Category: {code}").format(code=f"<code>{q(data.category)}</code>"))
    lines.append(
        _("💰 {price} per {unit}").format(
            price=q(yuan(data.price_cny, locale)), unit=q(unit_label(data.unit))
        )
    )
    if sold_by_volume(data.unit, data.hs_code):
        lines.append(_("🧴 Volume: {volume}").format(volume=q(volume_text(data.weight_g, locale))))
    else:
        lines.append(
            _("⚖️ Net weight: {weight}").format(weight=q(weight_text(data.weight_g, locale)))
        )
    lines.append(_("📦 Stock: {stock}").format(stock=q(stock_text(data.stock))))
    lines.append(_("🏷 HS code: {code}").format(code=q(data.hs_code) if data.hs_code else _("none")))
    if data.restricted:
        countries = ", ".join(
            f"{q(geo.country_name(code, locale))} ({code})" for code in data.restricted
        )
        lines.append(_("⛔ Not shipped to: {countries}").format(countries=countries))
    else:
        lines.append(_("✅ No import restrictions"))
    return lines


def _coverage(texts: dict[str, str]) -> str:
    missing = [code for code in LOCALES if not texts.get(code)]
    have = len(LOCALES) - len(missing)
    text = ngettext(
        "{count} of {total} language", "{count} of {total} languages", len(LOCALES)
    ).format(count=have, total=len(LOCALES))
    if missing:
        text += " " + _("(missing: {codes})").format(codes=", ".join(missing))
    return text


def card_view(card: AdminCard) -> tuple[str, InlineKeyboardMarkup, str | None]:
    """The admin's card: every fact, the translations, whether buyers see it, its groups."""
    locale = _locale()
    product, category = card.product, card.category
    lines = product_lines(data_of(product, category.slug), category, locale)
    lines.append(_("🌐 Names: {coverage}").format(coverage=q(_coverage(product.names))))
    lines.append(
        _("📝 Descriptions: {coverage}").format(coverage=q(_coverage(product.descriptions)))
    )
    lines.append(_("↕️ Position: {position}").format(position=product.position))
    if product.photo:
        lines.append(_("📷 Photo: set (replace it with /photo {sku})").format(sku=q(product.slug)))
    else:
        lines.append(
            _("📷 No photo: send one with the caption /photo {sku}").format(sku=q(product.slug))
        )
    if not product.is_active:
        lines.append(_("🙈 Hidden: buyers do not see it (/product_show {sku})").format(
            sku=q(product.slug)))  # fmt: skip
    elif not category.is_active:
        lines.append(_("🙈 Its category is hidden, so buyers do not see it."))
    else:
        lines.append(_("👁 On sale: buyers see it."))
    lines.append(
        ngettext(
            "{count} open group order offers it.",
            "{count} open group orders offer it.",
            card.open_groups,
        ).format(count=card.open_groups)
    )
    pid = product.id or 0
    labels = {
        "price": _("✏️ Price"), "stock": _("✏️ Stock"), "weight": _("✏️ Weight"),
        "unit": _("✏️ Unit"), "category": _("✏️ Category"), "hs": _("✏️ HS code"),
        "restrict": _("✏️ Restrictions"), "position": _("✏️ Position"),
        "name": _("✏️ Names"), "desc": _("✏️ Descriptions"),
    }  # fmt: skip
    kb = Keyboard()
    for field in EDITABLE:
        kb.button(
            text=labels[field], callback_data=CatalogCb(a=CatalogAction.EDIT, id=pid, v=field)
        )
    kb.adjust(2)
    if product.is_active:
        kb.row(button(_("🙈 Hide"), CatalogCb(a=CatalogAction.HIDE, id=pid).pack()))
    else:
        kb.row(button(_("👁 Show again"), CatalogCb(a=CatalogAction.UNHIDE, id=pid).pack()))
    kb.row(button(_("⬅ Products"), CatalogCb(a=CatalogAction.LIST).pack()))
    return "\n".join(lines), kb.as_markup(), product.photo


def edit_prompt(field: str, product: Product) -> str:
    sku = q(product.slug)
    prompts = {
        "price": _("New price of {sku} in yuan, e.g. <code>38.50</code>?"),
        "stock": _(
            "How many of {sku} are in stock? A whole number, or <code>-</code> when stock is not "
            "counted."
        ),
        "weight": _(
            "New net weight of {sku}: grams like <code>250</code> or kilograms like "
            "<code>2.5kg</code>?"
        ),
        "hs": _("New HS code of {sku}, e.g. <code>0712.39</code>, or <code>-</code> for none?"),
        "restrict": _(
            "Countries {sku} may not be shipped to, as ISO codes like <code>IT,ES</code>, or "
            "<code>-</code> for none?"
        ),
        "position": _("Position of {sku} in its category (smaller numbers come first)?"),
        "name": _(
            "Send the language and the name of {sku}, e.g. <code>it Funghi shiitake secchi</code>. "
            "A <code>-</code> instead of the name removes that language's name (English and "
            "Simplified Chinese are required). Languages: {locales}."
        ),
        "desc": _(
            "Send the language and the description of {sku}, e.g. <code>en Sun-dried in Lishui.</code> "
            "(at most {limit} characters). A <code>-</code> instead of the text removes it. "
            "Languages: {locales}."
        ),
    }
    return prompts[field].format(sku=f"<code>{sku}</code>", locales=", ".join(LOCALES),
                                 limit=MAX_DESCRIPTION)  # fmt: skip


def unit_markup(action: CatalogAction, product_id: int = 0) -> InlineKeyboardMarkup:
    kb = Keyboard()
    for unit in UNITS:
        kb.button(text=unit_label(unit), callback_data=CatalogCb(a=action, id=product_id, v=unit))
    kb.adjust(4)
    kb.row(cancel_button())
    return kb.as_markup()


def category_markup(
    categories: Sequence[Category], action: CatalogAction, product_id: int = 0
) -> InlineKeyboardMarkup:
    locale = _locale()
    kb = Keyboard()
    for category in categories[:40]:
        name = localized(category.names, locale) or category.slug
        hidden = "" if category.is_active else " 🙈"
        kb.button(
            text=f"{category.emoji} {name}{hidden}".strip()[:60],
            callback_data=CatalogCb(a=action, id=product_id, c=category.id or 0),
        )
    kb.adjust(2)
    kb.row(cancel_button())
    return kb.as_markup()


def cancel_markup(skip: bool = False, step: str = "") -> InlineKeyboardMarkup:
    """Cancel, and Skip for the step `step` (its state's name: a Skip pressed twice, or on an
    older message, must not skip the step after it)."""
    row = [cancel_button()]
    if skip:
        row.insert(
            0, button(_("⏭ Skip"), CatalogCb(a=CatalogAction.DIALOG_SKIP, v=step[:16]).pack())
        )
    return InlineKeyboardMarkup(inline_keyboard=[row])


def hide_prompt(product: Product, open_groups: int) -> str:
    name = q(localized(product.names, _locale()) or product.slug)
    text = _(
        "Hide {name} (<code>{sku}</code>)? Buyers will no longer find it in the catalogue or in "
        "search; orders already placed keep it."
    ).format(name=name, sku=q(product.slug))
    if not open_groups:
        return text + "\n" + _("No open group order offers it.")
    text += "\n" + ngettext(
        "{count} open group order offers it and will keep offering it (cancel or close that "
        "group to stop it).",
        "{count} open group orders offer it and will keep offering it (cancel or close those "
        "groups to stop it).",
        open_groups,
    ).format(count=open_groups)
    return text


def category_hide_prompt(category: Category, visible: int) -> str:
    name = q(localized(category.names, _locale()) or category.slug)
    return ngettext(
        "Hide the category {emoji} {name}? Its {count} product on sale disappears from the "
        "catalogue and from search with it (orders already placed keep it).",
        "Hide the category {emoji} {name}? Its {count} products on sale disappear from the "
        "catalogue and from search with it (orders already placed keep them).",
        visible,
    ).format(emoji=q(category.emoji), name=name, count=visible)


def category_hide_yes(visible: int) -> str:
    return ngettext(
        "🙈 Hide it and its {count} product", "🙈 Hide it and its {count} products", visible
    ).format(count=visible)


def categories_text(rows: Sequence[CategoryStats]) -> str:
    locale = _locale()
    lines = [_("<b>Categories</b>")]
    for row in rows:
        category = row.category
        name = localized(category.names, locale) or category.slug
        counts = ngettext(
            "{count} product ({visible} on sale)", "{count} products ({visible} on sale)",
            row.products,
        ).format(count=row.products, visible=row.visible)  # fmt: skip
        hidden = " · 🙈 " + _("hidden") if not category.is_active else ""
        lines.append(
            f"{q(category.emoji)} <code>{q(category.slug)}</code> · {q(name)} · {q(counts)}"
            f" · ↕️ {category.position}{hidden}".replace("  ", " ")
        )
    if not rows:
        lines.append(_("No categories yet."))
    lines += ["", category_usage()]
    return fit(lines)


def category_done_text(category: Category, head: str) -> str:
    locale = _locale()
    names = ", ".join(f"{code}: {q(category.names[code])}" for code in LOCALES
                      if category.names.get(code))  # fmt: skip
    state = _("shown to buyers") if category.is_active else _("hidden")
    return "\n".join([
        head,
        f"{q(category.emoji)} <code>{q(category.slug)}</code> · "
        f"{q(localized(category.names, locale) or category.slug)} · {q(state)}",
        _("Names: {names}").format(names=names or "—"),
    ]).replace("  ", " ")  # fmt: skip


# ── the /product_new dialog ─────────────────────────────────────────────────────────────


def step_text(step: int, text: str) -> str:
    return (
        _("New product, step {step} of {steps}.").format(step=step, steps=DIALOG_STEPS) + " " + text
    )


def draft_summary(data: ProductData, category: Category | None) -> str:
    lines = [_("<b>New product</b>"), ""]
    lines += product_lines(data, category, _locale())
    lines += ["", _("Create it? It goes on sale at once; add a photo afterwards with /photo.")]
    return "\n".join(lines)


def summary_markup() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                button(_("✅ Create"), CatalogCb(a=CatalogAction.DIALOG_CREATE).pack()),
                cancel_button(),
            ]
        ]
    )


# ── the file ────────────────────────────────────────────────────────────────────────────


def import_summary_text(plan: ImportPlan, filename: str, *, shown: int = 15) -> str:
    locale = _locale()
    lines = [
        _("📄 {file}: {new}, {changed}, {unchanged}.").format(
            file=q(filename),
            new=ngettext("{count} new", "{count} new", len(plan.new)).format(count=len(plan.new)),
            changed=ngettext("{count} changed", "{count} changed", len(plan.changed)).format(
                count=len(plan.changed)
            ),
            unchanged=ngettext("{count} unchanged", "{count} unchanged", plan.unchanged).format(
                count=plan.unchanged
            ),
        )
    ]
    entries = [
        _("➕ {sku} — {name}").format(
            sku=f"<code>{q(d.sku)}</code>", name=q(localized(d.names, locale))
        )
        for d in plan.new
    ] + [
        _("✏️ {sku}: {fields}").format(
            sku=f"<code>{q(c.data.sku)}</code>", fields=q(", ".join(c.fields))
        )
        for c in plan.changed
    ]
    lines += entries[:shown]
    if len(entries) > shown:
        more = len(entries) - shown
        lines.append(
            ngettext("…and {count} more product.", "…and {count} more products.", more).format(
                count=more
            )
        )
    if plan.writes:
        lines += ["", _("Apply these changes? All of them are applied together, or none.")]
    else:
        lines += ["", _("Nothing changed: the catalogue already matches the file.")]
    return fit(lines)


def import_yes(plan: ImportPlan) -> str:
    return ngettext("✅ Apply {count} change", "✅ Apply {count} changes", plan.writes).format(
        count=plan.writes
    )


def import_done_text(result: ImportResult) -> str:
    return _("✅ Imported: {new}, {changed}.").format(
        new=ngettext("{count} new product", "{count} new products", result.created).format(
            count=result.created
        ),
        changed=ngettext(
            "{count} product changed", "{count} products changed", result.updated
        ).format(count=result.updated),
    )


def export_caption(count: int, fmt: str) -> str:
    return ngettext(
        "{format}: {count} product, hidden ones included (active=false). Edit it and send it "
        "back with /import.",
        "{format}: {count} products, hidden ones included (active=false). Edit it and send it "
        "back with /import.",
        count,
    ).format(format=fmt, count=count)
