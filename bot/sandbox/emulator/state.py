"""The emulator's model: users, chats, messages, files, callback queries, invoices and
pre-checkout queries, faults, logged calls."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any, NamedTuple

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
class EmuInvoice:
    """What ``sendInvoice`` put on a message: what the user pays, and for what.

    ``charge_id`` is set once the user has paid it (Telegram then shows a receipt instead of the
    Pay button, so the same invoice message is not paid twice)."""

    title: str
    description: str
    payload: str
    currency: str
    prices: list[dict[str, Any]]  # [{"label": str, "amount": int}], as sent
    total_amount: int
    provider_token: str = ""
    start_parameter: str = ""
    photo_url: str | None = None
    need_name: bool = False
    need_phone_number: bool = False
    need_email: bool = False
    need_shipping_address: bool = False
    is_flexible: bool = False
    max_tip_amount: int = 0
    suggested_tip_amounts: list[int] = field(default_factory=list)
    protect_content: bool = False
    charge_id: str | None = None  # telegram_payment_charge_id, once paid

    @property
    def paid(self) -> bool:
        return self.charge_id is not None

    def to_dict(self) -> dict[str, Any]:
        """The Bot API ``Invoice`` object."""
        return {
            "title": self.title,
            "description": self.description,
            "start_parameter": self.start_parameter,
            "currency": self.currency,
            "total_amount": self.total_amount,
        }


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
    invoice: EmuInvoice | None = None  # a bot's sendInvoice
    successful_payment: dict[str, Any] | None = None  # a user's payment (a service message)
    edited: int = 0
    edit_date: int | None = None
    deleted: bool = False

    @property
    def kind(self) -> str:
        if self.invoice is not None:
            return "invoice"
        if self.successful_payment is not None:
            return "successful_payment"
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
class EmuPreCheckoutQuery:
    """A user confirmed paying an invoice; the bot has ``pre_checkout_timeout`` seconds to answer.

    After the answer: ``ok`` and ``error_message`` (the refusal the user was shown), and when
    accepted the ``successful_payment`` object and the ``update`` that carried it (keep it to
    deliver it again, see ``BotAPIEmulator.redeliver``)."""

    id: str
    from_user: EmuUser
    chat_id: int
    message_id: int  # the invoice message
    currency: str
    total_amount: int
    invoice_payload: str
    created: float  # time.monotonic()
    order_info: dict[str, Any] | None = None  # what the invoice's need_* flags asked for
    delivered: bool = True  # False: the bot's allowed_updates left pre_checkout_query out
    answered: bool = False
    ok: bool | None = None
    error_message: str | None = None
    successful_payment: dict[str, Any] | None = None
    payment_message_id: int | None = None  # the user's successful_payment message
    update: dict[str, Any] | None = None  # the update that delivered it

    @property
    def user_id(self) -> int:
        return self.from_user.id

    @property
    def charge_id(self) -> str | None:
        if self.successful_payment is None:
            return None
        return str(self.successful_payment["telegram_payment_charge_id"])


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
