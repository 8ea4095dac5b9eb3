"""Messages: sending, editing and deleting them (with text/markup validation), chat actions,
and the Bot API Message object of a stored message."""

from __future__ import annotations

import copy
import time
from typing import Any

from bot.sandbox.emulator.entities import HtmlParseError, _trim, parse_html
from bot.sandbox.emulator.errors import (
    _JSON_ERRORS,
    ERR_BLOCKED,
    ERR_CANT_INITIATE,
    ERR_NOT_MODIFIED,
    MAX_CALLBACK_DATA_BYTES,
    MAX_CAPTION_LENGTH,
    MAX_INLINE_BUTTONS,
    MAX_TEXT_LENGTH,
    BotAPIError,
    _bad,
)
from bot.sandbox.emulator.files import FilesMixin
from bot.sandbox.emulator.params import _Params
from bot.sandbox.emulator.state import _BUTTON_ACTIONS, EmuChat, EmuMessage

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


class MessagesMixin(FilesMixin):
    """sendMessage/Photo/Document, editMessage*, deleteMessage(s), sendChatAction."""

    # ---------------------------------------------------------------- serialisation

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
        if message.invoice is not None:
            data["invoice"] = message.invoice.to_dict()
            if message.invoice.protect_content:
                data["has_protected_content"] = True
        if message.successful_payment is not None:
            data["successful_payment"] = copy.deepcopy(message.successful_payment)
        if message.reply_markup:
            data["reply_markup"] = copy.deepcopy(message.reply_markup)
        return data

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

    # ---------------------------------------------------------------- API methods

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
        if message.kind in ("text", "invoice"):
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
        if message.invoice is not None:
            _check_pay_button(inline)
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
        if message.kind in ("text", "invoice"):
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

    async def _api_send_chat_action(self, params: _Params) -> bool:
        action = params.get_str("action")
        if action not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        chat = self._chat_for_send(params)
        self.chat_actions.append((chat.id, action, time.monotonic()))
        return True


def _check_pay_button(inline: dict[str, Any] | None) -> None:
    """An invoice's own keyboard must start with its Pay button (none: Telegram adds one)."""
    if inline is None:
        return
    rows = inline.get("inline_keyboard") or [[]]
    first = rows[0][0] if rows[0] else None
    if first is None or first.get("pay") is not True:
        raise _bad("REPLY_MARKUP_BUY_EMPTY")


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
