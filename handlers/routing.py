"""Routers built on demand.

An aiogram Router can be attached to one dispatcher only, once. Handler modules declare their
handlers on a `RouterSpec` with the usual decorator syntax, and `build()` makes a fresh Router for
each dispatcher the factory creates (tests and benchmarks create many).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import Router

HandlerT = Callable[..., Any]

# Handler flag: only admins may run it (bot.middlewares.AdminOnly refuses everyone else, politely).
ADMIN = {"admin": True}


class RouterSpec:
    def __init__(self, name: str) -> None:
        self.name = name
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
            "errors",
        ):
            return self._observer(event)
        raise AttributeError(event)

    def build(self) -> Router:
        router = Router(name=self.name)
        for event, filters, kwargs, handler in self._handlers:
            router.observers["error" if event == "errors" else event].register(
                handler, *filters, **kwargs
            )
        return router
