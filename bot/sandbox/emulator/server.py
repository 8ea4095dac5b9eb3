""":class:`BotAPIEmulator`: the HTTP server and request dispatch, lifecycle, inspection, fault
injection and the users' side (messages, button presses, blocking). The Bot API methods
themselves are in the mixins it inherits."""

from __future__ import annotations

import asyncio
import html
import mimetypes
import re
import secrets
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.sandbox.emulator.base import HookFn, log
from bot.sandbox.emulator.entities import detect_entities
from bot.sandbox.emulator.errors import (
    DEFAULT_DESCRIPTIONS,
    MAX_UPLOAD_BYTES,
    PRE_CHECKOUT_QUERY_TTL,
    BotAPIError,
    _bad,
)
from bot.sandbox.emulator.params import _Params
from bot.sandbox.emulator.payments import PaymentsMixin
from bot.sandbox.emulator.settings import SettingsMixin
from bot.sandbox.emulator.state import (
    EmuCallbackQuery,
    EmuChat,
    EmuFault,
    EmuFile,
    EmuMessage,
    EmuPreCheckoutQuery,
    EmuRequest,
    EmuUpload,
    EmuUser,
    button_kind,
)


class BotAPIEmulator(PaymentsMixin, SettingsMixin):
    """Telegram Bot API emulator; see the ``bot.sandbox.emulator`` package docstring."""

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
        self.pre_checkout_queries: dict[str, EmuPreCheckoutQuery] = {}
        # seconds the bot has to answer a pre-checkout query (None: no limit)
        self.pre_checkout_timeout: float | None = PRE_CHECKOUT_QUERY_TTL
        self.on_pre_checkout_answer: list[HookFn] = []  # fn(EmuPreCheckoutQuery), once answered

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
        self._charge_counter = 0
        # charge ids stay unique across runs of the sandbox against the same database
        self._instance_tag = secrets.token_hex(3)
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
            "sendInvoice",
            "answerPreCheckoutQuery",
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
        return self._from_user(
            user, text=text, html=html.escape(text, quote=False), entities=detect_entities(text),
            reply_to_message_id=reply_to_message_id,
        )  # fmt: skip

    def send_document(
        self, user: EmuUser, filename: str, content: bytes, *, caption: str | None = None
    ) -> dict[str, Any]:
        """The user sends a file to the bot (the bot can getFile and download it); returns the
        Message dict of the update."""
        if not content:
            raise ValueError("a Telegram document can't be empty")
        mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        file = self._new_file("document", file_name=filename, content=content, mime_type=mime)
        return self._from_user(
            user, caption=caption,
            caption_html=html.escape(caption, quote=False) if caption else None,
            document=(filename, content), document_file_id=file.file_id,
            document_mime_type=mime,
        )  # fmt: skip

    def send_photo(
        self, user: EmuUser, content: bytes, *, caption: str | None = None,
        filename: str = "photo.jpg",
    ) -> dict[str, Any]:  # fmt: skip
        """The user sends a photo (Telegram makes its sizes; the bot gets their file_ids, the
        largest last); returns the Message dict of the update."""
        sizes = self._photo_sizes(EmuUpload(filename, content, "image/jpeg"))
        return self._from_user(
            user, caption=caption,
            caption_html=html.escape(caption, quote=False) if caption else None,
            caption_entities=detect_entities(caption) if caption else [],
            photo=sizes[-1]["file_id"], photo_sizes=sizes,
        )  # fmt: skip

    def _from_user(self, user: EmuUser, **fields: Any) -> dict[str, Any]:
        """A message from the user into their chat, queued as an update."""
        chat = self.register(user)
        if chat.blocked:  # a user can only write after "Restart", which unblocks the bot
            self.unblock(user)
        chat.started = True
        message = EmuMessage(
            message_id=chat.new_message_id(), chat_id=chat.id, from_bot=False, from_user=user,
            date=int(time.time()), **fields,
        )  # fmt: skip
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
        """Press the ``index``-th (0-based, row-major) inline button of a message. Returns the
        callback query id, or for an invoice's Pay button the pre-checkout query id."""
        message = self.message(user.id, message_id)
        if message is None or message.deleted:
            raise LookupError(f"no message #{message_id} in chat {user.id}")
        buttons = message.inline_buttons
        if not 0 <= index < len(buttons):
            raise IndexError(f"message #{message_id} has {len(buttons)} inline button(s)")
        button = buttons[index]
        if button_kind(button) == "pay" and message.invoice is not None:
            return self.pay(user, message)
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
