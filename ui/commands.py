"""The command menus (setMyCommands): buyers, agents and admins each see their own commands, in
their language. Buyers get the default menu per Telegram language code; agents and admins get
theirs per chat (BotCommandScopeChat), in the language they chose, set at start-up, when their
role changes and when they change language."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from enum import StrEnum

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.i18n.lazy_proxy import LazyProxy

from core.locales import DEFAULT_LOCALE, LOCALES, telegram_language_code

log = logging.getLogger(__name__)


class Role(StrEnum):
    BUYER = "buyer"
    AGENT = "agent"
    ADMIN = "admin"


Entry = tuple[str, LazyProxy]

BUYER_COMMANDS: tuple[Entry, ...] = (
    ("start", __("Start, or show the main menu")),
    ("catalog", __("Browse the catalogue")),
    ("groups", __("Group orders for your city")),
    ("orders", __("Your orders")),
    ("track", __("Follow your shipments")),
    ("search", __("Search products")),
    ("settings", __("Language, country, city, currency")),
    ("digest", __("Your digest and alerts")),
    ("timezone", __("Your time zone")),
    ("help", __("How the bot works")),
)
AGENT_COMMANDS: tuple[Entry, ...] = (
    ("region", __("Your region's group orders (agent)")),
    ("picklist", __("What to hand to whom, per group (agent)")),
    ("collect", __("What to collect and refund, per group (agent)")),
)
# the admin's menu: the commands used every day; /admin lists them all
ADMIN_MENU: tuple[Entry, ...] = (
    ("admin", __("All admin commands, with help (admin)")),
    ("gb_new", __("Open a group order (admin)")),
    ("gb_list", __("Open group orders (admin)")),
    ("ship", __("Ship formed groups (admin)")),
    ("shipments", __("Shipments and their status (admin)")),
    ("products", __("The catalogue's products (admin)")),
    ("broadcast", __("Send a message to buyers (admin)")),
    ("stats", __("Orders, buyers and revenue (admin)")),
    ("rates", __("Exchange rates (admin)")),
)


def entries_for(role: Role | str) -> tuple[Entry, ...]:
    if role == Role.ADMIN:
        return BUYER_COMMANDS + AGENT_COMMANDS + ADMIN_MENU
    if role == Role.AGENT:
        return BUYER_COMMANDS + AGENT_COMMANDS
    return BUYER_COMMANDS


def role_of(*, is_admin: bool, is_agent: bool = False) -> Role:
    return Role.ADMIN if is_admin else Role.AGENT if is_agent else Role.BUYER


def commands_for(
    locale: str, *, is_admin: bool = False, role: Role | str | None = None
) -> list[BotCommand]:
    entries = entries_for(role or role_of(is_admin=is_admin))
    i18n = I18n.get_current(no_error=True)
    if i18n is None:
        return [BotCommand(command=name, description=str(text)) for name, text in entries]
    with i18n.use_locale(locale):
        return [BotCommand(command=name, description=str(text)) for name, text in entries]


async def set_default_commands(bot: Bot) -> None:
    """The buyers' menu, one per Telegram language code; Traditional Chinese users get theirs
    per chat (see set_chat_commands)."""
    await bot.set_my_commands(commands_for(DEFAULT_LOCALE), scope=BotCommandScopeDefault())
    for locale in LOCALES:
        if locale == "zh_Hant":
            continue  # Telegram's menus know "zh" only: that is Simplified
        await bot.set_my_commands(
            commands_for(locale),
            scope=BotCommandScopeDefault(),
            language_code=telegram_language_code(locale),
        )


async def set_chat_commands(
    bot: Bot, chat_id: int, locale: str, *, is_admin: bool, is_agent: bool = False
) -> None:
    """The menu of one person's role, in the language they chose (it may differ from their
    Telegram app's)."""
    try:
        await bot.set_my_commands(
            commands_for(locale, role=role_of(is_admin=is_admin, is_agent=is_agent)),
            scope=BotCommandScopeChat(chat_id=chat_id),
        )
    except TelegramAPIError as error:  # a menu is a nicety: never fail the user's action for it
        log.warning("setMyCommands for chat %s failed: %s", chat_id, error)


async def set_role_menus(bot: Bot, people: Iterable[tuple[int, str, Role]]) -> None:
    """At start-up: each admin's and agent's own menu (they are few)."""
    for chat_id, locale, role in people:
        await set_chat_commands(
            bot, chat_id, locale, is_admin=role == Role.ADMIN, is_agent=role == Role.AGENT
        )
