"""/search <words>, and any plain text typed outside a dialog."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from core.config import Settings
from handlers.routing import RouterSpec
from models import User
from services import search
from ui.callbacks import MenuCb, SearchPageCb
from ui.context import current
from ui.render import cancel_markup, show, stale
from ui.search import results_view
from ui.states import JoinState, Search

router = RouterSpec(__name__)

QUERY_KEY = "search_query"


async def results(
    session: AsyncSession, user: User, query: str, page: int, page_size: int
) -> tuple[str, InlineKeyboardMarkup] | None:
    """The results page, or None when the page does not exist."""
    found = await search.results_page(
        session, query=query, locale=current().locale, currency=user.currency,
        page=page, page_size=page_size,
    )  # fmt: skip
    return None if found is None else results_view(found, user, query)


async def run_search(
    message: Message,
    session: AsyncSession,
    user: User,
    state: FSMContext,
    query: str,
    settings: Settings,
) -> None:
    query = " ".join(query.split())
    if len(query) > search.MAX_QUERY_LENGTH:
        await message.answer(
            _("That is too long to search for: please use at most {limit} characters.").format(
                limit=search.MAX_QUERY_LENGTH
            )
        )
        return
    await state.set_state(None)
    await state.update_data({QUERY_KEY: query})
    view = await results(session, user, query, 0, settings.page_size)
    assert view is not None
    await message.answer(view[0], reply_markup=view[1])


@router.message(Command("search"))
async def cmd_search(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    user: User,
    state: FSMContext,
    settings: Settings,
) -> None:
    if not (command.args or "").strip():
        await state.set_state(Search.query)
        await message.answer(
            _(
                "What are you looking for? Type a few words (for example: 笋干, shiitake, tè verde)."
            ),
            reply_markup=cancel_markup(),
        )
        return
    await run_search(message, session, user, state, command.args or "", settings)


@router.callback_query(MenuCb.filter(F.action == "search"))
async def on_search_button(callback: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(Search.query)
    await callback.answer()
    await show(
        callback,
        _("What are you looking for? Type a few words (for example: 笋干, shiitake, tè verde)."),
        cancel_markup(),
    )


@router.callback_query(SearchPageCb.filter())
async def on_search_page(
    callback: CallbackQuery,
    callback_data: SearchPageCb,
    session: AsyncSession,
    user: User,
    state: FSMContext,
    settings: Settings,
) -> None:
    query = (await state.get_data()).get(QUERY_KEY)
    view = None
    if isinstance(query, str) and query:
        view = await results(session, user, query, callback_data.page, settings.page_size)
    if view is None:
        await stale(callback)
        return
    await callback.answer()
    await show(callback, *view)


@router.message(StateFilter(None, Search.query, JoinState.picker), F.text, ~F.text.startswith("/"))
async def on_plain_text(
    message: Message, session: AsyncSession, user: User, state: FSMContext, settings: Settings
) -> None:
    """Text typed outside any dialog is a search (a number while a quantity picker is on screen
    is that picker's quantity: handlers.groups takes it first)."""
    assert message.text is not None
    await run_search(message, session, user, state, message.text, settings)
