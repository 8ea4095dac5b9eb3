"""/catalog: categories → products (paginated) → product card, all in one message."""

from __future__ import annotations

from datetime import datetime

from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from core.config import Settings
from handlers.routing import RouterSpec
from models import User
from services import catalog, groups
from services.catalog import NotFound, localized
from ui.callbacks import FROM_SEARCH, CategoryCb, NoopCb, ProductCb, SearchPageCb
from ui.catalog import card_text, pager_row, product_price
from ui.context import current
from ui.render import button, home_button, q, show, stale

router = RouterSpec(__name__)


async def categories_view(session: AsyncSession, locale: str) -> tuple[str, InlineKeyboardMarkup]:
    rows = await catalog.list_categories(session)
    kb = InlineKeyboardBuilder()
    for row in rows:
        name = localized(row.category.names, locale)
        kb.button(
            text=f"{row.category.emoji} {name} ({row.product_count})".strip(),
            callback_data=CategoryCb(id=row.category.id or 0, page=0),
        )
    kb.adjust(2)
    kb.row(home_button())
    if not rows:
        return _("The catalogue is empty for now. Please come back soon."), kb.as_markup()
    return _("🛒 <b>Catalogue</b>\nChoose a category:"), kb.as_markup()


async def category_view(
    session: AsyncSession, user: User, locale: str, category_id: int, page: int, page_size: int
) -> tuple[str, InlineKeyboardMarkup]:
    category = await catalog.get_category(session, category_id)
    result = await catalog.products_page(
        session, category_id=category_id, page=page, page_size=page_size
    )
    rate = await catalog.get_rate(session, user.currency)
    kb = InlineKeyboardBuilder()
    for product in result.products:
        kb.row(
            button(
                f"{localized(product.names, locale)} · {product_price(product, user, rate, locale)}",
                ProductCb(id=product.id or 0, cat=category_id, page=page).pack(),
            )
        )
    if result.pages > 1:
        kb.row(*pager_row(page, result.pages, lambda p: CategoryCb(id=category_id, page=p).pack()))
    kb.row(button(_("⬅ Categories"), CategoryCb(id=0).pack()), home_button())
    name = localized(category.names, locale)
    text = _("{emoji} <b>{name}</b>\nPage {page} of {pages} · {total} products").format(
        emoji=q(category.emoji),
        name=q(name),
        page=page + 1,
        pages=result.pages,
        total=result.total,
    )
    return text, kb.as_markup()


async def product_view(
    session: AsyncSession, user: User, locale: str, data: ProductCb, now: datetime
) -> tuple[str, InlineKeyboardMarkup, str | None]:
    from ui.groups import product_group_buttons

    product = await catalog.get_product(session, data.id)
    found = await groups.groups_offering(
        session, product_id=product.id or 0, country=user.country, city=user.city, now=now
    )
    rate = await catalog.get_rate(session, user.currency)
    if data.cat == FROM_SEARCH:
        back = button(_("⬅ Results"), SearchPageCb(page=max(0, data.page)).pack())
    else:
        back = button(
            _("⬅ Back"), CategoryCb(id=product.category_id, page=max(0, data.page)).pack()
        )
    kb = InlineKeyboardBuilder()
    for join in product_group_buttons(found, user, locale):
        kb.row(join)
    kb.row(back, button(_("🛒 Catalogue"), CategoryCb(id=0).pack()))
    return card_text(product, user, rate, locale), kb.as_markup(), product.photo


@router.message(Command("catalog"))
async def cmd_catalog(
    message: Message, session: AsyncSession, user: User, state: FSMContext
) -> None:
    await state.set_state(None)
    text, markup = await categories_view(session, current().locale)
    await message.answer(text, reply_markup=markup)


@router.callback_query(CategoryCb.filter())
async def on_category(
    callback: CallbackQuery,
    callback_data: CategoryCb,
    session: AsyncSession,
    user: User,
    settings: Settings,
) -> None:
    locale = current().locale
    try:
        if callback_data.id == 0:
            text, markup = await categories_view(session, locale)
        else:
            text, markup = await category_view(
                session, user, locale, callback_data.id, callback_data.page, settings.page_size
            )
    except NotFound:
        await stale(callback)
        return
    await callback.answer()
    await show(callback, text, markup)


@router.callback_query(ProductCb.filter())
async def on_product(
    callback: CallbackQuery,
    callback_data: ProductCb,
    session: AsyncSession,
    user: User,
    clock: Clock,
) -> None:
    try:
        text, markup, photo = await product_view(
            session, user, current().locale, callback_data, clock.now()
        )
    except NotFound:
        await stale(callback)
        return
    await callback.answer()
    await show(callback, text, markup, photo=photo)


@router.callback_query(NoopCb.filter())
async def on_noop(callback: CallbackQuery) -> None:
    await callback.answer()
