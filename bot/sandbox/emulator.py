"""A Telegram Bot API emulator served over real HTTP on loopback.

An aiogram ``Bot`` pointed at :attr:`BotAPIEmulator.base_url` (``TelegramAPIServer.from_base``)
talks to it exactly as it talks to ``api.telegram.org``: same URL shape
(``{base}/bot{token}/{method}``), same request encodings (form-urlencoded, multipart with
``attach://`` uploads, or JSON), same ``{"ok": ..., "result"|"error_code"/"description"}`` answers
with the real error descriptions, so aiogram raises its usual exceptions.

Users are driven from Python (``send_message``, ``press``, ``press_button``, ``block``); their
actions become updates that the bot fetches with ``getUpdates`` (real long polling).

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
"""

from __future__ import annotations

import asyncio
import copy
import html
import inspect
import json
import logging
import mimetypes
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from aiohttp import web

log = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100
CALLBACK_QUERY_TTL = 15 * 60  # seconds a callback query can still be answered
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

ERR_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a content and reply markup of the current message"
)
ERR_QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
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

# Update types delivered when allowed_updates is empty (Telegram's default).
_NOT_DEFAULT_UPDATES = {"chat_member", "message_reaction", "message_reaction_count"}

_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
    "disabled",
)

_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}

_COMMAND_SCOPES = {
    "default",
    "all_private_chats",
    "all_group_chats",
    "all_chat_administrators",
    "chat",
    "chat_administrators",
    "chat_member",
}

# Parameters that arrive JSON-serialised in form bodies.
_JSON_KEYS = {
    "reply_markup",
    "entities",
    "caption_entities",
    "media",
    "commands",
    "scope",
    "link_preview_options",
    "reply_parameters",
    "menu_button",
    "allowed_updates",
    "rights",
    "message_ids",
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
}


# --------------------------------------------------------------------------------------------
# Errors


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


# --------------------------------------------------------------------------------------------
# HTML (port of TDLib's parse_html)


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; the message is TDLib's error text."""


_SUPPORTED_TAGS = {
    "a",
    "b",
    "strong",
    "i",
    "em",
    "s",
    "strike",
    "del",
    "u",
    "ins",
    "tg-spoiler",
    "tg-emoji",
    "span",
    "pre",
    "code",
    "blockquote",
}
_SIMPLE_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_SPACE = " \t\r\n\v\0"
_HEX = "0123456789abcdefABCDEF"


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _decode_html_entity(src: str, pos: int, strict: bool) -> tuple[str | None, int]:
    """Decode the character reference starting at ``src[pos] == "&"`` like TDLib does.

    Returns ``(char, end)`` or ``(None, pos)`` when it is not a supported reference."""
    n = len(src)
    end = pos + 1
    if end < n and src[end] == "#":
        end += 1
        code = 0
        if end < n and src[end] == "x":
            end += 1
            while end < n and src[end] in _HEX:
                code = code * 16 + int(src[end], 16)
                end += 1
                if code >= 0x10FFFF:
                    return None, pos
        else:
            while end < n and "0" <= src[end] <= "9":
                code = code * 10 + ord(src[end]) - 48
                end += 1
                if code >= 0x10FFFF:
                    return None, pos
        if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None, pos
        char = chr(code)
    else:
        while end < n and src[end].isascii() and src[end].isalpha():
            end += 1
        decoded = _NAMED_ENTITIES.get(src[pos + 1 : end])
        if decoded is None:
            return None, pos
        char = decoded
    if end < n and src[end] == ";":
        end += 1
    elif strict:
        return None, pos
    return char, end


def parse_html(src: str, *, strict: bool = True) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram-flavoured HTML into ``(plain_text, entities)``; offsets are UTF-16.

    Raises :class:`HtmlParseError` with TDLib's wording. With ``strict`` a bare ``&`` is an
    error too (Telegram keeps it literally)."""
    n = len(src)

    def at(i: int) -> str:
        return src[i] if i < n else "\0"

    def offset(i: int) -> int:
        return len(src[:i].encode("utf-8"))

    def bare_ampersand(i: int) -> HtmlParseError:
        return HtmlParseError(
            f'Unsupported HTML entity at byte offset {offset(i)}; escape "&" as "&amp;"'
        )

    out: list[str] = []
    u16 = 0
    stack: list[tuple[str, str, int, bool]] = []  # tag, argument, utf16 start, expandable
    entities: list[dict[str, Any]] = []
    i = 0
    while i < n:
        c = src[i]
        if c == "&":
            char, end = _decode_html_entity(src, i, strict)
            if char is not None:
                out.append(char)
                u16 += utf16_len(char)
                i = end
                continue
            if strict:
                raise bare_ampersand(i)
        if c != "<":
            out.append(c)
            u16 += 2 if ord(c) > 0xFFFF else 1
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != "/":
            name_begin = i
            while at(i) not in _HTML_SPACE and at(i) != ">":
                i += 1
            if i >= n:
                raise HtmlParseError(f"Unclosed start tag at byte offset {offset(begin)}")
            tag = src[name_begin:i].lower()
            if tag not in _SUPPORTED_TAGS:
                raise HtmlParseError(
                    f'Unsupported start tag "{tag}" at byte offset {offset(begin)}'
                )
            argument = ""
            expandable = False
            while at(i) != ">":
                while i < n and at(i) in _HTML_SPACE:
                    i += 1
                if at(i) == ">":
                    break
                attr_begin = i
                while at(i) not in _HTML_SPACE and at(i) not in "=>":
                    i += 1
                attr = src[attr_begin:i].lower()
                if not attr:
                    raise HtmlParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {offset(begin)}'
                    )
                while i < n and at(i) in _HTML_SPACE:
                    i += 1
                if at(i) != "=":
                    if tag == "blockquote" and attr == "expandable":
                        expandable = True
                        continue
                    raise HtmlParseError(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {offset(begin)}'
                    )
                i += 1
                while i < n and at(i) in _HTML_SPACE:
                    i += 1
                if i >= n:
                    raise HtmlParseError(
                        f'Unclosed start tag "{tag}" at byte offset {offset(begin)}'
                    )
                if at(i) not in "'\"":
                    value_begin = i
                    while at(i).isascii() and (at(i).isalnum() or at(i) in ".-"):
                        i += 1
                    value = src[value_begin:i]
                    if at(i) not in _HTML_SPACE and at(i) != ">":
                        raise HtmlParseError(
                            f"Unexpected end of name token at byte offset {offset(i)}"
                        )
                else:
                    quote = src[i]
                    i += 1
                    parts: list[str] = []
                    while i < n and src[i] != quote:
                        if src[i] == "&":
                            char, end = _decode_html_entity(src, i, strict)
                            if char is not None:
                                parts.append(char)
                                i = end
                                continue
                            if strict:
                                raise bare_ampersand(i)
                        parts.append(src[i])
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = "".join(parts)
                if i >= n:
                    raise HtmlParseError(f"Unclosed start tag at byte offset {offset(begin)}")
                if tag == "a" and attr == "href":
                    argument = value
                elif tag == "code" and attr == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attr == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attr == "emoji-id":
                    argument = value
                elif tag == "blockquote" and attr == "expandable":
                    expandable = True
            if tag == "span" and argument != "spoiler":
                raise HtmlParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {offset(begin)}'
                )
            stack.append((tag, argument, u16, expandable))
            i += 1  # the ">"
            continue

        # an end tag
        if not stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {offset(begin)}")
        i += 1
        name_begin = i
        while at(i) not in _HTML_SPACE and at(i) != ">":
            i += 1
        end_name = src[name_begin:i]
        while i < n and at(i) in _HTML_SPACE:
            i += 1
        if at(i) != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {offset(begin)}")
        tag, argument, start, expandable = stack.pop()
        if end_name and end_name != tag:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {offset(begin)}, expected "</{tag}>", '
                f'found "</{end_name}>"'
            )
        i += 1
        if u16 > start:
            entity = _make_entity(tag, argument, expandable, start, u16 - start, entities)
            if entity is not None:
                entities.append(entity)
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    for entity in entities:
        entity.pop("_language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _make_entity(
    tag: str,
    argument: str,
    expandable: bool,
    offset: int,
    length: int,
    previous: list[dict[str, Any]],
) -> dict[str, Any] | None:
    base: dict[str, Any] = {"offset": offset, "length": length}
    if tag in _SIMPLE_ENTITY:
        return {"type": _SIMPLE_ENTITY[tag], **base}
    if tag == "a":
        if not argument:
            return None
        return {"type": "text_link", **base, "url": argument}
    if tag == "code":
        entity = {"type": "code", **base}
        if argument:
            entity["_language"] = argument
        return entity
    if tag == "pre":
        last = previous[-1] if previous else None
        if (
            last is not None
            and last["type"] == "code"
            and last["offset"] == offset
            and last["length"] == length
            and last.get("_language")
        ):
            previous.pop()
            return {"type": "pre", **base, "language": last["_language"]}
        return {"type": "pre", **base}
    if tag == "blockquote":
        return {"type": "expandable_blockquote" if expandable else "blockquote", **base}
    if tag == "tg-emoji":
        if not argument.isdigit():
            raise HtmlParseError("Invalid custom emoji identifier specified")
        return {"type": "custom_emoji", **base, "custom_emoji_id": argument}
    return None


_TRIM = " \t\r\n\v\f"


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip surrounding whitespace like Telegram does and move the entities accordingly."""
    stripped = text.strip(_TRIM)
    if stripped == text:
        return text, entities
    if not stripped:
        return "", []
    lead = utf16_len(text[: len(text) - len(text.lstrip(_TRIM))])
    total = utf16_len(stripped)
    result = []
    for entity in entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] + entity["length"] - lead)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


_AUTO_ENTITY = re.compile(
    r"(?P<bot_command>(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/]))"
    r"|(?P<url>\bhttps?://[^\s<>\"]+[^\s<>\".,;:!?)\]'])"
    r"|(?P<mention>(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}\b)"
    r"|(?P<hashtag>(?<![\w#&])#\w*[^\W\d]\w*)"
)


def detect_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram adds to a user's plain text (commands, URLs, mentions, hashtags)."""
    entities = []
    for match in _AUTO_ENTITY.finditer(text):
        kind = match.lastgroup
        start, end = match.span()
        entities.append(
            {
                "type": kind,
                "offset": utf16_len(text[:start]),
                "length": utf16_len(text[start:end]),
            }
        )
    return entities


# --------------------------------------------------------------------------------------------
# Model


@dataclass
class EmuUser:
    """A sandbox Telegram user."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass(repr=False)
class EmuUpload:
    """A file received in a multipart request."""

    filename: str
    content: bytes
    content_type: str | None = None

    def __repr__(self) -> str:
        return f"EmuUpload({self.filename!r}, {len(self.content)} bytes)"


@dataclass(repr=False)
class EmuFile:
    """A file known to the emulator, addressable by ``file_id``."""

    file_id: str
    file_unique_id: str
    kind: str  # "photo" | "document"
    file_name: str | None = None
    content: bytes | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None

    @property
    def file_size(self) -> int | None:
        return None if self.content is None else len(self.content)

    def __repr__(self) -> str:
        return f"EmuFile({self.kind}, {self.file_name!r}, {self.file_id!r})"


@dataclass
class EmuMessage:
    """A message in a sandbox chat, from the user (``from_bot=False``) or from the bot.

    ``text`` is the plain text (tags stripped, entities decoded), ``html`` the raw text the bot
    sent (for user messages: the HTML-escaped text). ``reply_markup`` holds only an inline
    keyboard; a reply keyboard / removal / force-reply sent along is in ``reply_keyboard``."""

    message_id: int
    chat_id: int
    from_bot: bool
    date: int
    from_user: EmuUser | None = None
    text: str | None = None
    html: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    caption: str | None = None
    caption_html: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    photo: str | None = None  # file_id of the largest size
    photo_sizes: list[dict[str, Any]] = field(default_factory=list)
    document: tuple[str, bytes] | None = None
    document_file_id: str | None = None
    document_mime_type: str | None = None
    reply_markup: dict[str, Any] | None = None
    reply_keyboard: dict[str, Any] | None = None
    reply_to_message_id: int | None = None
    parse_mode: str | None = None
    edited: int = 0
    edit_date: int | None = None
    deleted: bool = False

    @property
    def kind(self) -> str:
        if self.photo is not None:
            return "photo"
        if self.document is not None:
            return "document"
        return "text"

    @property
    def inline_buttons(self) -> list[dict[str, Any]]:
        """All inline buttons, row-major."""
        if not self.reply_markup:
            return []
        return [button for row in self.reply_markup.get("inline_keyboard", []) for button in row]

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Inline keyboard as rows of ``(text, callback_data or url)``; for other button kinds
        the value is that field's value when it is a string, else ``None``."""
        if not self.reply_markup:
            return []
        rows = []
        for row in self.reply_markup.get("inline_keyboard", []):
            rows.append([(button["text"], button_value(button)) for button in row])
        return rows


def button_kind(button: dict[str, Any]) -> str:
    return next((key for key in _BUTTON_ACTIONS if key in button), "text")


def button_value(button: dict[str, Any]) -> str | None:
    value = button.get(button_kind(button))
    return value if isinstance(value, str) else None


@dataclass
class EmuChat:
    """A chat. Only private chats are created today (``id == user id``)."""

    id: int
    type: str = "private"
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    started: bool = False  # the user has written to the bot
    blocked: bool = False  # the user has blocked the bot
    history: list[EmuMessage] = field(default_factory=list, repr=False)
    next_message_id: int = 1
    instance: str = field(default_factory=lambda: str(secrets.randbits(62)))

    @classmethod
    def private(cls, user: EmuUser) -> EmuChat:
        return cls(
            id=user.id,
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value:
                data[key] = value
        return data

    def new_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def get(self, message_id: int) -> EmuMessage | None:
        for message in reversed(self.history):
            if message.message_id == message_id:
                return message
        return None


@dataclass
class EmuCallbackQuery:
    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str | None
    created: float
    answered: bool = False


@dataclass
class EmuFault:
    """An injected failure: the next ``times`` matching calls fail (``times=None``: forever)."""

    method: str | None
    chat_id: int | str | None
    error_code: int
    description: str
    retry_after: int | None
    times: int | None
    hits: int = 0
    html: bool = False  # answer with an HTML error page, as a proxy in front of the API would

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        if self.method is None:
            if method == "getUpdates":
                return False
        elif self.method.lower() != method.lower():
            return False
        if self.chat_id is not None and str(params.get("chat_id")) != str(self.chat_id):
            return False
        return True


class EmuRequest(NamedTuple):
    """One call the bot made: method name (canonical spelling), decoded params, monotonic time."""

    method: str
    params: dict[str, Any]
    timestamp: float


# --------------------------------------------------------------------------------------------
# Request parameters


class _Params:
    """Typed access to a request's parameters, whatever encoding they arrived in."""

    def __init__(self, data: dict[str, Any], files: dict[str, EmuUpload]):
        self.data = data
        self.files = files

    def has(self, key: str) -> bool:
        value = self.data.get(key)
        return value is not None and value != ""

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def get_str(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def get_int(
        self, key: str, default: int | None = None, *, error: str | None = None
    ) -> int | None:
        value = self.data.get(key)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        try:
            return int(value)
        except (TypeError, ValueError):
            raise _bad(error or f"invalid {key} specified") from None

    def get_bool(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in ("true", "1", "yes")

    def get_json(self, key: str) -> Any:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise _bad(_JSON_ERRORS.get(key, f"can't parse {key} JSON object")) from None
        return value

    def file(self, key: str) -> EmuUpload | str | None:
        """A file parameter: an upload (direct or ``attach://name``), or a file_id/URL string."""
        if key in self.files:
            return self.files[key]
        value = self.get_str(key)
        if not value:
            return None
        return self.attachment(value)

    def attachment(self, value: str) -> EmuUpload | str:
        if value.startswith("attach://"):
            name = value[len("attach://") :]
            if name not in self.files:
                raise _bad(f"file {name!r} wasn't found in the request")  # pragma: no cover
            return self.files[name]
        return value

    def logged(self) -> dict[str, Any]:
        """Parameters for the request log: JSON fields decoded, ``attach://`` resolved."""
        attached = set()
        result: dict[str, Any] = {}
        for key, value in self.data.items():
            if isinstance(value, str) and key in _JSON_KEYS:
                try:
                    value = json.loads(value)
                except ValueError:
                    pass
            elif isinstance(value, str) and value.startswith("attach://"):
                name = value[len("attach://") :]
                if name in self.files:
                    attached.add(name)
                    value = self.files[name]
            result[key] = value
        for name, upload in self.files.items():
            if name not in attached and name not in result:
                result[name] = upload
        return result


HookFn = Callable[..., Any]


# --------------------------------------------------------------------------------------------
# The emulator


class BotAPIEmulator:
    """Telegram Bot API emulator; see the module docstring."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_id: int = 123456,
        bot_username: str = "QingtianBridgeBot",
        bot_first_name: str = "Qingtian Bridge",
        *,
        token: str | None = None,
        strict_html: bool = True,
    ) -> None:
        self.host = host
        self.port = port
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.token = token  # when set, requests with another token get 401
        self.strict_html = strict_html
        self.latency = 0.0  # seconds added to every bot call

        self.users: dict[int, EmuUser] = {}
        self.chats: dict[int, EmuChat] = {}
        self.files: dict[str, EmuFile] = {}
        self.requests: list[EmuRequest] = []
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.callback_queries: dict[str, EmuCallbackQuery] = {}
        # (scope as canonical JSON, language_code or "") -> list of {"command", "description"}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.bot_texts: dict[
            tuple[str, str], str
        ] = {}  # (name|description|short_description, lang)
        self.chat_actions: list[tuple[int, str, float]] = []
        self.webhook: dict[str, Any] = {}
        self.faults: list[EmuFault] = []
        self.on_bot_message: list[HookFn] = []  # fn(kind: "new"|"edit"|"delete", EmuMessage)
        self.on_callback_answer: list[HookFn] = []  # fn(query_id: str, answer: dict)

        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 100_000_001
        self._allowed_updates: list[str] = []
        self._update_event = asyncio.Event()
        self._poll_generation = 0
        self._inflight = 0
        self._last_activity = time.monotonic()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._file_counter = 0
        self._query_counter = 0
        self._methods: dict[str, tuple[str, Callable[[_Params], Any]]] = {}
        for name in (
            "getMe",
            "getUpdates",
            "setWebhook",
            "deleteWebhook",
            "getWebhookInfo",
            "logOut",
            "close",
            "sendMessage",
            "sendPhoto",
            "sendDocument",
            "editMessageText",
            "editMessageCaption",
            "editMessageReplyMarkup",
            "editMessageMedia",
            "deleteMessage",
            "deleteMessages",
            "answerCallbackQuery",
            "setMyCommands",
            "getMyCommands",
            "deleteMyCommands",
            "setChatMenuButton",
            "getChatMenuButton",
            "sendChatAction",
            "getChat",
            "getFile",
            "setMyName",
            "getMyName",
            "setMyDescription",
            "getMyDescription",
            "setMyShortDescription",
            "getMyShortDescription",
        ):
            snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
            self._methods[name.lower()] = (name, getattr(self, f"_api_{snake}"))

    # ---------------------------------------------------------------- lifecycle

    @property
    def base_url(self) -> str:
        if self._runner is None:
            raise RuntimeError("emulator is not started")
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        if self._runner is not None:
            return
        self._closing = False
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        self.port = runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is None:
            return
        self._closing = True
        self._wake()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> BotAPIEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---------------------------------------------------------------- inspection

    def chat(self, chat_id: int) -> EmuChat | None:
        return self.chats.get(chat_id)

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[EmuMessage]:
        chat = self.chats.get(chat_id)
        if chat is None:
            return []
        return [m for m in chat.history if include_deleted or not m.deleted]

    def bot_messages(self, chat_id: int, *, include_deleted: bool = False) -> list[EmuMessage]:
        return [m for m in self.messages(chat_id, include_deleted=include_deleted) if m.from_bot]

    def last_bot_message(self, chat_id: int) -> EmuMessage | None:
        messages = self.bot_messages(chat_id)
        return messages[-1] if messages else None

    def message(self, chat_id: int, message_id: int) -> EmuMessage | None:
        chat = self.chats.get(chat_id)
        return chat.get(message_id) if chat else None

    def pending_updates(self) -> int:
        """Updates not yet confirmed by the bot (via getUpdates offset)."""
        return len(self._updates)

    def calls(self, method: str) -> list[EmuRequest]:
        """Logged calls of one method (case-insensitive)."""
        return [r for r in self.requests if r.method.lower() == method.lower()]

    def get_commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]] | None:
        return self.commands.get((self._scope_key(scope), language_code or ""))

    async def wait_idle(self, timeout: float = 5.0, settle: float = 0.05) -> None:  # noqa: ASYNC109
        """Wait until every update is confirmed, no bot call is in flight (long polls aside)
        and nothing happened for ``settle`` seconds. Raises ``TimeoutError``."""
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            if not self._updates and self._inflight == 0 and now - self._last_activity >= settle:
                return
            if now >= deadline:
                raise TimeoutError(
                    f"emulator not idle after {timeout}s: {len(self._updates)} pending "
                    f"update(s), {self._inflight} call(s) in flight"
                )
            await asyncio.sleep(0.005)

    # ---------------------------------------------------------------- fault injection

    def inject(
        self,
        method: str | None = None,
        chat_id: int | str | None = None,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        times: int | None = 1,
        html: bool = False,
    ) -> EmuFault:
        """Make the next ``times`` matching calls fail (``method=None`` matches every method
        except getUpdates; ``times=None`` means until :meth:`clear_faults`; ``html``: with an
        HTML error page instead of the Bot API's JSON)."""
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            if error_code == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = DEFAULT_DESCRIPTIONS.get(error_code, f"Error {error_code}")
        fault = EmuFault(method, chat_id, error_code, description, retry_after, times, html=html)
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self.faults.clear()

    def _take_fault(self, method: str, params: dict[str, Any]) -> EmuFault | None:
        for fault in self.faults:
            if fault.matches(method, params):
                fault.hits += 1
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                return fault
        return None

    # ---------------------------------------------------------------- user-side actions

    def register(self, user: EmuUser) -> EmuChat:
        """Make a user known (without writing to the bot) and return the private chat."""
        self.users[user.id] = user
        chat = self.chats.get(user.id)
        if chat is None:
            chat = self.chats[user.id] = EmuChat.private(user)
        else:
            chat.username, chat.first_name, chat.last_name = (
                user.username,
                user.first_name,
                user.last_name,
            )
        return chat

    def send_message(
        self, user: EmuUser, text: str, *, reply_to_message_id: int | None = None
    ) -> dict[str, Any]:
        """The user writes ``text`` to the bot; returns the Message dict of the update."""
        if not text:
            raise ValueError("a Telegram message can't be empty")
        chat = self.register(user)
        if chat.blocked:  # a user can only write after "Restart", which unblocks the bot
            self.unblock(user)
        chat.started = True
        message = EmuMessage(
            message_id=chat.new_message_id(),
            chat_id=chat.id,
            from_bot=False,
            from_user=user,
            date=int(time.time()),
            text=text,
            html=html.escape(text, quote=False),
            entities=detect_entities(text),
            reply_to_message_id=reply_to_message_id,
        )
        chat.history.append(message)
        data = self.message_dict(message)
        self._enqueue("message", data)
        return data

    def press_button(self, user: EmuUser, message_id: int, callback_data: str | None) -> str:
        """The user presses a callback button carrying ``callback_data`` under message
        ``message_id`` (not checked against the keyboard). Returns the callback query id."""
        chat = self.register(user)
        message = chat.get(message_id)
        if message is None or message.deleted:
            raise LookupError(f"no message #{message_id} in chat {chat.id}")
        self._query_counter += 1
        query_id = str(secrets.randbits(44) << 16 | self._query_counter)
        self.callback_queries[query_id] = EmuCallbackQuery(
            id=query_id,
            user_id=user.id,
            chat_id=chat.id,
            message_id=message_id,
            data=callback_data,
            created=time.monotonic(),
        )
        payload: dict[str, Any] = {
            "id": query_id,
            "from": user.to_dict(),
            "message": self.message_dict(message),
            "chat_instance": chat.instance,
        }
        if callback_data is not None:
            payload["data"] = callback_data
        self._enqueue("callback_query", payload)
        return query_id

    def press(self, user: EmuUser, message_id: int, index: int) -> str:
        """Press the ``index``-th (0-based, row-major) inline button of a message."""
        message = self.message(user.id, message_id)
        if message is None or message.deleted:
            raise LookupError(f"no message #{message_id} in chat {user.id}")
        buttons = message.inline_buttons
        if not 0 <= index < len(buttons):
            raise IndexError(f"message #{message_id} has {len(buttons)} inline button(s)")
        button = buttons[index]
        if "callback_data" not in button:
            raise ValueError(f"button {index} is a {button_kind(button)} button, not a callback")
        return self.press_button(user, message_id, button["callback_data"])

    def block(self, user: EmuUser, *, notify: bool = True) -> None:
        """The user blocks the bot: later sends answer 403 (and a my_chat_member update)."""
        chat = self.register(user)
        if chat.blocked:
            return
        chat.blocked = True
        if notify and chat.started:
            self._member_update(user, "member", "kicked")

    def unblock(self, user: EmuUser, *, notify: bool = True) -> None:
        chat = self.register(user)
        if not chat.blocked:
            return
        chat.blocked = False
        if notify and chat.started:
            self._member_update(user, "kicked", "member")

    def _member_update(self, user: EmuUser, old: str, new: str) -> None:
        def member(status: str) -> dict[str, Any]:
            data: dict[str, Any] = {"status": status, "user": self.bot_user()}
            if status == "kicked":
                data["until_date"] = 0
            return data

        self._enqueue(
            "my_chat_member",
            {
                "chat": self.chats[user.id].to_dict(),
                "from": user.to_dict(),
                "date": int(time.time()),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )

    # ---------------------------------------------------------------- updates

    def _enqueue(self, kind: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        allowed = self._allowed_updates
        if (allowed and kind not in allowed) or (not allowed and kind in _NOT_DEFAULT_UPDATES):
            return None
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self._updates.append(update)
        self._last_activity = time.monotonic()
        self._wake()
        return update

    def _wake(self) -> None:
        event, self._update_event = self._update_event, asyncio.Event()
        event.set()

    def _confirm(self, offset: int) -> None:
        before = len(self._updates)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        if len(self._updates) != before:
            self._last_activity = time.monotonic()

    # ---------------------------------------------------------------- serialisation

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def message_dict(self, message: EmuMessage, *, nested: bool = False) -> dict[str, Any]:
        """The Bot API Message object for a stored message."""
        chat = self.chats[message.chat_id]
        data: dict[str, Any] = {"message_id": message.message_id}
        if message.from_bot:
            data["from"] = self.bot_user()
        elif message.from_user is not None:
            data["from"] = message.from_user.to_dict()
        data["chat"] = chat.to_dict()
        data["date"] = message.date
        if message.edit_date:
            data["edit_date"] = message.edit_date
        if message.reply_to_message_id and not nested:
            target = chat.get(message.reply_to_message_id)
            if target is not None and not target.deleted:
                data["reply_to_message"] = self.message_dict(target, nested=True)
        if message.text is not None:
            data["text"] = message.text
            if message.entities:
                data["entities"] = copy.deepcopy(message.entities)
        if message.photo_sizes:
            data["photo"] = copy.deepcopy(message.photo_sizes)
        if message.document_file_id:
            file = self.files.get(message.document_file_id)
            document: dict[str, Any] = {
                "file_id": message.document_file_id,
                "file_unique_id": file.file_unique_id if file else message.document_file_id[-16:],
            }
            if message.document:
                document["file_name"] = message.document[0]
                document["file_size"] = len(message.document[1])
            if message.document_mime_type:
                document["mime_type"] = message.document_mime_type
            data["document"] = document
        if message.caption:
            data["caption"] = message.caption
            if message.caption_entities:
                data["caption_entities"] = copy.deepcopy(message.caption_entities)
        if message.reply_markup:
            data["reply_markup"] = copy.deepcopy(message.reply_markup)
        return data

    # ---------------------------------------------------------------- HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        if self.token is not None and request.match_info["token"] != self.token:
            return self._reply(BotAPIError(401, "Unauthorized").payload(), 401)
        entry = self._methods.get(request.match_info["method"].lower())
        name = entry[0] if entry else request.match_info["method"]
        track = name != "getUpdates"
        if track:
            self._inflight += 1
            self._last_activity = time.monotonic()
        try:
            try:
                params = await self._read_params(request)
            except BotAPIError as exc:
                return self._reply(exc.payload(), exc.error_code)
            self.requests.append(EmuRequest(name, params.logged(), time.monotonic()))
            if entry is None:
                return self._reply(BotAPIError(404, "Not Found: method not found").payload(), 404)
            if self.latency:
                await asyncio.sleep(self.latency)
            fault = self._take_fault(name, params.data)
            if fault is not None:
                if fault.html:
                    return web.Response(
                        status=fault.error_code,
                        text=f"<html><body><h1>{fault.error_code} Bad Gateway</h1></body></html>",
                        content_type="text/html",
                    )
                error = BotAPIError(
                    fault.error_code, fault.description, retry_after=fault.retry_after
                )
                return self._reply(error.payload(), fault.error_code)
            try:
                result = await entry[1](params)
            except BotAPIError as exc:
                return self._reply(exc.payload(), exc.error_code)
            except Exception:
                log.exception("emulator failed on %s", name)
                return self._reply(BotAPIError(500, "Internal Server Error").payload(), 500)
            return self._reply({"ok": True, "result": result}, 200)
        finally:
            if track:
                self._inflight -= 1
                self._last_activity = time.monotonic()

    @staticmethod
    def _reply(body: dict[str, Any], status: int) -> web.Response:
        return web.json_response(body, status=status)

    @staticmethod
    async def _read_params(request: web.Request) -> _Params:
        data: dict[str, Any] = dict(request.query)
        files: dict[str, EmuUpload] = {}
        if request.can_read_body:
            content_type = request.content_type
            if content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise _bad("can't parse JSON object") from None
                if not isinstance(body, dict):
                    raise _bad("JSON object expected")
                data.update(body)
            elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                try:
                    form = await request.post()
                except web.HTTPRequestEntityTooLarge:
                    raise BotAPIError(413, "Request Entity Too Large") from None
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        files[key] = EmuUpload(
                            value.filename, value.file.read(), value.content_type
                        )
                    else:
                        data[key] = value
        return _Params(data, files)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if self.token is not None and request.match_info["token"] != self.token:
            return web.Response(status=401, text="Unauthorized")
        path = request.match_info["path"]
        file_id = path.rsplit("/", 1)[-1].split(".", 1)[0]
        file = self.files.get(file_id)
        if file is None or file.content is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(
            body=file.content, content_type=file.mime_type or "application/octet-stream"
        )

    # ---------------------------------------------------------------- helpers

    def _chat_for_send(self, params: _Params) -> EmuChat:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise _bad("chat_id is empty")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise _bad("chat not found") from None
        chat = self.chats.get(chat_id)
        if chat is None:
            if chat_id > 0:
                raise BotAPIError(403, ERR_CANT_INITIATE)
            raise _bad("chat not found")
        self._check_access(chat)
        return chat

    @staticmethod
    def _check_access(chat: EmuChat) -> None:
        if chat.type == "private":
            if chat.blocked:
                raise BotAPIError(403, ERR_BLOCKED)
            if not chat.started:
                raise BotAPIError(403, ERR_CANT_INITIATE)

    def _message_for(self, params: _Params, action: str) -> EmuMessage:
        """The message an edit/delete call targets; ``action`` is "edit" or "delete"."""
        if params.has("inline_message_id"):
            raise _bad("MESSAGE_ID_INVALID")
        try:
            chat_id = int(params.get("chat_id"))
        except (TypeError, ValueError):
            raise _bad("chat not found" if params.has("chat_id") else "chat_id is empty") from None
        message_id = params.get_int("message_id", error=f"message to {action} not found")
        if message_id is None:
            raise _bad("message identifier is not specified")
        chat = self.chats.get(chat_id)
        if chat is None:
            raise _bad(f"message to {action} not found")
        self._check_access(chat)
        message = chat.get(message_id)
        if message is None or message.deleted:
            raise _bad(f"message to {action} not found")
        if action == "edit" and not message.from_bot:
            raise _bad("message can't be edited")
        return message

    def _format(
        self,
        text: str | None,
        parse_mode: str | None,
        entities: Any,
    ) -> tuple[str, list[dict[str, Any]]]:
        """Apply parse_mode/entities; returns trimmed plain text and entities."""
        if not text:
            return "", []
        mode = (parse_mode or "").lower()
        if entities:
            if not isinstance(entities, list):
                raise _bad("can't parse entities JSON object")
            plain, result = text, [dict(e) for e in entities if isinstance(e, dict)]
        elif mode == "html":
            try:
                plain, result = parse_html(text, strict=self.strict_html)
            except HtmlParseError as exc:
                raise _bad(f"can't parse entities: {exc}") from None
        elif mode in ("", "markdown", "markdownv2"):
            plain, result = text, []
        else:
            raise _bad("unsupported parse_mode")
        return _trim(plain, result)

    def _parse_markup(self, params: _Params) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """Validate reply_markup; returns (inline keyboard, other keyboard)."""
        markup = params.get_json("reply_markup")
        if markup is None:
            return None, None
        if not isinstance(markup, dict):
            raise _bad(_JSON_ERRORS["reply_markup"])
        if "inline_keyboard" in markup:
            return self._validate_inline(markup), None
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
            for row in rows:
                for button in row:
                    text = button if isinstance(button, str) else (button or {}).get("text")
                    if not isinstance(text, str):
                        raise _bad(
                            'can\'t parse keyboard button: Field "text" must be of type String'
                        )
            return None, copy.deepcopy(markup)
        if "remove_keyboard" in markup or "force_reply" in markup:
            return None, copy.deepcopy(markup)
        raise _bad(_JSON_ERRORS["reply_markup"])

    @staticmethod
    def _validate_inline(markup: dict[str, Any]) -> dict[str, Any] | None:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list):
            raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
        count = 0
        for row in rows:
            if not isinstance(row, list):
                raise _bad(
                    'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
                )
            for button in row:
                count += 1
                prefix = "can't parse inline keyboard button: "
                if not isinstance(button, dict):
                    raise _bad(prefix + "InlineKeyboardButton must be an Object")
                text = button.get("text")
                if not isinstance(text, str):
                    raise _bad(prefix + 'Field "text" must be of type String')
                actions = [
                    key
                    for key in _BUTTON_ACTIONS
                    if key in button and not (key == "pay" and button[key] is False)
                ]
                if not actions:
                    raise _bad(prefix + "Text buttons are unallowed in the inline keyboard")
                if len(actions) > 1:
                    raise _bad(
                        prefix + "exactly one of the fields other than text, "
                        f"icon_custom_emoji_id and style must be used, got {', '.join(actions)}"
                    )
                if not text.strip():
                    raise _bad("BUTTON_TEXT_INVALID")
                if "callback_data" in button:
                    data = button["callback_data"]
                    if not isinstance(data, str) or not (
                        1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
                    ):
                        raise _bad("BUTTON_DATA_INVALID")
                if "url" in button and not _valid_button_url(button["url"]):
                    raise _bad("BUTTON_URL_INVALID")
        if count > MAX_INLINE_BUTTONS:
            raise _bad("reply markup is too long")
        if count == 0:
            return None
        return {"inline_keyboard": copy.deepcopy(rows)}

    def _new_file(self, kind: str, **kwargs: Any) -> EmuFile:
        self._file_counter += 1
        unique = f"AQAD{self._file_counter:06d}{secrets.token_hex(4)}"
        prefix = {"photo": "AgACAgIAAxkDAAI", "document": "BQACAgIAAxkDAAI"}.get(kind, "CAACAgI")
        file_id = f"{prefix}{self._file_counter:05d}{secrets.token_urlsafe(24)}"
        file = EmuFile(file_id=file_id, file_unique_id=unique, kind=kind, **kwargs)
        self.files[file_id] = file
        return file

    def _photo_sizes(self, source: EmuUpload | str) -> list[dict[str, Any]]:
        if isinstance(source, str):
            known = self.files.get(source)
            if known is not None and known.kind == "photo":
                # reuse the sizes of the photo that file_id belongs to
                for chat in self.chats.values():
                    for message in chat.history:
                        if any(s["file_id"] == source for s in message.photo_sizes):
                            return copy.deepcopy(message.photo_sizes)
            content, name = None, None
            if not _is_url(source):
                if known is None and not _looks_like_file_id(source):
                    raise _bad("wrong file identifier/HTTP URL specified")
        else:
            if not source.content:
                raise _bad("file must be non-empty")
            content, name = source.content, source.filename
        sizes = []
        for width, height in ((90, 67), (320, 240), (800, 600)):
            file = self._new_file(
                "photo",
                file_name=name,
                content=content,
                mime_type="image/jpeg",
                width=width,
                height=height,
            )
            size: dict[str, Any] = {
                "file_id": file.file_id,
                "file_unique_id": file.file_unique_id,
                "width": width,
                "height": height,
            }
            if content is not None:
                size["file_size"] = len(content)
            sizes.append(size)
        return sizes

    def _document_file(self, source: EmuUpload | str) -> EmuFile:
        if isinstance(source, str):
            known = self.files.get(source)
            if known is not None:
                return known
            if _is_url(source):
                name = source.rstrip("/").rsplit("/", 1)[-1] or "file"
                return self._new_file(
                    "document",
                    file_name=name,
                    content=b"",
                    mime_type=mimetypes.guess_type(name)[0],
                )
            if not _looks_like_file_id(source):
                raise _bad("wrong file identifier/HTTP URL specified")
            file = EmuFile(source, source[-16:], "document", file_name="document", content=b"")
            self.files[source] = file
            return file
        if not source.content:
            raise _bad("file must be non-empty")
        mime = mimetypes.guess_type(source.filename)[0] or source.content_type
        return self._new_file(
            "document", file_name=source.filename, content=source.content, mime_type=mime
        )

    def _caption(self, params: _Params) -> tuple[str | None, list[dict[str, Any]]]:
        raw = params.get_str("caption")
        caption, entities = self._format(
            raw, params.get_str("parse_mode"), params.get_json("caption_entities")
        )
        if len(caption) > MAX_CAPTION_LENGTH:
            raise _bad("message caption is too long")
        return caption or None, entities

    async def _store_bot_message(self, chat: EmuChat, message: EmuMessage) -> dict[str, Any]:
        chat.history.append(message)
        await self._fire(self.on_bot_message, "new", message)
        return self.message_dict(message)

    async def _fire(self, hooks: list[HookFn], *args: Any) -> None:
        for hook in list(hooks):
            try:
                result = hook(*args)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("emulator hook %r failed", hook)

    def _new_bot_message(self, chat: EmuChat, params: _Params) -> EmuMessage:
        return EmuMessage(
            message_id=chat.new_message_id(),
            chat_id=chat.id,
            from_bot=True,
            date=int(time.time()),
            reply_to_message_id=self._reply_to(params),
            parse_mode=params.get_str("parse_mode"),
        )

    @staticmethod
    def _reply_to(params: _Params) -> int | None:
        reply = params.get_json("reply_parameters")
        if isinstance(reply, dict) and reply.get("message_id"):
            return int(reply["message_id"])
        return params.get_int("reply_to_message_id")

    def _touch(self, message: EmuMessage) -> None:
        message.edited += 1
        message.edit_date = int(time.time())

    @staticmethod
    def _scope_key(scope: Any) -> str:
        return json.dumps(scope or {"type": "default"}, sort_keys=True, separators=(",", ":"))

    # ---------------------------------------------------------------- API methods

    async def _api_get_me(self, params: _Params) -> dict[str, Any]:
        return {
            **self.bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _api_get_updates(self, params: _Params) -> list[dict[str, Any]]:
        if self.webhook.get("url"):
            raise BotAPIError(409, ERR_CONFLICT_WEBHOOK)
        offset = params.get_int("offset", 0) or 0
        limit = min(max(params.get_int("limit", 100) or 100, 1), 100)
        timeout = max(params.get_int("timeout", 0) or 0, 0)
        allowed = params.get_json("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()  # an older long poll still waiting gets 409
        self._confirm(offset)
        deadline = time.monotonic() + timeout
        while True:
            if generation != self._poll_generation:
                raise BotAPIError(409, ERR_CONFLICT_POLL)
            if self._updates or self._closing:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            event = self._update_event
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                pass
        return copy.deepcopy(self._updates[:limit])

    async def _api_set_webhook(self, params: _Params) -> bool:
        url = params.get_str("url") or ""
        if url and not url.startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        if params.get_bool("drop_pending_updates"):
            self._updates.clear()
        self.webhook = {
            "url": url,
            "allowed_updates": params.get_json("allowed_updates"),
            "secret_token": params.get_str("secret_token"),
            "max_connections": params.get_int("max_connections", 40),
        }
        return True

    async def _api_delete_webhook(self, params: _Params) -> bool:
        if params.get_bool("drop_pending_updates"):
            self._updates.clear()
        self.webhook = {}
        return True

    async def _api_get_webhook_info(self, params: _Params) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook.get("url"):
            info["max_connections"] = self.webhook.get("max_connections") or 40
            if self.webhook.get("allowed_updates"):
                info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    async def _api_log_out(self, params: _Params) -> bool:
        return True

    async def _api_close(self, params: _Params) -> bool:
        return True

    async def _api_send_message(self, params: _Params) -> dict[str, Any]:
        inline, other = self._parse_markup(params)
        raw = params.get_str("text")
        text, entities = self._format(
            raw, params.get_str("parse_mode"), params.get_json("entities")
        )
        if not text:
            raise _bad("message text is empty")
        chat = self._chat_for_send(params)
        if len(text) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
        message = self._new_bot_message(chat, params)
        message.text, message.html, message.entities = text, raw, entities
        message.reply_markup, message.reply_keyboard = inline, other
        return await self._store_bot_message(chat, message)

    async def _api_send_photo(self, params: _Params) -> dict[str, Any]:
        inline, other = self._parse_markup(params)
        caption, entities = self._caption(params)
        source = params.file("photo")
        if source is None:
            raise _bad("there is no photo in the request")
        chat = self._chat_for_send(params)
        sizes = self._photo_sizes(source)
        message = self._new_bot_message(chat, params)
        message.photo, message.photo_sizes = sizes[-1]["file_id"], sizes
        message.caption, message.caption_html = caption, params.get_str("caption")
        message.caption_entities = entities
        message.reply_markup, message.reply_keyboard = inline, other
        return await self._store_bot_message(chat, message)

    async def _api_send_document(self, params: _Params) -> dict[str, Any]:
        inline, other = self._parse_markup(params)
        caption, entities = self._caption(params)
        source = params.file("document")
        if source is None:
            raise _bad("there is no document in the request")
        chat = self._chat_for_send(params)
        file = self._document_file(source)
        message = self._new_bot_message(chat, params)
        message.document = (file.file_name or "document", file.content or b"")
        message.document_file_id, message.document_mime_type = file.file_id, file.mime_type
        message.caption, message.caption_html = caption, params.get_str("caption")
        message.caption_entities = entities
        message.reply_markup, message.reply_keyboard = inline, other
        return await self._store_bot_message(chat, message)

    async def _finish_edit(self, message: EmuMessage) -> dict[str, Any]:
        self._touch(message)
        await self._fire(self.on_bot_message, "edit", message)
        return self.message_dict(message)

    async def _api_edit_message_text(self, params: _Params) -> dict[str, Any]:
        inline, _ = self._parse_markup(params)
        raw = params.get_str("text")
        text, entities = self._format(
            raw, params.get_str("parse_mode"), params.get_json("entities")
        )
        if not text:
            raise _bad("message text is empty")
        message = self._message_for(params, "edit")
        if message.kind != "text":
            raise _bad("there is no text in the message to edit")
        if len(text) > MAX_TEXT_LENGTH:
            raise _bad("message is too long")
        if (text, entities, inline) == (message.text, message.entities, message.reply_markup):
            raise _bad(ERR_NOT_MODIFIED)
        message.text, message.html, message.entities = text, raw, entities
        message.parse_mode = params.get_str("parse_mode")
        message.reply_markup = inline
        return await self._finish_edit(message)

    async def _api_edit_message_caption(self, params: _Params) -> dict[str, Any]:
        inline, _ = self._parse_markup(params)
        caption, entities = self._caption(params)
        message = self._message_for(params, "edit")
        if message.kind == "text":
            raise _bad("there is no caption in the message to edit")
        current = (message.caption, message.caption_entities, message.reply_markup)
        if (caption, entities, inline) == current:
            raise _bad(ERR_NOT_MODIFIED)
        message.caption, message.caption_html = caption, params.get_str("caption")
        message.caption_entities = entities
        message.reply_markup = inline
        return await self._finish_edit(message)

    async def _api_edit_message_reply_markup(self, params: _Params) -> dict[str, Any]:
        inline, _ = self._parse_markup(params)
        message = self._message_for(params, "edit")
        if inline == message.reply_markup:
            raise _bad(ERR_NOT_MODIFIED)
        message.reply_markup = inline
        return await self._finish_edit(message)

    async def _api_edit_message_media(self, params: _Params) -> dict[str, Any]:
        inline, _ = self._parse_markup(params)
        media = params.get_json("media")
        if not isinstance(media, dict) or not isinstance(media.get("media"), str):
            raise _bad(_JSON_ERRORS["media"])
        kind = media.get("type")
        if kind not in ("photo", "document"):
            raise _bad(f"emulator supports only photo and document media, not {kind!r}")
        source = params.attachment(media["media"])
        caption, entities = self._format(
            media.get("caption"), media.get("parse_mode"), media.get("caption_entities")
        )
        if len(caption) > MAX_CAPTION_LENGTH:
            raise _bad("message caption is too long")
        message = self._message_for(params, "edit")
        if message.kind == "text":
            raise _bad("there is no media in the message to edit")
        if (
            isinstance(source, str)
            and source in (message.photo, message.document_file_id)
            and (caption or None, entities, inline)
            == (message.caption, message.caption_entities, message.reply_markup)
        ):
            raise _bad(ERR_NOT_MODIFIED)
        if kind == "photo":
            sizes = self._photo_sizes(source)
            message.photo, message.photo_sizes = sizes[-1]["file_id"], sizes
            message.document = message.document_file_id = message.document_mime_type = None
        else:
            file = self._document_file(source)
            message.document = (file.file_name or "document", file.content or b"")
            message.document_file_id, message.document_mime_type = file.file_id, file.mime_type
            message.photo, message.photo_sizes = None, []
        message.caption, message.caption_html = caption or None, media.get("caption")
        message.caption_entities = entities
        message.reply_markup = inline
        return await self._finish_edit(message)

    async def _api_delete_message(self, params: _Params) -> bool:
        message = self._message_for(params, "delete")
        message.deleted = True
        await self._fire(self.on_bot_message, "delete", message)
        return True

    async def _api_delete_messages(self, params: _Params) -> bool:
        ids = params.get_json("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise _bad("message identifiers are not specified")
        for message_id in ids:
            sub = _Params({**params.data, "message_id": message_id}, params.files)
            try:
                await self._api_delete_message(sub)
            except BotAPIError as exc:
                if exc.error_code != 400:
                    raise
        return True

    async def _api_answer_callback_query(self, params: _Params) -> bool:
        query_id = params.get_str("callback_query_id") or ""
        query = self.callback_queries.get(query_id)
        if query is None or query.answered or time.monotonic() - query.created > CALLBACK_QUERY_TTL:
            raise _bad(ERR_QUERY_TOO_OLD)
        text = params.get_str("text")
        if text and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad("MESSAGE_TOO_LONG")
        query.answered = True
        answer = {
            "text": text,
            "show_alert": params.get_bool("show_alert"),
            "url": params.get_str("url"),
            "cache_time": params.get_int("cache_time", 0),
            "user_id": query.user_id,
            "chat_id": query.chat_id,
            "message_id": query.message_id,
            "data": query.data,
        }
        self.callback_answers[query_id] = answer
        await self._fire(self.on_callback_answer, query_id, answer)
        return True

    def _commands_key(self, params: _Params) -> tuple[str, str]:
        scope = params.get_json("scope")
        if scope is not None:
            if not isinstance(scope, dict) or scope.get("type") not in _COMMAND_SCOPES:
                raise _bad("unsupported bot command scope type")
        language = params.get_str("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise _bad("invalid language code specified")
        return self._scope_key(scope), language

    async def _api_set_my_commands(self, params: _Params) -> bool:
        commands = params.get_json("commands")
        if commands is None:
            commands = []
        if not isinstance(commands, list):
            raise _bad(_JSON_ERRORS["commands"])
        if len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        cleaned = []
        for item in commands:
            if not isinstance(item, dict):
                raise _bad("BOT_COMMAND_INVALID")
            command, description = item.get("command"), item.get("description")
            if not isinstance(command, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", command):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": command, "description": description})
        key = self._commands_key(params)
        if cleaned:
            self.commands[key] = cleaned
        else:
            self.commands.pop(key, None)
        return True

    async def _api_get_my_commands(self, params: _Params) -> list[dict[str, str]]:
        return copy.deepcopy(self.commands.get(self._commands_key(params), []))

    async def _api_delete_my_commands(self, params: _Params) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    async def _api_set_chat_menu_button(self, params: _Params) -> bool:
        chat_id = params.get_int("chat_id", error="chat not found")
        if chat_id is not None and chat_id not in self.chats:
            raise _bad("chat not found")
        button = params.get_json("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise _bad("unsupported menu button type")
        self.menu_buttons[chat_id] = button
        return True

    async def _api_get_chat_menu_button(self, params: _Params) -> dict[str, Any]:
        chat_id = params.get_int("chat_id", error="chat not found")
        button = self.menu_buttons.get(chat_id) or self.menu_buttons.get(None)
        if not button or button.get("type") == "default":
            return {"type": "commands"}
        return copy.deepcopy(button)

    async def _api_send_chat_action(self, params: _Params) -> bool:
        action = params.get_str("action")
        if action not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        chat = self._chat_for_send(params)
        self.chat_actions.append((chat.id, action, time.monotonic()))
        return True

    async def _api_get_chat(self, params: _Params) -> dict[str, Any]:
        chat = self.chats.get(params.get_int("chat_id", error="chat not found") or 0)
        if chat is None:
            raise _bad("chat not found")
        return {
            **chat.to_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _api_get_file(self, params: _Params) -> dict[str, Any]:
        file = self.files.get(params.get_str("file_id") or "")
        if file is None:
            raise _bad("invalid file_id")
        data: dict[str, Any] = {"file_id": file.file_id, "file_unique_id": file.file_unique_id}
        if file.content is not None:
            suffix = ""
            if file.file_name and "." in file.file_name:
                suffix = "." + file.file_name.rsplit(".", 1)[1]
            folder = "photos" if file.kind == "photo" else "documents"
            data["file_size"] = len(file.content)
            data["file_path"] = f"{folder}/{file.file_id}{suffix}"
        return data

    def _bot_text_get(self, kind: str, params: _Params) -> str:
        language = params.get_str("language_code") or ""
        return self.bot_texts.get((kind, language)) or self.bot_texts.get((kind, ""), "")

    def _bot_text_set(self, kind: str, params: _Params, limit: int) -> bool:
        value = params.get_str(kind) or ""
        if len(value) > limit:
            raise _bad(f"bot {kind.replace('_', ' ')} is too long")
        self.bot_texts[(kind, params.get_str("language_code") or "")] = value
        return True

    async def _api_set_my_name(self, params: _Params) -> bool:
        return self._bot_text_set("name", params, 64)

    async def _api_get_my_name(self, params: _Params) -> dict[str, str]:
        return {"name": self._bot_text_get("name", params) or self.bot_first_name}

    async def _api_set_my_description(self, params: _Params) -> bool:
        return self._bot_text_set("description", params, 512)

    async def _api_get_my_description(self, params: _Params) -> dict[str, str]:
        return {"description": self._bot_text_get("description", params)}

    async def _api_set_my_short_description(self, params: _Params) -> bool:
        return self._bot_text_set("short_description", params, 120)

    async def _api_get_my_short_description(self, params: _Params) -> dict[str, str]:
        return {"short_description": self._bot_text_get("short_description", params)}


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def _looks_like_file_id(value: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9_\-]{16,}", value))


def _valid_button_url(url: Any) -> bool:
    if not isinstance(url, str) or not url or any(c.isspace() for c in url):
        return False
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "http", url
    scheme = scheme.lower()
    if scheme not in ("http", "https", "tg", "ton") or not rest:
        return False
    host = rest.split("/", 1)[0].split("?", 1)[0]
    return scheme == "tg" or "." in host or host.split(":", 1)[0] == "localhost"
