"""Update-level middlewares: one DB session per update, the user's row, and their locale."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.types import TelegramObject
from aiogram.types import User as TgUser
from aiogram.utils.i18n import I18n, I18nMiddleware
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.locales import user_locale
from models import User
from services.users import sync_user
from ui.context import RenderContext, use_context

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
log = logging.getLogger(__name__)


async def tell(event: TelegramObject, text: str, *, alert: bool) -> None:
    """Answer a refused update: a callback with a toast (or an alert), a message with a message."""
    from aiogram.types import CallbackQuery, Message

    if isinstance(event, CallbackQuery):
        await event.answer(text, show_alert=alert)
    elif isinstance(event, Message):
        await event.answer(text)


class PrivateChatsOnly(BaseMiddleware):
    """The bot talks to people one to one: in a group it would answer every message as a search.
    Updates from groups and channels are ignored."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        chat = data.get("event_chat")
        if chat is not None and chat.type != "private":
            return None
        return await handler(event, data)


class DbSessionMiddleware(BaseMiddleware):
    """Opens one session per update. Handlers commit where their use-case completes."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        session = self.session_factory()
        try:
            data["session"] = session
            claim = data.get("update_claim")
            if claim is not None:  # its first write claims the update (services.updates)
                from services.updates import attach

                attach(session, claim)
            try:
                return await handler(event, data)
            finally:
                # notifications were queued: send them now rather than at the sender's next poll
                sender = data.get("sender")
                if session.sync_session.info.pop("outbox_added", False) and sender is not None:
                    sender.wake()
                # a deadline was set (a group opened or extended): the scheduler's wake-up is
                # moved to it if it comes first
                deadline = session.sync_session.info.pop("deadline_set", None)
                deadlines = data.get("deadlines")
                if deadline is not None and deadlines is not None:
                    deadlines.schedule(deadline)
        finally:
            # a session that began no transaction (everything came from memory) holds no
            # connection: closing it would only cost a trip through the greenlet
            if session.in_transaction():
                await session.close()


class UserMiddleware(BaseMiddleware):
    """Loads the sender's row, creating it on first contact (the only write it ever makes besides
    keeping name, username and language code current when Telegram reports a change).

    The row handed to handlers is detached from the update's session: a use-case that refuses and
    rolls the session back would otherwise expire it, and the handler could no longer read the
    user's language to say why. Handlers write a changed profile back with `users.save`."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        tg_user: TgUser | None = data.get("event_from_user")
        session: AsyncSession | None = data.get("session")
        if tg_user is not None and session is not None and not tg_user.is_bot:
            user = await load_user(session, tg_user)
            data["user"] = user
            settings = data.get("settings")
            # the role comes from the database row read for this very update (or ADMIN_IDS,
            # permanent): never from a button's data or a username
            data["is_admin"] = bool(settings and settings.is_admin(tg_user.id)) or user.is_admin
            clock = data.get("clock")
            now = clock.now() if clock is not None else datetime.now(UTC)
            ctx = RenderContext.for_user(user, now, language_code=tg_user.language_code)
            data["ctx"] = ctx
            with use_context(ctx):
                return await handler(event, data)
        return await handler(event, data)


async def load_user(session: AsyncSession, tg_user: TgUser) -> User:
    return await sync_user(
        session,
        user_id=tg_user.id,
        first_name=tg_user.full_name,
        username=tg_user.username,
        language_code=tg_user.language_code,
    )


class SuspendedUsers(BaseMiddleware):
    """A user an admin suspended (/block) is told so, in their language, and nothing runs.
    After the user's row and render context (it words the reply in their language itself: the
    gettext locale is set per event, further in); admins can't be suspended."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("user")
        if user is None or not user.is_banned or data.get("is_admin"):
            return await handler(event, data)
        from aiogram.types import CallbackQuery, Message, PreCheckoutQuery, Update
        from aiogram.utils.i18n import gettext as _

        inner = event.event if isinstance(event, Update) else event
        # on the update, before the per-event locale middleware: the language is set here
        i18n: I18n = data["i18n"]
        ctx: RenderContext | None = data.get("ctx")
        with i18n.context(), i18n.use_locale(ctx.locale if ctx else i18n.default_locale):
            text = _("⛔ Your access to this bot has been suspended by its administrators.")
        if isinstance(inner, PreCheckoutQuery):  # refused, with the reason: nothing is charged
            await inner.answer(ok=False, error_message=text)
        elif isinstance(inner, CallbackQuery | Message):
            await tell(inner, text, alert=True)
        return None


class ThrottlingMiddleware(BaseMiddleware):
    """Flood protection per user: a token bucket of `burst` updates refilled at `per_second`.
    Over the limit, updates are dropped; the user is told once per burst (localised)."""

    def __init__(self, burst: int, per_second: float) -> None:
        self.burst = burst
        self.per_second = per_second
        self._buckets: dict[int, tuple[float, float, bool]] = {}

    def allow(self, user_id: int, now: float) -> tuple[bool, bool]:
        """(allowed, tell the user) for one update at monotonic time `now`."""
        tokens, last, told = self._buckets.get(user_id, (float(self.burst), now, False))
        tokens = min(float(self.burst), tokens + (now - last) * self.per_second)
        if tokens >= 1:
            self._buckets[user_id] = (tokens - 1, now, False)
            return True, False
        self._buckets[user_id] = (tokens, now, True)
        if len(self._buckets) > 100_000:  # forget idle users now and then
            self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < 60}
        return False, not told

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        tg_user: TgUser | None = data.get("event_from_user")
        if tg_user is None or self.burst <= 0:
            return await handler(event, data)
        allowed, notify = self.allow(tg_user.id, time.monotonic())
        if allowed:
            return await handler(event, data)
        if notify:
            from aiogram.utils.i18n import gettext as _

            await tell(event, _("You are going too fast. Please wait a few seconds."), alert=False)
        return None


class CommandsLeaveDialogs(BaseMiddleware):
    """A command typed in the middle of a dialog (a quantity, a city, the steps of /gb_new)
    leaves the dialog and runs, as users expect. A few commands are meant for use inside a
    dialog and keep it."""

    KEEP = frozenset({"cancel", "help", "gb_products", "timezone"})

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        from aiogram.types import Message

        state = data.get("state")
        if isinstance(event, Message) and event.text and event.text.startswith("/") and state:
            words = event.text[1:].split(maxsplit=1)
            command = words[0].split("@")[0].lower() if words else ""
            if command not in self.KEEP and await state.get_state() is not None:
                await state.set_state(None)
        return await handler(event, data)


class UserLocaleMiddleware(I18nMiddleware):
    """The locale the user chose, else the one their Telegram language code maps to."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        ctx: RenderContext | None = data.get("ctx")
        if ctx is not None:
            return ctx.locale
        tg_user: TgUser | None = data.get("event_from_user")
        return user_locale(None, tg_user.language_code if tg_user else None)


class CallbackReply:
    """Whether the callback query of the update being handled was answered."""

    def __init__(self, callback_id: str) -> None:
        self.callback_id = callback_id
        self.answered = False


_callback_reply: ContextVar[CallbackReply | None] = ContextVar("callback_reply", default=None)


class RecordCallbackAnswers(BaseRequestMiddleware):
    """On the bot's session: notes every answerCallbackQuery the handlers send, so the update
    middleware knows whether the tap still needs its answer."""

    async def __call__(self, make_request, bot, method):  # noqa: ANN001, ANN204
        from aiogram.exceptions import TelegramBadRequest
        from aiogram.methods import AnswerCallbackQuery

        if not isinstance(method, AnswerCallbackQuery):
            return await make_request(bot, method)
        reply = _callback_reply.get()
        if reply is not None and reply.callback_id == method.callback_query_id:
            reply.answered = True  # one attempt only: Telegram refuses a second answer
        try:
            return await make_request(bot, method)
        except TelegramBadRequest as error:
            # too late to answer (the tap waited too long): what the handler did still stands,
            # and the rest of it (editing the screen) should still happen
            log.info("callback %s could not be answered: %s", method.callback_query_id, error)
            return True


def record_callback_answers(bot: Bot) -> None:
    """Install the recorder on a bot's session (once)."""
    if not getattr(bot.session, "_records_callback_answers", False):
        bot.session.middleware(RecordCallbackAnswers())
        bot.session._records_callback_answers = True  # type: ignore[attr-defined]


class AnswerEveryCallback(BaseMiddleware):
    """Every tap is answered exactly once, so the client's spinner always stops: whatever the
    handler did not answer is answered (silently) when it returns. When it raises, the error
    handler answers instead, with an apology (it finds this update's `callback_reply`)."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        from aiogram.types import Update

        callback = event.callback_query if isinstance(event, Update) else None
        if callback is None:
            return await handler(event, data)
        bot: Bot = data["bot"]
        record_callback_answers(bot)
        reply = data["callback_reply"] = CallbackReply(callback.id)
        token = _callback_reply.set(reply)
        try:
            result = await handler(event, data)
            if not reply.answered:
                await answer_quietly(bot, reply)
            return result
        finally:
            _callback_reply.reset(token)


async def answer_quietly(bot: Bot, reply: CallbackReply, text: str | None = None) -> None:
    from aiogram.exceptions import TelegramAPIError

    reply.answered = True
    try:
        await bot.answer_callback_query(reply.callback_id, text=text, show_alert=bool(text))
    except TelegramAPIError as error:  # too old to answer: nothing left to stop
        log.info("callback %s not answered: %s", reply.callback_id, error)


class ScreenDialogs(BaseMiddleware):
    """Dialog states that belong to one screen (the quantity picker): pressing a button of any
    other screen leaves them, so a number typed later is not taken for a screen long gone.
    `screens` maps such a state to the callback prefixes of its own buttons."""

    def __init__(self, screens: dict[str, frozenset[str]]) -> None:
        self.screens = screens

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        from aiogram.types import CallbackQuery

        state = data.get("state")
        if isinstance(event, CallbackQuery) and state is not None:
            current = await state.get_state()
            prefixes = self.screens.get(current) if current else None
            if prefixes is not None and (event.data or "").split(":", 1)[0] not in prefixes:
                await state.set_state(None)
                data["raw_state"] = None
        return await handler(event, data)


class StripNul(BaseMiddleware):
    """U+0000 never gets past the edge: PostgreSQL refuses it in text, so one NUL in a message, a
    caption or a button's data would break every reply to that user. It is removed."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        from aiogram.types import CallbackQuery, Message

        if isinstance(event, Message):
            changes = {
                field: value.replace("\x00", "")
                for field in ("text", "caption")
                if (value := getattr(event, field)) and "\x00" in value
            }
            if changes:
                event = event.model_copy(update=changes)
        elif isinstance(event, CallbackQuery) and event.data and "\x00" in event.data:
            event = event.model_copy(update={"data": event.data.replace("\x00", "")})
        return await handler(event, data)


class UpdateOutcome:
    """Whether the update being handled failed (the errors router says so)."""

    def __init__(self) -> None:
        self.failed = False


update_outcome: ContextVar[UpdateOutcome | None] = ContextVar("update_outcome", default=None)


class ProcessOnce(BaseMiddleware):
    """A redelivered update (same update_id) is handled once by all workers together.

    What an update changes is guarded in the database: its id is claimed in its first write
    transaction (see services.updates), so an update that only reads costs no statement, and a
    second delivery that reaches a write is dropped there (`AlreadyHandled`) with nothing
    changed. Before that, a delivery is skipped outright when this worker saw the id recently,
    or, with Redis, when another worker took it. A failed update is let go again everywhere, so
    Telegram's next delivery is handled."""

    RECENT = 100_000  # ids remembered in this process (Telegram redelivers within 24 hours)
    REDIS_TTL_SECONDS = 2 * 24 * 3600

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], redis: Any = None
    ) -> None:
        self.session_factory = session_factory
        self.redis = redis
        self._recent: dict[int, None] = {}  # insertion-ordered: the oldest are forgotten first

    async def _take(self, update_id: int) -> bool:
        if update_id in self._recent:
            return False
        if self.redis is not None and not await self.redis.set(
            f"qt:update:{update_id}", 1, nx=True, ex=self.REDIS_TTL_SECONDS
        ):
            return False
        self._recent[update_id] = None
        if len(self._recent) > self.RECENT:
            for old in list(self._recent)[: self.RECENT // 10]:
                del self._recent[old]
        return True

    async def _let_go(self, claim: Any) -> None:
        from services import updates

        self._recent.pop(claim.update_id, None)
        if self.redis is not None:
            await self.redis.delete(f"qt:update:{claim.update_id}")
        if claim.held:
            from services.tx import begin_write

            async with self.session_factory() as session:
                await begin_write(session)
                await updates.release(session, update_id=claim.update_id)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        from aiogram.types import Update

        from services import updates

        if not isinstance(event, Update):
            return await handler(event, data)
        if not await self._take(event.update_id):
            log.info("update %s was already handled: skipped", event.update_id)
            return None
        clock = data.get("clock")
        now = clock.now() if clock is not None else datetime.now(UTC)
        claim = data["update_claim"] = updates.Claim(event.update_id, now)
        update_outcome.set(UpdateOutcome())  # the webhook reads it once the update is done
        try:
            return await handler(event, data)
        except updates.AlreadyHandled:
            log.info("update %s was handled by another delivery: dropped", event.update_id)
            return None
        except BaseException:
            # failed (the errors router answers the user) or cut off: a redelivery is handled
            await self._let_go(claim)
            raise


class BoundedHandling(BaseMiddleware):
    """At most `limit` updates are handled at once, whatever delivers them (polling starts a
    task per update, a webhook a request each): under a flood they queue here, first come first
    served, instead of all waiting for the few database connections there are and failing on
    the pool's timeout. The bot slows down; it does not fail."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._slots: asyncio.Semaphore | None = None
        self.in_flight = 0
        self._idle: asyncio.Event | None = None

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        self.in_flight += 1
        try:
            if self.limit <= 0:
                return await handler(event, data)
            if self._slots is None:
                self._slots = asyncio.Semaphore(self.limit)
            async with self._slots:
                return await handler(event, data)
        finally:
            self.in_flight -= 1
            if self.in_flight == 0 and self._idle is not None:
                self._idle.set()

    async def drained(self, within: float) -> int:
        """Wait (at most `within` seconds) for the updates being handled; returns how many
        were still running at the start."""
        running = self.in_flight
        if running:
            self._idle = asyncio.Event()
            try:
                async with asyncio.timeout(within):
                    await self._idle.wait()
            except TimeoutError:
                log.warning("%s updates still running after %s s", self.in_flight, within)
        return running


class RedisHealth:
    """Whether Redis answers, checked every `every` seconds by `watch()`; `up` is an event the
    gate waits on. The transitions are logged."""

    def __init__(self, ping: Callable[[], Awaitable[Any]], every: float = 2.0) -> None:
        self.ping = ping
        self.every = every
        self.up = asyncio.Event()
        self.up.set()

    async def check(self) -> bool:
        try:
            await asyncio.wait_for(self.ping(), timeout=self.every * 2)
        except Exception as error:  # noqa: BLE001 - any failure means "not there"
            if self.up.is_set():
                log.error("Redis unreachable (%s): updates wait until it is back", error)
            self.up.clear()
            return False
        if not self.up.is_set():
            log.warning("Redis is back: updates are handled again")
        self.up.set()
        return True

    async def watch(self) -> None:
        while True:
            await self.check()
            await asyncio.sleep(self.every)


class RedisGate(BaseMiddleware):
    """With REDIS_URL, the FSM state lives in Redis: while it is unreachable no update is
    handled (each would fail); they wait until it is back, and polling stops fetching more once
    its task limit is reached."""

    def __init__(self, health: RedisHealth) -> None:
        self.health = health

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not self.health.up.is_set():
            await self.health.up.wait()
        return await handler(event, data)
