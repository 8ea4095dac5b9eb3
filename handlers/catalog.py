"""/catalog: categories → products (paginated) → product card, all in one message."""

from __future__ import annotations

from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from core.config import Settings
from handlers.routing import RouterSpec
from models import User
from services import catalog, groups
from services.catalog import NotFound
from ui.callbacks import CategoryCb, NoopCb, ProductCb
from ui.catalog import categories_view, category_view, product_view
from ui.context import current
from ui.render import show, stale

router = RouterSpec(__name__)


@router.message(Command("catalog"))
async def cmd_catalog(
    message: Message, session: AsyncSession, user: User, state: FSMContext
) -> None:
    await state.set_state(None)
    text, markup = categories_view(await catalog.list_categories(session), current().locale)
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
            text, markup = categories_view(await catalog.list_categories(session), locale)
        else:
            screen = await catalog.category_screen(
                session, category_id=callback_data.id, page=callback_data.page,
                page_size=settings.page_size, currency=user.currency, country=user.country,
            )  # fmt: skip
            text, markup = category_view(screen, user, locale)
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
        screen = await groups.product_screen(
            session, product_id=callback_data.id, user=user, now=clock.now()
        )
    except NotFound:
        await stale(callback)
        return
    text, markup, photo = product_view(screen, user, current().locale, callback_data)
    await callback.answer()
    await show(callback, text, markup, photo=photo)


@router.callback_query(NoopCb.filter())
async def on_noop(callback: CallbackQuery) -> None:
    await callback.answer()
