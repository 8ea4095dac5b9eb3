"""What the method mixins share: the emulator's attributes (declared for type checking), the
bot's User object, hook calls and the package's logger."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from typing import Any

from bot.sandbox.emulator.state import (
    EmuCallbackQuery,
    EmuChat,
    EmuFile,
    EmuPreCheckoutQuery,
    EmuUser,
)

# The package's logger, named as before the split into modules.
log = logging.getLogger("bot.sandbox.emulator")


HookFn = Callable[..., Any]


class EmulatorBase:
    """Base of the method mixins. The attributes are set in ``BotAPIEmulator.__init__``; they are
    declared here so that each mixin type-checks on its own."""

    bot_id: int
    bot_username: str
    bot_first_name: str
    strict_html: bool

    users: dict[int, EmuUser]
    chats: dict[int, EmuChat]
    files: dict[str, EmuFile]
    callback_answers: dict[str, dict[str, Any]]
    callback_queries: dict[str, EmuCallbackQuery]
    commands: dict[tuple[str, str], list[dict[str, str]]]
    menu_buttons: dict[int | None, dict[str, Any]]
    bot_texts: dict[tuple[str, str], str]
    chat_actions: list[tuple[int, str, float]]
    webhook: dict[str, Any]
    on_bot_message: list[HookFn]
    on_callback_answer: list[HookFn]
    pre_checkout_queries: dict[str, EmuPreCheckoutQuery]
    pre_checkout_timeout: float | None
    on_pre_checkout_answer: list[HookFn]

    _updates: list[dict[str, Any]]
    _next_update_id: int
    _allowed_updates: list[str]
    _update_event: asyncio.Event
    _poll_generation: int
    _last_activity: float
    _closing: bool
    _file_counter: int
    _query_counter: int
    _charge_counter: int
    _instance_tag: str

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    async def _fire(self, hooks: list[HookFn], *args: Any) -> None:
        for hook in list(hooks):
            try:
                result = hook(*args)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("emulator hook %r failed", hook)
