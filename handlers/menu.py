"""The main menu, /help, and the menu buttons."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.routing import RouterSpec
from models import User
from ui.callbacks import MenuCb
from ui.menu import help_markup, help_text, main_menu_markup, welcome_text
from ui.render import show

router = RouterSpec(__name__)


async def is_agent(session: AsyncSession, user: User) -> bool:
    from services import agents

    return bool(await agents.agents_of_user(session, user.id))


@router.message(Command("help"))
async def cmd_help(message: Message, is_admin: bool, session: AsyncSession, user: User) -> None:
    await message.answer(help_text(is_admin, await is_agent(session, user)))


@router.callback_query(MenuCb.filter(F.action == "help"))
async def on_help(
    callback: CallbackQuery, is_admin: bool, session: AsyncSession, user: User
) -> None:
    await callback.answer()
    await show(callback, help_text(is_admin, await is_agent(session, user)), help_markup())


@router.callback_query(MenuCb.filter(F.action == "home"))
async def on_home(callback: CallbackQuery, user: User, state: FSMContext) -> None:
    await state.set_state(None)
    await callback.answer()
    await show(callback, welcome_text(user), main_menu_markup())
