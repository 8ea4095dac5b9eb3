"""Limits, the Bot API's error texts, and :class:`BotAPIError` (an error answer)."""

from __future__ import annotations

from typing import Any

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100
CALLBACK_QUERY_TTL = 15 * 60  # seconds a callback query can still be answered
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_INVOICE_TITLE_LENGTH = 32
MAX_INVOICE_DESCRIPTION_LENGTH = 255
MAX_INVOICE_PAYLOAD_BYTES = 128
MAX_INVOICE_AMOUNT = 9999_9999_9999  # TDLib's bound for a price part and for the total
MAX_SUGGESTED_TIPS = 4
PRE_CHECKOUT_QUERY_TTL = 10.0  # seconds the bot has to answer a pre-checkout query

ERR_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a content and reply markup of the current message"
)
ERR_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
ERR_QUERY_ID_INVALID = "QUERY_ID_INVALID"
ERR_CANT_INITIATE = "Forbidden: bot can't initiate conversation with a user"
ERR_BLOCKED = "Forbidden: bot was blocked by the user"
ERR_CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is "
    "running"
)
ERR_CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)

DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: ERR_BLOCKED,
    404: "Not Found",
    409: "Conflict",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


_JSON_ERRORS = {
    "reply_markup": "can't parse reply keyboard markup JSON object",
    "entities": "can't parse entities JSON object",
    "caption_entities": "can't parse caption entities JSON object",
    "media": "can't parse InputMedia JSON object",
    "commands": "can't parse commands JSON object",
    "scope": "can't parse BotCommandScope JSON object",
    "menu_button": "can't parse menu button JSON object",
    "allowed_updates": "can't parse allowed updates JSON object",
    "prices": "can't parse prices JSON object",
    "suggested_tip_amounts": "can't parse suggested tip amounts JSON object",
}


class BotAPIError(Exception):
    """An error answer of the Bot API (``{"ok": false, ...}``)."""

    def __init__(self, error_code: int, description: str, *, retry_after: int | None = None):
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _bad(description: str) -> BotAPIError:
    return BotAPIError(400, f"Bad Request: {description}")
