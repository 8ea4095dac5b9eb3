"""The command menu (setMyCommands), per language and, for admins and chosen languages, per chat."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import lazy_gettext as __

from core.locales import DEFAULT_LOCALE, LOCALES, telegram_language_code

log = logging.getLogger(__name__)

BUYER_COMMANDS = (
    ("start", __("Start, or show the main menu")),
    ("catalog", __("Browse the catalogue")),
    ("groups", __("Group orders for your city")),
    ("orders", __("Your orders")),
    ("track", __("Follow your shipments")),
    ("search", __("Search products")),
    ("settings", __("Language, country, city, currency")),
    ("digest", __("Your digest and alerts")),
    ("help", __("How the bot works")),
)
ADMIN_COMMANDS = (
    ("gb_new", __("Open a group order (admin)")),
    ("gb_list", __("Open group orders (admin)")),
    ("ship", __("Ship formed groups (admin)")),
    ("shipments", __("Shipments and their status (admin)")),
    ("rates", __("Exchange rates (admin)")),
)


def commands_for(locale: str, *, is_admin: bool = False) -> list[BotCommand]:
    entries = BUYER_COMMANDS + (ADMIN_COMMANDS if is_admin else ())
    i18n = I18n.get_current(no_error=True)
    if i18n is None:
        return [BotCommand(command=name, description=str(text)) for name, text in entries]
    with i18n.use_locale(locale):
        return [BotCommand(command=name, description=str(text)) for name, text in entries]


async def set_default_commands(bot: Bot) -> None:
    """One menu per Telegram language code; Traditional Chinese users get theirs per chat."""
    await bot.set_my_commands(commands_for(DEFAULT_LOCALE), scope=BotCommandScopeDefault())
    for locale in LOCALES:
        if locale == "zh_Hant":
            continue  # Telegram's menus know "zh" only: that is Simplified; see set_chat_commands
        await bot.set_my_commands(
            commands_for(locale),
            scope=BotCommandScopeDefault(),
            language_code=telegram_language_code(locale),
        )


async def set_chat_commands(bot: Bot, chat_id: int, locale: str, *, is_admin: bool) -> None:
    """The menu in the language the user chose (it may differ from their Telegram app's)."""
    try:
        await bot.set_my_commands(
            commands_for(locale, is_admin=is_admin), scope=BotCommandScopeChat(chat_id=chat_id)
        )
    except TelegramAPIError as error:  # a menu is a nicety: never fail the user's action for it
        log.warning("setMyCommands for chat %s failed: %s", chat_id, error)
