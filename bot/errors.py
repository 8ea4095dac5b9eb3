"""The global error handler: an update whose handler failed unexpectedly still gets an answer.

Refusals the use-cases foresee (a closed group, a stale button, a bad quantity) are answered by the
handlers themselves; this is for everything else. The user gets a localised apology (a tapped
button's spinner stops, with the apology as an alert), and the log gets the update id and the
traceback (the logging formatter keeps the token out of it)."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n

from bot.middlewares import CallbackReply, answer_quietly, update_outcome
from core.locales import user_locale
from domain.text import N_

log = logging.getLogger(__name__)

APOLOGY = N_("😔 Sorry, something went wrong on our side. Please try again in a moment.")


def locale_of(data: dict[str, Any]) -> str:
    user, tg_user = data.get("user"), data.get("event_from_user")
    return user_locale(getattr(user, "locale", None), tg_user.language_code if tg_user else None)


async def on_error(event: ErrorEvent, bot: Bot, i18n: I18n, **data: Any) -> bool:
    update = event.update
    outcome = update_outcome.get()
    if outcome is not None:
        outcome.failed = True  # a webhook answers 500, so Telegram delivers the update again
    log.error(
        "update %s failed: %s", update.update_id, type(event.exception).__name__,
        exc_info=event.exception,
    )  # fmt: skip
    text = i18n.gettext(APOLOGY, locale=locale_of(data))
    reply: CallbackReply | None = data.get("callback_reply")
    try:
        if reply is not None and not reply.answered:
            await answer_quietly(bot, reply, text)
            return True
        chat = data.get("event_chat")
        if chat is not None:
            await bot.send_message(chat.id, text)
    except TelegramAPIError as error:
        log.warning("update %s: the apology could not be sent either: %s", update.update_id, error)
    return True


def build_router() -> Router:
    """The errors router, made fresh for each dispatcher (a router joins one dispatcher only)."""
    router = Router(name=__name__)
    router.errors.register(on_error)
    return router
