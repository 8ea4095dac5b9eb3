"""A Bot API in the process: requests are serialised as the real HTTP session serialises them
and answered at once, so a bench measures the bot and not a server (nor a server's CPU in the
bot's own event loop).

Bare aiogram and the project's dispatcher are measured through the same session class."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.methods import (
    EditMessageCaption,
    EditMessageMedia,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.types import (
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    Message,
    PhotoSize,
    Update,
)
from aiogram.types import User as TgUser

BOT_USER = TgUser(id=1, is_bot=True, first_name="Bench", username="bench_bot")
TOKEN = "123456:BENCH"


class FakeSession(BaseSession):
    """Answers every method at once with what Telegram would return; remembers the last message
    the bot showed each chat (text and keyboard), which is what a user taps next."""

    def __init__(self) -> None:
        super().__init__()
        self.ids = itertools.count(1_000_000)
        self.last: dict[int, Message] = {}
        self.calls: Counter[str] = Counter()
        self.sent_texts: list[str] = []  # the texts (and captions) sent, for a bench to check

    async def close(self) -> None:
        return None

    async def stream_content(self, *args: Any, **kwargs: Any):  # noqa: ANN201
        raise NotImplementedError

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> Any:
        files: dict[str, Any] = {}
        for value in method.model_dump(warnings=False).values():  # as the HTTP session does
            self.prepare_value(value, bot=bot, files=files)
        self.calls[type(method).__name__] += 1
        if isinstance(method, GetMe):
            return BOT_USER
        if isinstance(method, SendMessage | SendPhoto | SendDocument):
            return self._message(method, next(self.ids))
        if isinstance(
            method, EditMessageText | EditMessageCaption | EditMessageMedia | EditMessageReplyMarkup
        ):
            return self._message(method, method.message_id or 0)
        return True

    def _message(self, method: Any, message_id: int) -> Message:
        chat_id = int(method.chat_id)
        text = getattr(method, "text", None)
        caption = getattr(method, "caption", None)
        previous = self.last.get(chat_id)
        if isinstance(method, EditMessageReplyMarkup) and previous is not None:
            text, caption = previous.text, previous.caption
        markup = (
            method.reply_markup if isinstance(method.reply_markup, InlineKeyboardMarkup) else None
        )
        photo = [PhotoSize(file_id="p", file_unique_id="p", width=1, height=1)]
        message = Message(
            message_id=message_id,
            date=datetime.now(UTC),
            chat=Chat(id=chat_id, type="private"),
            from_user=BOT_USER,
            text=text,
            caption=caption,
            photo=photo if caption is not None else None,
            reply_markup=markup,
        )
        self.last[chat_id] = message
        self.sent_texts.append(text or caption or "")
        return message


def fake_bot() -> Bot:
    from bot.middlewares import record_callback_answers

    bot = Bot(TOKEN, session=FakeSession(), default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    record_callback_answers(bot)
    return bot


class Updates:
    """Telegram's updates for scripted users, numbered as Telegram numbers them."""

    def __init__(self) -> None:
        self.ids = itertools.count(1)
        self.message_ids = itertools.count(1)

    def text(self, user: TgUser, text: str) -> Update:
        return Update(
            update_id=next(self.ids),
            message=Message(
                message_id=next(self.message_ids),
                date=datetime.now(UTC),
                chat=Chat(id=user.id, type="private"),
                from_user=user,
                text=text,
            ),
        )

    def tap(self, user: TgUser, message: Message, data: str) -> Update:
        return Update(
            update_id=next(self.ids),
            callback_query=CallbackQuery(
                id=f"cb{next(self.ids)}",
                from_user=user,
                chat_instance=str(user.id),
                message=message,
                data=data,
            ),
        )

    def again(self, update: Update) -> Update:
        """The same update under a new id (a replay for another dispatcher)."""
        return update.model_copy(update={"update_id": next(self.ids)})
