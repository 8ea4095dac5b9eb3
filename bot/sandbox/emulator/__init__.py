"""A Telegram Bot API emulator served over real HTTP on loopback.

An aiogram ``Bot`` pointed at :attr:`BotAPIEmulator.base_url` (``TelegramAPIServer.from_base``)
talks to it exactly as it talks to ``api.telegram.org``: same URL shape
(``{base}/bot{token}/{method}``), same request encodings (form-urlencoded, multipart with
``attach://`` uploads, or JSON), same ``{"ok": ..., "result"|"error_code"/"description"}`` answers
with the real error descriptions, so aiogram raises its usual exceptions.

Users are driven from Python (``send_message``, ``press``, ``press_button``, ``pay``,
``block``); their actions become updates that the bot fetches with ``getUpdates`` (real long
polling).

Telegram Payments: ``sendInvoice`` (validated; the invoice is kept on the message),
``pay(user, message)`` (a ``pre_checkout_query``), ``answerPreCheckoutQuery`` (refused: the
``error_message`` is what the user saw; accepted: a ``successful_payment`` message from the user
with a unique ``telegram_payment_charge_id``), and ``redeliver(update)`` for a duplicate delivery.

Notes on fidelity:

* HTML is parsed with a port of TDLib's parser (same tag set, same error texts and byte
  offsets). One deliberate deviation, on by default (``strict_html=True``): a ``&`` that does not
  start ``&lt; &gt; &amp; &quot; &#NNN; &#xHH;`` (with the ``;``) is rejected with
  "can't parse entities: ...". Telegram itself keeps such an ``&`` literally; set
  ``strict_html=False`` for exact behaviour.
* ``MarkdownV2``/``Markdown`` texts are accepted but not parsed (stored as plain text).
* Deleted messages stay in the chat history with ``deleted=True``; ``messages()`` and
  ``bot_messages()`` hide them unless ``include_deleted=True``.
* Editing a message without ``reply_markup`` removes its inline keyboard, as on Telegram.
* Sending to an unknown *positive* chat id answers 403 "bot can't initiate conversation with a
  user"; an unknown negative id answers 400 "chat not found".
* ``requests`` timestamps are ``time.monotonic()`` values.
* User-side actions are synchronous and must be called from the event loop's thread.

Modules (each imports only the ones listed before it):

* ``errors`` — limits, the Bot API's error texts, :class:`BotAPIError`.
* ``entities`` — Telegram HTML (:func:`parse_html`) and entities detected in users' text.
* ``state`` — the model: :class:`EmuUser`, :class:`EmuChat`, :class:`EmuMessage`, files, faults,
  logged calls.
* ``params`` — typed access to a request's parameters.
* ``base`` — what the method mixins share (declared attributes, the bot's User, hooks).
* ``files``, ``messages``, ``updates``, ``payments``, ``settings`` — the Bot API methods
  (``_api_*``), one mixin per concern.
* ``server`` — :class:`BotAPIEmulator`: HTTP and dispatch, lifecycle, inspection, fault
  injection, the users' side.
"""

from bot.sandbox.emulator.base import HookFn
from bot.sandbox.emulator.entities import HtmlParseError, detect_entities, parse_html, utf16_len
from bot.sandbox.emulator.errors import (
    CALLBACK_QUERY_TTL,
    DEFAULT_DESCRIPTIONS,
    ERR_BLOCKED,
    ERR_CANT_INITIATE,
    ERR_CONFLICT_POLL,
    ERR_CONFLICT_WEBHOOK,
    ERR_NOT_MODIFIED,
    ERR_QUERY_ID_INVALID,
    ERR_QUERY_TOO_OLD,
    MAX_CALLBACK_ANSWER_LENGTH,
    MAX_CALLBACK_DATA_BYTES,
    MAX_CAPTION_LENGTH,
    MAX_INLINE_BUTTONS,
    MAX_TEXT_LENGTH,
    MAX_UPLOAD_BYTES,
    PRE_CHECKOUT_QUERY_TTL,
    BotAPIError,
)
from bot.sandbox.emulator.payments import (
    STARS,
    SUPPORTED_CURRENCIES,
    TEST_PROVIDER_TOKEN,
    format_amount,
)
from bot.sandbox.emulator.server import BotAPIEmulator
from bot.sandbox.emulator.state import (
    EmuCallbackQuery,
    EmuChat,
    EmuFault,
    EmuFile,
    EmuInvoice,
    EmuMessage,
    EmuPreCheckoutQuery,
    EmuRequest,
    EmuUpload,
    EmuUser,
    button_kind,
    button_value,
)

__all__ = [
    "BotAPIEmulator",
    "BotAPIError",
    "CALLBACK_QUERY_TTL",
    "DEFAULT_DESCRIPTIONS",
    "ERR_BLOCKED",
    "ERR_CANT_INITIATE",
    "ERR_CONFLICT_POLL",
    "ERR_CONFLICT_WEBHOOK",
    "ERR_NOT_MODIFIED",
    "ERR_QUERY_ID_INVALID",
    "ERR_QUERY_TOO_OLD",
    "EmuCallbackQuery",
    "EmuChat",
    "EmuFault",
    "EmuFile",
    "EmuInvoice",
    "EmuMessage",
    "EmuPreCheckoutQuery",
    "EmuRequest",
    "EmuUpload",
    "EmuUser",
    "HookFn",
    "HtmlParseError",
    "MAX_CALLBACK_ANSWER_LENGTH",
    "MAX_CALLBACK_DATA_BYTES",
    "MAX_CAPTION_LENGTH",
    "MAX_INLINE_BUTTONS",
    "MAX_TEXT_LENGTH",
    "MAX_UPLOAD_BYTES",
    "PRE_CHECKOUT_QUERY_TTL",
    "STARS",
    "SUPPORTED_CURRENCIES",
    "TEST_PROVIDER_TOKEN",
    "button_kind",
    "button_value",
    "detect_entities",
    "format_amount",
    "parse_html",
    "utf16_len",
]
