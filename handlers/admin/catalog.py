"""The catalogue: products and categories (dialog and one-line forms), photos, /import and
/export products.

Commands (every one answers its usage when typed without what it needs):
- /products [page] — every product, hidden ones too; /product SKU — its card and edit buttons
- /product_new — a dialog (SKU → category → names → unit → weight → price → stock → HS code →
  restrictions → ✅ Create), or one line: `/product_new SKU | CATEGORY | UNIT | WEIGHT | PRICE |
  English name | 中文名称 [| STOCK | HS | RESTRICTED]`
- /product_set SKU FIELD VALUE — one field (name.LANG, desc.LANG, category, unit, weight, price,
  stock, hs, restrict, position); `-` clears what may be cleared
- /product_hide SKU (confirmed, saying how many open groups offer it), /product_show SKU
- a photo with the caption `/photo SKU` (also an image sent as a file); `/photo SKU -` removes it
- /categories, /category_new SLUG EMOJI NAME, /category_set SLUG FIELD VALUE (name.LANG, emoji,
  position), /category_hide SLUG (confirmed when it has products on sale), /category_show SLUG
- /export products — CSV and XLSX; /import — such a file (caption /import, or sent after typing
  /import), checked row by row, then applied all or nothing once confirmed. A row whose
  category does not exist is refused: categories are created with /category_new.
"""

from __future__ import annotations

import io
import json
from zoneinfo import ZoneInfo

from aiogram import Bot, F
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from domain.catalog import UNITS
from domain.product_files import (
    COLUMNS,
    MAX_CATEGORY_NAME,
    CatalogError,
    Edit,
    ProductData,
    check_names,
    clean_emoji,
    clean_name,
    parse_category_edit,
    parse_category_slug,
    parse_countries,
    parse_hs_code,
    parse_price,
    parse_product_edit,
    parse_sku,
    parse_stock,
    parse_unit,
    parse_weight,
    product_cells,
    read_products,
)
from domain.shipment_files import MAX_BYTES, FileError, read_table
from domain.spreadsheets import to_csv, to_xlsx
from handlers import confirm
from handlers.routing import RouterSpec, from_admin
from models import Category, User
from services import catalog, catalog_admin, exports
from services.catalog_admin import ImportPlan
from ui import catalog_admin as views
from ui.callbacks import ConfirmAction, ConfirmCb
from ui.catalog import unit_label
from ui.catalog_admin import CatalogAction, CatalogCb, CatalogImport
from ui.context import current
from ui.render import CAPTION_LIMIT, q, show, stale, truncate

router = RouterSpec(__name__, admin_only=True)
DRAFT = "product_draft"
EDITING = "product_edit"
MAX_PLAN_CHARS = 600_000  # what an import keeps until it is confirmed (in the admin's FSM data)
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # Telegram's limit for a photo
PHOTO_FILES = (".jpg", ".jpeg", ".png", ".webp")


class ProductDialog(StatesGroup):
    sku = State()
    category = State()
    name_en = State()
    name_zh = State()
    unit = State()
    weight = State()
    price = State()
    stock = State()
    hs = State()
    restrict = State()
    confirm = State()


class ProductEdit(StatesGroup):
    value = State()  # a card's ✏️ button was pressed: the next text is that field's new value


def typed(message: Message) -> str:
    return message.text or ""


async def reply_card(
    target: Message | CallbackQuery, session: AsyncSession, *, product_id: int | None = None,
    sku: str | None = None, head: str | None = None,
) -> None:  # fmt: skip
    card = await catalog_admin.product_card(session, sku=sku, product_id=product_id)
    text, markup, photo = views.card_view(card)
    if head:
        text = head + "\n\n" + text
    await show(target, text, markup, photo=photo)


def _saved(changed: bool) -> str:
    return _("✅ Saved.") if changed else _("Nothing changed: it already was so.")


# ── reading ─────────────────────────────────────────────────────────────────────────────


@router.message(Command("products"))
async def cmd_products(message: Message, command: CommandObject, session: AsyncSession) -> None:
    args = (command.args or "").strip()
    if args and not (args.isdecimal() and args.isascii() and len(args) <= 6 and int(args) > 0):
        await message.answer(_("Usage: /products [page], e.g. /products 2"))
        return
    try:
        page = await catalog_admin.products_page(session, page=int(args or 1) - 1)
    except CatalogError as error:
        await message.answer(views.catalog_error_text(error))
        return
    text, markup = views.list_view(page)
    await message.answer(text, reply_markup=markup)


@router.callback_query(CatalogCb.filter(F.a == CatalogAction.LIST))
async def on_list(callback: CallbackQuery, callback_data: CatalogCb, session: AsyncSession) -> None:
    try:
        page = await catalog_admin.products_page(session, page=callback_data.p)
    except CatalogError:
        await stale(callback)
        return
    await callback.answer()
    await show(callback, *views.list_view(page))


@router.message(Command("product"))
async def cmd_product(message: Message, command: CommandObject, session: AsyncSession) -> None:
    words = (command.args or "").split()
    if len(words) != 1:
        await message.answer(_("Usage: /product SKU (the codes are in /products)"))
        return
    try:
        await reply_card(message, session, sku=parse_sku(words[0], "unknown_sku"))
    except CatalogError as error:
        await message.answer(views.catalog_error_text(error))


@router.callback_query(CatalogCb.filter(F.a == CatalogAction.SHOW))
async def on_show(callback: CallbackQuery, callback_data: CatalogCb, session: AsyncSession) -> None:
    try:
        await reply_card(callback, session, product_id=callback_data.id)
    except CatalogError:
        await stale(callback)
        return
    await callback.answer()


# ── /product_new ────────────────────────────────────────────────────────────────────────


def one_line_product(args: str) -> ProductData:
    parts = [part.strip() for part in args.split("|")]
    if not 7 <= len(parts) <= 10:
        raise ValueError("usage")
    parts += [""] * (10 - len(parts))
    data = ProductData(
        sku=parse_sku(parts[0]), category=parse_category_slug(parts[1]), unit=parse_unit(parts[2]),
        weight_g=parse_weight(parts[3]), price_cny=parse_price(parts[4]),
        names={"en": clean_name(parts[5]), "zh_Hans": clean_name(parts[6])},
        stock=parse_stock(parts[7]), hs_code=parse_hs_code(parts[8]),
        restricted=parse_countries(parts[9]),
    )  # fmt: skip
    check_names(data.names)
    return data


@router.message(Command("product_new"))
async def cmd_product_new(
    message: Message, command: CommandObject, session: AsyncSession, user: User,
    state: FSMContext, clock: Clock,
) -> None:  # fmt: skip
    args = (command.args or "").strip()
    if not args:
        await confirm.clear_dialog(state)
        await state.set_state(ProductDialog.sku)
        await state.update_data({DRAFT: {}})
        await message.answer(
            views.step_text(
                1,
                _(
                    "Its SKU, the product's code: lowercase letters, digits and hyphens, e.g. "
                    "<code>dried-shiitake-500g</code>."
                ),
            ),
            reply_markup=views.cancel_markup(),
        )
        return
    try:
        data = one_line_product(args)
        product = await catalog_admin.create_product(
            session, data=data, admin_id=user.id, now=clock.now()
        )
    except ValueError:
        await message.answer(views.product_new_usage())
        return
    except CatalogError as error:
        await message.answer(views.catalog_error_text(error) + "\n\n" + views.product_new_usage())
        return
    await reply_card(message, session, product_id=product.id, head=_("✅ Product created."))


async def _draft(state: FSMContext) -> dict:
    return dict((await state.get_data()).get(DRAFT) or {})


async def _save(state: FSMContext, **values: object) -> dict:
    draft = await _draft(state)
    draft.update(values)
    await state.update_data({DRAFT: draft})
    return draft


async def _refuse(
    message: Message, error: CatalogError, *, skip: bool = False, state: FSMContext | None = None
) -> None:
    step = _step_name(await state.get_state()) if state is not None else ""
    await message.answer(
        views.catalog_error_text(error), reply_markup=views.cancel_markup(skip, step)
    )


def _step_name(state_name: str | None) -> str:
    return (state_name or "").rsplit(":", 1)[-1]


@router.message(StateFilter(ProductDialog.sku), F.text, ~F.text.startswith("/"))
async def on_sku(message: Message, state: FSMContext, session: AsyncSession) -> None:
    try:
        sku = parse_sku(typed(message))
        if await catalog.product_by_slug(session, sku) is not None:
            raise CatalogError("duplicate_sku", sku)
    except CatalogError as error:
        await _refuse(message, error)
        return
    categories = await catalog_admin.all_categories(session)
    if not categories:
        await confirm.clear_dialog(state)
        await message.answer(_("There are no categories yet: create one first with /category_new."))
        return
    await _save(state, sku=sku)
    await state.set_state(ProductDialog.category)
    await message.answer(
        views.step_text(2, _("Which category is it in?")),
        reply_markup=views.category_markup(categories, CatalogAction.DIALOG_CATEGORY),
    )


async def _ask_name_en(message: Message, state: FSMContext, category: Category) -> None:
    await _save(state, category=category.slug)
    await state.set_state(ProductDialog.name_en)
    await message.answer(views.step_text(3, _("Its name in English?")),
                         reply_markup=views.cancel_markup())  # fmt: skip


@router.message(StateFilter(ProductDialog.category), F.text, ~F.text.startswith("/"))
async def on_category_typed(message: Message, state: FSMContext, session: AsyncSession) -> None:
    try:
        category = await catalog_admin.find_category(session, parse_category_slug(typed(message)))
    except CatalogError as error:
        categories = await catalog_admin.all_categories(session)
        await message.answer(
            views.catalog_error_text(error),
            reply_markup=views.category_markup(categories, CatalogAction.DIALOG_CATEGORY),
        )
        return
    await _ask_name_en(message, state, category)


@router.callback_query(
    StateFilter(ProductDialog.category), CatalogCb.filter(F.a == CatalogAction.DIALOG_CATEGORY)
)
async def on_category(
    callback: CallbackQuery, callback_data: CatalogCb, state: FSMContext, session: AsyncSession
) -> None:
    category = await session.get(Category, callback_data.c)
    if category is None or not isinstance(callback.message, Message):
        await stale(callback)
        return
    await callback.answer(category.slug)
    await _ask_name_en(callback.message, state, category)


async def _name(message: Message, locale: str) -> str:
    name = clean_name(typed(message))
    if not name:
        raise CatalogError("name_required", locale=locale)
    return name


@router.message(StateFilter(ProductDialog.name_en), F.text, ~F.text.startswith("/"))
async def on_name_en(message: Message, state: FSMContext) -> None:
    try:
        name = await _name(message, "en")
    except CatalogError as error:
        await _refuse(message, error)
        return
    await _save(state, name_en=name)
    await state.set_state(ProductDialog.name_zh)
    await message.answer(
        views.step_text(4, _("Its name in Simplified Chinese (简体中文)?")),
        reply_markup=views.cancel_markup(),
    )


@router.message(StateFilter(ProductDialog.name_zh), F.text, ~F.text.startswith("/"))
async def on_name_zh(message: Message, state: FSMContext) -> None:
    try:
        name = await _name(message, "zh_Hans")
    except CatalogError as error:
        await _refuse(message, error)
        return
    await _save(state, name_zh=name)
    await state.set_state(ProductDialog.unit)
    await message.answer(
        views.step_text(5, _("What is it sold by?")),
        reply_markup=views.unit_markup(CatalogAction.DIALOG_UNIT),
    )


async def _ask_weight(message: Message, state: FSMContext, unit: str) -> None:
    await _save(state, unit=unit)
    await state.set_state(ProductDialog.weight)
    await message.answer(
        views.step_text(
            6,
            _(
                "The net weight of one {unit}: grams like <code>250</code> or kilograms like "
                "<code>2.5kg</code> (for a bottle, its millilitres)."
            ).format(unit=q(unit_label(unit))),
        ),
        reply_markup=views.cancel_markup(),
    )


@router.message(StateFilter(ProductDialog.unit), F.text, ~F.text.startswith("/"))
async def on_unit_typed(message: Message, state: FSMContext) -> None:
    try:
        unit = parse_unit(typed(message))
    except CatalogError as error:
        await message.answer(views.catalog_error_text(error),
                             reply_markup=views.unit_markup(CatalogAction.DIALOG_UNIT))  # fmt: skip
        return
    await _ask_weight(message, state, unit)


@router.callback_query(
    StateFilter(ProductDialog.unit), CatalogCb.filter(F.a == CatalogAction.DIALOG_UNIT)
)
async def on_unit(callback: CallbackQuery, callback_data: CatalogCb, state: FSMContext) -> None:
    if callback_data.v not in UNITS or not isinstance(callback.message, Message):
        await stale(callback)
        return
    await callback.answer()
    await _ask_weight(callback.message, state, callback_data.v)


@router.message(StateFilter(ProductDialog.weight), F.text, ~F.text.startswith("/"))
async def on_weight(message: Message, state: FSMContext) -> None:
    try:
        weight = parse_weight(typed(message))
    except CatalogError as error:
        await _refuse(message, error)
        return
    draft = await _save(state, weight_g=weight)
    await state.set_state(ProductDialog.price)
    await message.answer(
        views.step_text(
            7,
            _("The price of one {unit} in yuan, e.g. <code>38.50</code>?").format(
                unit=q(unit_label(str(draft.get("unit", ""))))
            ),
        ),
        reply_markup=views.cancel_markup(),
    )


@router.message(StateFilter(ProductDialog.price), F.text, ~F.text.startswith("/"))
async def on_price(message: Message, state: FSMContext) -> None:
    try:
        price = parse_price(typed(message))
    except CatalogError as error:
        await _refuse(message, error)
        return
    await _save(state, price_cny=price)
    await _ask_stock(message, state)


async def _ask_stock(message: Message, state: FSMContext) -> None:
    await state.set_state(ProductDialog.stock)
    await message.answer(
        views.step_text(
            8, _("How many are in stock? A whole number, or Skip when stock is not counted.")
        ),
        reply_markup=views.cancel_markup(skip=True, step="stock"),
    )


async def _ask_hs(message: Message, state: FSMContext) -> None:
    await state.set_state(ProductDialog.hs)
    await message.answer(
        views.step_text(9, _("Its HS code for customs, e.g. <code>0712.39</code>, or Skip.")),
        reply_markup=views.cancel_markup(skip=True, step="hs"),
    )


async def _ask_restrict(message: Message, state: FSMContext) -> None:
    await state.set_state(ProductDialog.restrict)
    await message.answer(
        views.step_text(
            10,
            _(
                "Countries it may not be shipped to (import restrictions), as ISO codes like "
                "<code>IT,ES</code>, or Skip."
            ),
        ),
        reply_markup=views.cancel_markup(skip=True, step="restrict"),
    )


def draft_data(draft: dict) -> ProductData:
    """Raises KeyError, TypeError or ValueError while the draft is not complete."""
    return ProductData(
        sku=str(draft["sku"]), category=str(draft["category"]), unit=str(draft["unit"]),
        weight_g=int(draft["weight_g"]), price_cny=int(draft["price_cny"]),
        names={"en": str(draft["name_en"]), "zh_Hans": str(draft["name_zh"])},
        stock=None if draft.get("stock") is None else int(draft["stock"]),
        hs_code=str(draft.get("hs_code") or ""),
        restricted=tuple(str(c) for c in draft.get("restricted") or ()),
    )  # fmt: skip


async def _summary(message: Message, state: FSMContext, session: AsyncSession) -> None:
    draft = await _draft(state)
    try:
        data = draft_data(draft)
    except (KeyError, TypeError, ValueError):
        await confirm.clear_dialog(state)
        await message.answer(_("This dialog was interrupted. Send /product_new to start again."))
        return
    try:
        category: Category | None = await catalog_admin.find_category(session, data.category)
    except CatalogError:
        category = None
    await state.set_state(ProductDialog.confirm)
    await message.answer(views.draft_summary(data, category), reply_markup=views.summary_markup())


@router.message(StateFilter(ProductDialog.stock), F.text, ~F.text.startswith("/"))
async def on_stock(message: Message, state: FSMContext) -> None:
    try:
        stock = parse_stock(typed(message))
    except CatalogError as error:
        await _refuse(message, error, skip=True, state=state)
        return
    await _save(state, stock=stock)
    await _ask_hs(message, state)


@router.message(StateFilter(ProductDialog.hs), F.text, ~F.text.startswith("/"))
async def on_hs(message: Message, state: FSMContext) -> None:
    try:
        hs_code = parse_hs_code(typed(message))
    except CatalogError as error:
        await _refuse(message, error, skip=True, state=state)
        return
    await _save(state, hs_code=hs_code)
    await _ask_restrict(message, state)


@router.message(StateFilter(ProductDialog.restrict), F.text, ~F.text.startswith("/"))
async def on_restrict(message: Message, state: FSMContext, session: AsyncSession) -> None:
    try:
        restricted = parse_countries(typed(message))
    except CatalogError as error:
        await _refuse(message, error, skip=True, state=state)
        return
    await _save(state, restricted=list(restricted))
    await _summary(message, state, session)


@router.message(StateFilter(ProductDialog.confirm), F.text, ~F.text.startswith("/"))
async def on_confirm_typed(message: Message) -> None:
    await message.answer(_("Create it with the button, or cancel."),
                         reply_markup=views.summary_markup())  # fmt: skip


@router.callback_query(CatalogCb.filter(F.a == CatalogAction.DIALOG_SKIP))
async def on_skip(
    callback: CallbackQuery, callback_data: CatalogCb, state: FSMContext, session: AsyncSession
) -> None:
    step = await state.get_state()
    message = callback.message
    if not isinstance(message, Message) or step not in (
        ProductDialog.stock.state, ProductDialog.hs.state, ProductDialog.restrict.state,
    ) or callback_data.v != _step_name(step):  # fmt: skip
        await stale(callback)
        return
    await callback.answer()
    if step == ProductDialog.stock.state:
        await _save(state, stock=None)
        await _ask_hs(message, state)
    elif step == ProductDialog.hs.state:
        await _save(state, hs_code="")
        await _ask_restrict(message, state)
    else:
        await _save(state, restricted=[])
        await _summary(message, state, session)


@router.callback_query(
    StateFilter(ProductDialog.confirm), CatalogCb.filter(F.a == CatalogAction.DIALOG_CREATE)
)
async def on_create(
    callback: CallbackQuery, state: FSMContext, session: AsyncSession, user: User, clock: Clock
) -> None:
    draft = await _draft(state)
    await confirm.clear_dialog(state)
    try:
        product = await catalog_admin.create_product(
            session, data=draft_data(draft), admin_id=user.id, now=clock.now()
        )
    except (KeyError, TypeError, ValueError):
        await stale(callback)
        return
    except CatalogError as error:
        await callback.answer()
        await show(callback, views.catalog_error_text(error))
        return
    await callback.answer(_("✅ Product created."))
    await reply_card(callback, session, product_id=product.id, head=_("✅ Product created."))


@router.callback_query(
    CatalogCb.filter(
        F.a.in_(
            {CatalogAction.DIALOG_CATEGORY, CatalogAction.DIALOG_UNIT, CatalogAction.DIALOG_CREATE}
        )  # fmt: skip
    )
)
async def on_dialog_gone(callback: CallbackQuery) -> None:
    """A button of a /product_new dialog that was cancelled, finished, or is at another step."""
    await stale(callback)


# ── one-line edits and the card's buttons ───────────────────────────────────────────────


@router.message(Command("product_set"))
async def cmd_product_set(
    message: Message, command: CommandObject, session: AsyncSession, user: User, clock: Clock
) -> None:
    parts = (command.args or "").split(maxsplit=2)
    if len(parts) < 2:
        await message.answer(views.product_set_usage())
        return
    try:
        sku = parse_sku(parts[0], "unknown_sku")
        edit = parse_product_edit(parts[1], parts[2] if len(parts) > 2 else "")
        result = await catalog_admin.edit_product(
            session, sku=sku, edit=edit, admin_id=user.id, now=clock.now()
        )
    except CatalogError as error:
        text = views.catalog_error_text(error)
        if error.code in ("bad_field", "field_needs_locale", "missing_value"):
            text += "\n\n" + views.product_set_usage()
        await message.answer(text)
        return
    await reply_card(message, session, product_id=result.product.id, head=_saved(result.changed))


async def _edit(
    target: Message | CallbackQuery, session: AsyncSession, user: User, clock: Clock,
    product_id: int, edit: Edit,
) -> None:  # fmt: skip
    result = await catalog_admin.edit_product(
        session, product_id=product_id, edit=edit, admin_id=user.id, now=clock.now()
    )
    await reply_card(target, session, product_id=result.product.id, head=_saved(result.changed))


@router.callback_query(CatalogCb.filter(F.a == CatalogAction.EDIT))
async def on_edit(
    callback: CallbackQuery, callback_data: CatalogCb, session: AsyncSession, state: FSMContext
) -> None:
    field = callback_data.v
    try:
        card = await catalog_admin.product_card(session, product_id=callback_data.id)
    except CatalogError:
        await stale(callback)
        return
    if field not in views.EDITABLE or not isinstance(callback.message, Message):
        await stale(callback)
        return
    await callback.answer()
    product = card.product
    if field == "unit":
        await callback.message.answer(
            _("What is {sku} sold by?").format(sku=f"<code>{q(product.slug)}</code>"),
            reply_markup=views.unit_markup(CatalogAction.UNIT, product.id or 0),
        )
        return
    if field == "category":
        categories = await catalog_admin.all_categories(session)
        await callback.message.answer(
            _("Which category is {sku} in?").format(sku=f"<code>{q(product.slug)}</code>"),
            reply_markup=views.category_markup(categories, CatalogAction.CATEGORY, product.id or 0),
        )
        return
    await confirm.clear_dialog(state)
    await state.set_state(ProductEdit.value)
    await state.update_data({EDITING: {"id": product.id, "field": field}})
    await callback.message.answer(
        views.edit_prompt(field, product), reply_markup=views.cancel_markup()
    )


@router.message(StateFilter(ProductEdit.value), F.text, ~F.text.startswith("/"))
async def on_edit_value(
    message: Message, state: FSMContext, session: AsyncSession, user: User, clock: Clock
) -> None:
    pending = dict((await state.get_data()).get(EDITING) or {})
    field, product_id = str(pending.get("field", "")), int(pending.get("id") or 0)
    text = typed(message)
    if field not in views.EDITABLE:
        await confirm.clear_dialog(state)
        await message.answer(
            _("This dialog was interrupted. Open the product again with /product SKU.")
        )
        return
    try:
        if field in ("name", "desc"):
            words = text.split(maxsplit=1)
            if len(words) < 2:
                raise CatalogError("field_needs_locale", field)
            edit = parse_product_edit(f"{field}.{words[0]}", words[1])
        else:
            edit = parse_product_edit(field, text)
        await _edit(message, session, user, clock, product_id, edit)
    except CatalogError as error:
        if error.code == "unknown_sku":  # removed meanwhile: the dialog has nothing to edit
            await confirm.clear_dialog(state)
            await message.answer(views.catalog_error_text(error))
            return
        await _refuse(message, error)
        return
    await confirm.clear_dialog(state)


@router.callback_query(CatalogCb.filter(F.a == CatalogAction.UNIT))
async def on_set_unit(
    callback: CallbackQuery, callback_data: CatalogCb, session: AsyncSession, user: User,
    clock: Clock,
) -> None:  # fmt: skip
    if callback_data.v not in UNITS:
        await stale(callback)
        return
    try:
        await _edit(callback, session, user, clock, callback_data.id, Edit("unit", callback_data.v))
    except CatalogError:
        await stale(callback)
        return
    await callback.answer()


@router.callback_query(CatalogCb.filter(F.a == CatalogAction.CATEGORY))
async def on_set_category(
    callback: CallbackQuery, callback_data: CatalogCb, session: AsyncSession, user: User,
    clock: Clock,
) -> None:  # fmt: skip
    category = await session.get(Category, callback_data.c)
    if category is None:
        await stale(callback)
        return
    try:
        await _edit(
            callback, session, user, clock, callback_data.id, Edit("category", category.slug)
        )
    except CatalogError:
        await stale(callback)
        return
    await callback.answer()


# ── hiding and showing ──────────────────────────────────────────────────────────────────


async def _ask_hide(
    target: Message, session: AsyncSession, state: FSMContext, clock: Clock, sku: str
) -> None:
    card = await catalog_admin.product_card(session, sku=sku)
    if not card.product.is_active:
        await target.answer(
            _("{sku} is already hidden. /product_show {sku} puts it back on sale.").format(
                sku=q(sku)
            )
        )
        return
    markup = await confirm.ask(
        state, ConfirmAction.PRODUCT_HIDE, {"id": card.product.id}, now=clock.now(),
        yes=_("🙈 Hide it"), no=_("↩ Keep it on sale"),
    )  # fmt: skip
    await target.answer(views.hide_prompt(card.product, card.open_groups), reply_markup=markup)


@router.message(Command("product_hide"))
async def cmd_product_hide(
    message: Message, command: CommandObject, session: AsyncSession, state: FSMContext,
    clock: Clock,
) -> None:  # fmt: skip
    words = (command.args or "").split()
    if len(words) != 1:
        await message.answer(_("Usage: /product_hide SKU"))
        return
    try:
        await _ask_hide(message, session, state, clock, parse_sku(words[0], "unknown_sku"))
    except CatalogError as error:
        await message.answer(views.catalog_error_text(error))


@router.callback_query(CatalogCb.filter(F.a == CatalogAction.HIDE))
async def on_hide(
    callback: CallbackQuery, callback_data: CatalogCb, session: AsyncSession, state: FSMContext,
    clock: Clock,
) -> None:  # fmt: skip
    try:
        card = await catalog_admin.product_card(session, product_id=callback_data.id)
    except CatalogError:
        await stale(callback)
        return
    if not isinstance(callback.message, Message):
        await stale(callback)
        return
    await callback.answer()
    await _ask_hide(callback.message, session, state, clock, card.product.slug)


@router.callback_query(ConfirmCb.filter((F.a == ConfirmAction.PRODUCT_HIDE) & ~F.no))
async def on_hide_ok(
    callback: CallbackQuery, callback_data: ConfirmCb, state: FSMContext, session: AsyncSession,
    user: User, clock: Clock,
) -> None:  # fmt: skip
    pending = await confirm.take_or_refuse(callback, state, callback_data, now=clock.now())
    if pending is None:
        return
    try:
        result = await catalog_admin.set_product_active(
            session, product_id=int(pending.get("id") or 0), active=False, admin_id=user.id,
            now=clock.now(),
        )  # fmt: skip
    except (CatalogError, TypeError, ValueError):
        await stale(callback)
        return
    await callback.answer()
    head = _("🙈 Hidden: buyers no longer see it.") if result.changed else _saved(False)
    await reply_card(callback, session, product_id=result.product.id, head=head)


async def _show_product(
    target: Message | CallbackQuery, session: AsyncSession, user: User, clock: Clock,
    product_id: int,
) -> None:  # fmt: skip
    result = await catalog_admin.set_product_active(
        session, product_id=product_id, active=True, admin_id=user.id, now=clock.now()
    )
    head = _("👁 On sale again.") if result.changed else _saved(False)
    await reply_card(target, session, product_id=product_id, head=head)


@router.message(Command("product_show"))
async def cmd_product_show(
    message: Message, command: CommandObject, session: AsyncSession, user: User, clock: Clock
) -> None:
    words = (command.args or "").split()
    if len(words) != 1:
        await message.answer(_("Usage: /product_show SKU"))
        return
    try:
        card = await catalog_admin.product_card(session, sku=parse_sku(words[0], "unknown_sku"))
        await _show_product(message, session, user, clock, card.product.id or 0)
    except CatalogError as error:
        await message.answer(views.catalog_error_text(error))


@router.callback_query(CatalogCb.filter(F.a == CatalogAction.UNHIDE))
async def on_unhide(
    callback: CallbackQuery, callback_data: CatalogCb, session: AsyncSession, user: User,
    clock: Clock,
) -> None:  # fmt: skip
    try:
        await _show_product(callback, session, user, clock, callback_data.id)
    except CatalogError:
        await stale(callback)
        return
    await callback.answer()


# ── photos ──────────────────────────────────────────────────────────────────────────────


def _photo_sku(command: CommandObject) -> str | None:
    words = (command.args or "").split()
    return words[0] if len(words) == 1 else None


@router.message(Command("photo"), F.photo)
async def on_photo(
    message: Message, command: CommandObject, session: AsyncSession, user: User, clock: Clock
) -> None:
    sku = _photo_sku(command)
    if sku is None or not message.photo:
        await message.answer(views.photo_usage())
        return
    file_id = message.photo[-1].file_id  # the largest size
    try:
        product = await catalog_admin.set_photo(
            session, sku=parse_sku(sku, "unknown_sku"), photo=file_id[:512], admin_id=user.id,
            now=clock.now(),
        )  # fmt: skip
    except CatalogError as error:
        await message.answer(views.catalog_error_text(error) + "\n" + views.photo_usage())
        return
    await reply_card(message, session, product_id=product.id, head=_("📷 Photo set."))


@router.message(Command("photo"), F.document)
async def on_photo_file(
    message: Message, command: CommandObject, bot: Bot, session: AsyncSession, user: User,
    clock: Clock,
) -> None:  # fmt: skip
    """An image sent as a file (uncompressed): sent back as a photo, whose file id is kept."""
    document = message.document
    assert document is not None
    sku = _photo_sku(command)
    name = (document.file_name or "").lower()
    if sku is None:
        await message.answer(views.photo_usage())
        return
    if not name.endswith(PHOTO_FILES) or not (document.mime_type or "image/").startswith("image/"):
        await message.answer(
            _("That file is not a picture: send a photo, or a JPEG, PNG or WebP file.")
            + "\n" + views.photo_usage()
        )  # fmt: skip
        return
    if (document.file_size or 0) > MAX_PHOTO_BYTES:
        await message.answer(_("The picture is too big: at most 10 MB."))
        return
    try:
        card = await catalog_admin.product_card(session, sku=parse_sku(sku, "unknown_sku"))
    except CatalogError as error:
        await message.answer(views.catalog_error_text(error) + "\n" + views.photo_usage())
        return
    buffer = io.BytesIO()
    await bot.download(document, destination=buffer)
    try:
        sent = await message.answer_photo(
            BufferedInputFile(buffer.getvalue(), filename=name or "photo.jpg")
        )
    except TelegramBadRequest:
        await message.answer(_("Telegram could not read that picture. Please send it as a photo."))
        return
    if not sent.photo:
        await message.answer(_("Telegram could not read that picture. Please send it as a photo."))
        return
    product = await catalog_admin.set_photo(
        session, sku=card.product.slug, photo=sent.photo[-1].file_id[:512], admin_id=user.id,
        now=clock.now(),
    )  # fmt: skip
    text, markup, _photo = views.card_view(
        await catalog_admin.product_card(session, product_id=product.id)
    )
    await sent.edit_caption(
        caption=truncate(_("📷 Photo set.") + "\n\n" + text, CAPTION_LIMIT), reply_markup=markup
    )


@router.message(Command("photo"))
async def cmd_photo(
    message: Message, command: CommandObject, session: AsyncSession, user: User, clock: Clock
) -> None:
    """/photo typed without a photo: `/photo SKU -` removes the photo; anything else, usage."""
    words = (command.args or "").split()
    if len(words) != 2 or words[1] not in ("-", "—"):
        await message.answer(views.photo_usage())
        return
    try:
        product = await catalog_admin.set_photo(
            session, sku=parse_sku(words[0], "unknown_sku"), photo=None, admin_id=user.id,
            now=clock.now(),
        )  # fmt: skip
    except CatalogError as error:
        await message.answer(views.catalog_error_text(error))
        return
    await reply_card(message, session, product_id=product.id, head=_("📷 Photo removed."))


def _no_command_caption(message: Message) -> bool:
    return not (message.caption or "").startswith("/")


@router.message(F.photo, _no_command_caption, StateFilter(None), from_admin)
async def on_photo_without_command(message: Message) -> None:
    """An admin's photo outside any dialog, without /photo: say how to use it."""
    await message.answer(views.photo_usage())


# ── categories ──────────────────────────────────────────────────────────────────────────


@router.message(Command("categories"))
async def cmd_categories(message: Message, session: AsyncSession) -> None:
    await message.answer(views.categories_text(await catalog_admin.categories_overview(session)))


@router.message(Command("category_new"))
async def cmd_category_new(
    message: Message, command: CommandObject, session: AsyncSession, user: User, clock: Clock
) -> None:
    parts = (command.args or "").split(maxsplit=2)
    if len(parts) < 3:
        await message.answer(views.category_usage())
        return
    locale = current().locale
    try:
        slug = parse_category_slug(parts[0])
        emoji = clean_emoji(parts[1])
        name = clean_name(parts[2], limit=MAX_CATEGORY_NAME)
        category = await catalog_admin.create_category(
            session, slug=slug, emoji=emoji, names={locale: name}, admin_id=user.id,
            now=clock.now(),
        )  # fmt: skip
    except CatalogError as error:
        await message.answer(views.catalog_error_text(error) + "\n\n" + views.category_usage())
        return
    head = _(
        "✅ Category created, named in {language}. Name it in the other languages with "
        "/category_set {slug} name.LANG …"
    ).format(language=q(views.language(locale)), slug=q(slug))
    await message.answer(views.category_done_text(category, head))


@router.message(Command("category_set"))
async def cmd_category_set(
    message: Message, command: CommandObject, session: AsyncSession, user: User, clock: Clock
) -> None:
    parts = (command.args or "").split(maxsplit=2)
    if len(parts) < 2:
        await message.answer(views.category_set_usage())
        return
    try:
        slug = parse_category_slug(parts[0])
        edit = parse_category_edit(parts[1], parts[2] if len(parts) > 2 else "")
        result = await catalog_admin.edit_category(
            session, slug=slug, edit=edit, admin_id=user.id, now=clock.now()
        )
    except CatalogError as error:
        text = views.catalog_error_text(error)
        if error.code in ("bad_field", "field_needs_locale", "missing_value"):
            text += "\n\n" + views.category_set_usage()
        await message.answer(text)
        return
    await message.answer(views.category_done_text(result.category, _saved(result.changed)))


@router.message(Command("category_hide"))
async def cmd_category_hide(
    message: Message, command: CommandObject, session: AsyncSession, user: User,
    state: FSMContext, clock: Clock,
) -> None:  # fmt: skip
    words = (command.args or "").split()
    if len(words) != 1:
        await message.answer(_("Usage: /category_hide SLUG (see /categories)"))
        return
    try:
        category = await catalog_admin.find_category(session, parse_category_slug(words[0]))
    except CatalogError as error:
        await message.answer(views.catalog_error_text(error))
        return
    if not category.is_active:
        await message.answer(views.category_done_text(category, _saved(False)))
        return
    visible = await catalog_admin.visible_products_in(session, category.id or 0)
    if visible:
        markup = await confirm.ask(
            state, ConfirmAction.CATEGORY_HIDE, {"slug": category.slug}, now=clock.now(),
            yes=views.category_hide_yes(visible), no=_("↩ Keep it shown"),
        )  # fmt: skip
        await message.answer(views.category_hide_prompt(category, visible), reply_markup=markup)
        return
    await _set_category(message, session, user, clock, category.slug, active=False)


async def _set_category(
    target: Message | CallbackQuery, session: AsyncSession, user: User, clock: Clock, slug: str,
    *, active: bool,
) -> None:  # fmt: skip
    result = await catalog_admin.set_category_active(
        session, slug=slug, active=active, admin_id=user.id, now=clock.now()
    )
    if not result.changed:
        head = _saved(False)
    elif active:
        head = _("👁 The category is on show again, with its products on sale.")
    else:
        head = _("🙈 The category is hidden, and its products with it.")
    await show(target, views.category_done_text(result.category, head))


@router.callback_query(ConfirmCb.filter((F.a == ConfirmAction.CATEGORY_HIDE) & ~F.no))
async def on_category_hide_ok(
    callback: CallbackQuery, callback_data: ConfirmCb, state: FSMContext, session: AsyncSession,
    user: User, clock: Clock,
) -> None:  # fmt: skip
    pending = await confirm.take_or_refuse(callback, state, callback_data, now=clock.now())
    if pending is None:
        return
    try:
        await _set_category(callback, session, user, clock, str(pending.get("slug")), active=False)
    except CatalogError:
        await stale(callback)
        return
    await callback.answer()


@router.message(Command("category_show"))
async def cmd_category_show(
    message: Message, command: CommandObject, session: AsyncSession, user: User, clock: Clock
) -> None:
    words = (command.args or "").split()
    if len(words) != 1:
        await message.answer(_("Usage: /category_show SLUG (see /categories)"))
        return
    try:
        slug = parse_category_slug(words[0])
        await _set_category(message, session, user, clock, slug, active=True)
    except CatalogError as error:
        await message.answer(views.catalog_error_text(error))


# ── /export products and /import ────────────────────────────────────────────────────────


def _wants_products(args: str | None) -> bool:
    return (args or "").lower().split()[:1] == ["products"]


@router.message(Command("export", magic=F.args.func(_wants_products)))
async def cmd_export_products(
    message: Message, session: AsyncSession, user: User, clock: Clock
) -> None:
    """`/export products` (another router answers `/export orders` and `/export users`)."""
    rows = await catalog_admin.export_products(session)
    cells = [product_cells(data) for data in rows]
    day = clock.now().astimezone(ZoneInfo(user.timezone or "UTC")).date().isoformat()
    await message.answer_document(
        BufferedInputFile(to_csv(COLUMNS, cells), filename=f"products-{day}.csv"),
        caption=views.export_caption(len(rows), "CSV"),
    )
    await message.answer_document(
        BufferedInputFile(
            to_xlsx(COLUMNS, cells, title="products"), filename=f"products-{day}.xlsx"
        ),  # fmt: skip
        caption=views.export_caption(len(rows), "XLSX"),
    )
    await exports.record_export(
        session, admin_id=user.id, kind="products", rows=len(rows), truncated=False,
        group_id=None, now=clock.now(),
    )  # fmt: skip


@router.message(Command("import"), F.document)
@router.message(StateFilter(CatalogImport.file), F.document)
async def on_import_file(
    message: Message, bot: Bot, session: AsyncSession, state: FSMContext, clock: Clock
) -> None:
    document = message.document
    assert document is not None
    name = document.file_name or ""
    await state.set_state(None)
    try:
        if not name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise FileError("not_a_table", name)
        if (document.file_size or 0) > MAX_BYTES:
            raise FileError("too_big", str(MAX_BYTES // 1024 // 1024))
        buffer = io.BytesIO()
        await bot.download(document, destination=buffer)
        rows, problems = read_products(read_table(buffer.getvalue(), name, ZoneInfo("UTC")))
    except FileError as error:
        await _wait_for_another(message, state, views.catalog_error_text(error))
        return
    plan = await catalog_admin.plan_import(session, rows)
    problems += plan.problems
    if problems:
        await _wait_for_another(message, state, views.problems_text(problems))
        return
    if not plan.writes:
        await message.answer(views.import_summary_text(plan, name))
        return
    kept = plan.to_dict()
    if len(json.dumps(kept, ensure_ascii=False)) > MAX_PLAN_CHARS:
        await message.answer(
            _("This file changes too much at once. Please split it into smaller files.")
        )
        return
    await _forget_older_imports(state, clock)
    markup = await confirm.ask(
        state,
        ConfirmAction.IMPORT,
        {"plan": kept},
        now=clock.now(),
        yes=views.import_yes(plan),
        no=_("↩ Don't import"),
    )
    await message.answer(views.import_summary_text(plan, name), reply_markup=markup)


async def _wait_for_another(message: Message, state: FSMContext, text: str) -> None:
    """The file was refused: the corrected one may come next, without a caption."""
    await state.set_state(CatalogImport.file)
    await message.answer(text + "\n\n" + views.resend_text(), reply_markup=views.cancel_markup())


async def _forget_older_imports(state: FSMContext, clock: Clock) -> None:
    """One pending import per admin: a newer file replaces it (its Yes then says it expired),
    so the dialog data holds one plan at most."""
    data = await state.get_data()
    pending = dict(data.get(confirm.KEY) or {})
    kept = {t: e for t, e in pending.items() if e.get("action") != ConfirmAction.IMPORT}
    if len(kept) != len(pending):
        await state.update_data({confirm.KEY: kept})


@router.message(Command("import"))
async def cmd_import(message: Message, state: FSMContext) -> None:
    await confirm.clear_dialog(state)
    await state.set_state(CatalogImport.file)
    await message.answer(views.import_prompt(), reply_markup=views.cancel_markup())


@router.message(StateFilter(CatalogImport.file), F.text, ~F.text.startswith("/"))
async def on_import_text(message: Message) -> None:
    await message.answer(
        _("I am waiting for the product file: send it as a document (CSV or XLSX), or cancel."),
        reply_markup=views.cancel_markup(),
    )


@router.callback_query(ConfirmCb.filter((F.a == ConfirmAction.IMPORT) & ~F.no))
async def on_import_ok(
    callback: CallbackQuery, callback_data: ConfirmCb, state: FSMContext, session: AsyncSession,
    user: User, clock: Clock,
) -> None:  # fmt: skip
    pending = await confirm.take_or_refuse(callback, state, callback_data, now=clock.now())
    if pending is None:
        return
    try:
        plan = ImportPlan.from_dict(dict(pending.get("plan") or {}))
    except (KeyError, TypeError, ValueError):
        await stale(callback)
        return
    try:
        result = await catalog_admin.apply_import(
            session, plan=plan, admin_id=user.id, now=clock.now()
        )
    except CatalogError as error:
        await callback.answer()
        await show(callback, views.catalog_error_text(error))
        return
    await callback.answer()
    await show(callback, views.import_done_text(result))
