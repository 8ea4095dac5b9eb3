"""Routers built on demand.

An aiogram Router can be attached to one dispatcher only, once. Handler modules declare their
handlers on a `RouterSpec` with the usual decorator syntax, and `build()` makes a fresh Router for
each dispatcher the factory creates (tests and benchmarks create many).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import BaseMiddleware, Router
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.i18n import gettext as _

from ui.render import stale

HandlerT = Callable[..., Any]


class AdminOnly(BaseMiddleware):
    """On an admin router (inner: it runs once one of its handlers matched): anyone but an admin
    gets exactly what an unknown command or an out-of-date button gets, so the admin console
    does not even show that it exists, and nothing runs. `is_admin` comes from the user's row
    read for this update (see bot.middlewares.UserMiddleware)."""

    async def __call__(self, handler: Any, event: TelegramObject, data: dict[str, Any]) -> Any:
        if data.get("is_admin"):
            return await handler(event, data)
        if isinstance(event, CallbackQuery):
            await stale(event)
        elif isinstance(event, Message):
            state = data.get("state")
            command = (event.text or event.caption or "").startswith("/")
            if not command and state is not None and await state.get_state() is not None:
                # not a command: it matched an admin dialog's step, so this person was an admin
                # when it began and is no longer one. The dialog ends (their next message is
                # theirs again: a search, ...), and nothing is changed
                await state.set_state(None)
                await event.answer(_("Cancelled. Nothing was changed."))
                return None
            await event.answer(unknown_command_text())
        return None


async def from_admin(event: TelegramObject, is_admin: bool = False) -> bool:
    """A filter for an admin router's handlers that are not commands (a document, a photo):
    anyone else's update does not match, and goes on to the routers every user has, instead of
    getting the unknown-command reply (which would tell that such a handler exists)."""
    return is_admin


def unknown_command_text() -> str:
    return _("I don't know that command. Send /help to see what I can do.")


class RouterSpec:
    def __init__(self, name: str, *, admin_only: bool = False) -> None:
        self.name = name
        self.admin_only = admin_only  # gated once, at router level (AdminOnly)
        self._handlers: list[tuple[str, tuple[Any, ...], dict[str, Any], HandlerT]] = []

    def _observer(self, event: str) -> Callable[..., Callable[[HandlerT], HandlerT]]:
        def decorator_factory(*filters: Any, **kwargs: Any) -> Callable[[HandlerT], HandlerT]:
            def decorator(handler: HandlerT) -> HandlerT:
                self._handlers.append((event, filters, kwargs, handler))
                return handler

            return decorator

        return decorator_factory

    def __getattr__(self, event: str) -> Callable[..., Callable[[HandlerT], HandlerT]]:
        if event in (
            "message",
            "callback_query",
            "edited_message",
            "my_chat_member",
            "inline_query",
            "pre_checkout_query",
            "errors",
        ):
            return self._observer(event)
        raise AttributeError(event)

    def build(self) -> Router:
        router = Router(name=self.name)
        if self.admin_only:
            router.message.middleware(AdminOnly())
            router.callback_query.middleware(AdminOnly())
        for event, filters, kwargs, handler in self._handlers:
            router.observers["error" if event == "errors" else event].register(
                handler, *filters, **kwargs
            )
        return router
