"""Routers built on demand.

An aiogram Router can be attached to one dispatcher only, once. Handler modules declare their
handlers on a `RouterSpec` with the usual decorator syntax, and `build()` makes a fresh Router for
each dispatcher the factory creates (tests and benchmarks create many).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import BaseMiddleware, Router
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.i18n import gettext as _
from magic_filter import MagicFilter

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
            # skipped whole for anyone else's taps and commands: the fallback router answers
            # them exactly as AdminOnly would (a stale button, an unknown command)
            router.message.filter(admin_or_in_dialog)
            router.callback_query.filter(from_admin)
            router.message.middleware(AdminOnly())
            router.callback_query.middleware(AdminOnly())
        for event, filters, kwargs, handler in self._handlers:
            router.observers["error" if event == "errors" else event].register(
                handler, *(on_loop(f) for f in filters), **kwargs
            )
        gate(router)
        return router


class OnTheLoop(Filter):
    """A magic filter (`F.text`, `F.contact`, …) checked on the event loop. aiogram runs a
    filter that is not a coroutine in a worker thread (`asyncio.to_thread`), one thread hop per
    handler tried: `resolve` is a few attribute reads."""

    def __init__(self, magic: MagicFilter) -> None:
        self.magic = magic

    async def __call__(self, event: TelegramObject) -> Any:
        return self.magic.resolve(event)

    def __str__(self) -> str:
        return str(self.magic)


def on_loop(value: Any) -> Any:
    return OnTheLoop(value) if isinstance(value, MagicFilter) else value


async def admin_or_in_dialog(
    message: Message, is_admin: bool = False, raw_state: str | None = None
) -> bool:
    """An admin router's messages: an admin's, or a dialog's next step (AdminOnly ends the
    dialog of someone who is no longer an admin)."""
    return is_admin or raw_state is not None


class CallbackPrefixes(Filter):
    """A router's root filter for taps: only the button kinds its handlers handle get in, so a
    tap is not unpacked by every handler of every router before the one it is for."""

    def __init__(self, prefixes: frozenset[str]) -> None:
        self.prefixes = prefixes

    async def __call__(self, callback: CallbackQuery) -> bool:
        return (callback.data or "").split(":", 1)[0] in self.prefixes


class CommandsAndSteps(Filter):
    """A router's root filter for messages when each of its handlers is for a command or for a
    dialog's step: anything else goes straight on to the next router."""

    def __init__(self, commands: frozenset[str], states: frozenset[str]) -> None:
        self.commands = commands
        self.states = states

    async def __call__(self, message: Message, raw_state: str | None = None) -> bool:
        if raw_state is not None and raw_state in self.states:
            return True
        text = message.text or message.caption or ""
        if not text.startswith("/") or not self.commands:
            return False
        word = text[1:].split(maxsplit=1)
        return bool(word) and word[0].split("@", 1)[0].lower() in self.commands


def _states(value: Any) -> set[str] | None:
    """The state names a StateFilter argument stands for (None: any, or none)."""
    from aiogram.fsm.state import State, StatesGroup

    if isinstance(value, State):
        return {value.state} if value.state and value.state != "*" else None
    if isinstance(value, str):
        return {value} if value != "*" else None
    if isinstance(value, type) and issubclass(value, StatesGroup):
        return {state.state for state in value.__all_states__ if state.state}
    return None


def gate(router: Router) -> None:
    """Root filters from what the router's handlers match (see CallbackPrefixes and
    CommandsAndSteps); a router with any handler that could take anything else is not gated."""
    from aiogram.filters import Command, StateFilter
    from aiogram.filters.callback_data import CallbackQueryFilter

    prefixes: set[str] = set()
    for handler in router.callback_query.handlers:
        found = [
            f.callback for f in handler.filters or [] if isinstance(f.callback, CallbackQueryFilter)
        ]
        if not found:
            break
        prefixes.add(found[0].callback_data.__prefix__)
    else:
        if prefixes:
            router.callback_query.filter(CallbackPrefixes(frozenset(prefixes)))
    commands: set[str] = set()
    states: set[str] = set()
    for handler in router.message.handlers:
        callbacks = [f.callback for f in handler.filters or []]
        command = next((c for c in callbacks if isinstance(c, Command)), None)
        if (
            command is not None
            and command.prefix == "/"
            and all(isinstance(c, str) for c in command.commands)
        ):
            commands |= {str(c).lower() for c in command.commands}
            continue
        steps = [c for c in callbacks if isinstance(c, StateFilter)]
        names = [_states(value) for step in steps for value in step.states]
        if not steps or any(found is None for found in names):
            return
        states |= {name for found in names if found for name in found}
    if router.message.handlers:
        router.message.filter(CommandsAndSteps(frozenset(commands), frozenset(states)))
