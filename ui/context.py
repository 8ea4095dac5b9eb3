"""The render context: whose language, time zone and currency a screen or a notification is in,
and the moment it is rendered for. Built in one place (`for_user`) by the update middleware, the
sender and the digest builder alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from aiogram.utils.i18n import I18n

from core.locales import DEFAULT_LOCALE, user_locale
from domain.money import BASE_CURRENCY
from models import User


@dataclass(frozen=True)
class RenderContext:
    locale: str
    timezone: str
    currency: str
    now: datetime

    @classmethod
    def for_user(
        cls, user: User | None, now: datetime, *, language_code: str | None = None
    ) -> RenderContext:
        """The user's chosen locale, else the one their Telegram language maps to (before
        onboarding too: gettext and Babel then agree); their city's time zone; their
        currency, else the yuan."""
        code = (
            language_code if language_code is not None else (user.language_code if user else None)
        )
        return cls(
            locale=user_locale(user.locale if user else None, code),
            timezone=(user.timezone if user else None) or "UTC",
            currency=(user.currency if user else None) or BASE_CURRENCY,
            now=now,
        )


_current: ContextVar[RenderContext | None] = ContextVar("render_context", default=None)


@contextmanager
def use_context(ctx: RenderContext) -> Iterator[RenderContext]:
    """Render in this context until the block ends (the update middleware and the sender)."""
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def current() -> RenderContext:
    """The context of the update (or notification) being rendered. Outside one (a script, a
    test calling a view directly): English, UTC, yuan, now."""
    ctx = _current.get()
    if ctx is None:
        return RenderContext(DEFAULT_LOCALE, "UTC", BASE_CURRENCY, datetime.now(UTC))
    return ctx


def switch_locale(i18n: I18n, locale: str) -> RenderContext:
    """The user chose another language in the middle of an update: what is rendered from here on
    (texts through gettext, and everything Babel formats from the render context) is in it."""
    i18n.current_locale = locale
    ctx = replace(current(), locale=locale)
    _current.set(ctx)  # until the update's `use_context` block ends
    return ctx
