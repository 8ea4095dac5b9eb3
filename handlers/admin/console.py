"""/admin: the admin's commands with one-line help each."""

from __future__ import annotations

from aiogram.filters import Command
from aiogram.types import Message

from handlers.routing import RouterSpec
from ui.console import admin_help

router = RouterSpec(__name__, admin_only=True)


@router.message(Command("admin"))
async def cmd_admin(message: Message) -> None:
    await message.answer(admin_help())
