"""Drive the real bot through its aiogram HTTP client against the project's Bot API emulator.

Users act on the emulator (it queues updates as Telegram would); `process()` fetches them with
getUpdates over HTTP and feeds them to the dispatcher, so every reply travels back over HTTP too.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import create_bot
from bot.dispatcher import create_dispatcher
from bot.sandbox.emulator import BotAPIEmulator, EmuMessage, EmuUser
from bot.scheduler import BroadcastProgress, Deadlines
from bot.sender import OutboxSender
from core.clock import FrozenClock
from core.config import Settings

_ids = itertools.count(5000)


@dataclass
class PayResult:
    """What came of a user paying an invoice (`Harness.pay`).

    `answered`: the bot answered the pre-checkout query at all (Telegram fails the payment
    otherwise); `ok`: it accepted, and the payment went through; `error_message`: its refusal, as
    the user was shown it. When paid: `successful_payment` (currency, total_amount,
    invoice_payload, telegram_payment_charge_id, provider_payment_charge_id), the user's
    `message` carrying it, and the `update` that delivered it (for `Harness.redeliver`)."""

    query_id: str
    answered: bool
    ok: bool
    error_message: str | None
    successful_payment: dict[str, Any] | None
    message: EmuMessage | None
    update: dict[str, Any] | None

    @property
    def charge_id(self) -> str | None:
        payment = self.successful_payment
        return None if payment is None else str(payment["telegram_payment_charge_id"])


class Harness:
    def __init__(
        self,
        *,
        settings: Settings,
        session_factory: async_sessionmaker[AsyncSession],
        i18n: I18n,
        clock: FrozenClock | None = None,
    ) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.i18n = i18n
        self.clock = clock or FrozenClock()
        self.emulator = BotAPIEmulator(token=settings.token)
        self.bot: Bot
        self.dp: Dispatcher
        self.offset = 0

    async def __aenter__(self) -> Harness:
        await self.emulator.start()
        self.bot = create_bot(self.settings.token or "", self.emulator.base_url)
        self.sender = OutboxSender(
            bot=self.bot,
            session_factory=self.session_factory,
            i18n=self.i18n,
            clock=self.clock,
            per_chat_interval=0.0,  # pacing has tests of its own; here it would only slow them
            rate=1000.0,
        )
        self.deadlines = Deadlines(
            session_factory=self.session_factory,
            clock=self.clock,
            remind_before=timedelta(hours=self.settings.reminder_hours),
        )
        self.dp = create_dispatcher(
            settings=self.settings,
            session_factory=self.session_factory,
            i18n=self.i18n,
            clock=self.clock,
            deadlines=self.deadlines,
            sender=self.sender,
        )
        self.broadcasts = BroadcastProgress(
            bot=self.bot, session_factory=self.session_factory, i18n=self.i18n, clock=self.clock,
            every=self.settings.broadcast_progress_seconds,
        )  # fmt: skip
        self.dp["broadcast_progress"] = self.broadcasts  # as bot.app.build_dispatcher does
        return self

    async def tick(self, advance: timedelta | None = None) -> None:
        """Move the clock, run the deadline pass, and deliver every queued notification."""
        if advance:
            self.clock.advance(advance)
        await self.deadlines.run_due()
        await self.deliver()

    async def broadcast_progress(self, advance: timedelta | None = None) -> int:
        """Move the clock, then one pass of the broadcasts' progress (what the leader runs every
        BROADCAST_PROGRESS_SECONDS): edits due progress messages, sends final reports."""
        if advance:
            self.clock.advance(advance)
        return await self.broadcasts.run()

    async def deliver(self) -> int:
        total = 0
        while handled := await self.sender.drain():
            total += handled
        return total

    async def __aexit__(self, *exc: object) -> None:
        await self.bot.session.close()
        await self.emulator.stop()

    # ── users ──
    def user(
        self,
        language_code: str | None = "en",
        first_name: str = "Test",
        user_id: int | None = None,
        username: str | None = None,
    ) -> EmuUser:
        return EmuUser(
            id=user_id or next(_ids),
            first_name=first_name,
            username=username,
            language_code=language_code,
        )

    async def process(self) -> int:
        """Fetch the queued updates over HTTP and handle each; returns how many.

        No allowed_updates is passed, so every default update type arrives, pre_checkout_query
        included (a poller passing dp.resolve_used_update_types() gets it when a handler for it
        is registered)."""
        handled = 0
        while True:
            updates = await self.bot.get_updates(offset=self.offset, timeout=0)
            if not updates:
                return handled
            for update in updates:
                self.offset = update.update_id + 1
                await self.dp.feed_update(self.bot, update)
                handled += 1

    async def send(self, user: EmuUser, text: str) -> EmuMessage | None:
        """The user sends text; returns the bot's newest message in the chat afterwards."""
        self.emulator.send_message(user, text)
        await self.process()
        return self.last(user)

    async def press(self, user: EmuUser, message: EmuMessage | int, data: str) -> dict[str, Any]:
        """Press a button by its callback data (forged data is allowed: no check that it is shown).
        Returns the callback answer (text, show_alert)."""
        message_id = message if isinstance(message, int) else message.message_id
        callback_id = self.emulator.press_button(user, message_id, data)
        await self.process()
        return self.emulator.callback_answers.get(callback_id, {})

    async def tap(
        self, user: EmuUser, label: str, message: EmuMessage | None = None
    ) -> dict[str, Any]:
        """Press the button whose text contains `label` on the bot's newest keyboard."""
        message = message or self.last_keyboard(user)
        assert message is not None, "no message with a keyboard"
        for row in message.buttons:
            for text, data in row:
                if label in text:
                    return await self.press(user, message, data)
        raise AssertionError(f"no button {label!r} in {message.buttons!r}")

    # ── payments ──
    async def pay(
        self,
        user: EmuUser,
        message: EmuMessage | int | None = None,
        *,
        order_info: dict[str, Any] | None = None,
    ) -> PayResult:
        """The user pays an invoice (default: their newest unpaid one) the whole way through the
        dispatcher: the pre_checkout_query is handled, and when the bot accepts it, the
        successful_payment message that follows too (both in this one `process()`)."""
        if message is None:
            unpaid = self.emulator.invoices(user.id, unpaid=True)
            assert unpaid, "no unpaid invoice in the chat"
            message = unpaid[-1]
        query_id = self.emulator.pay(user, message, order_info=order_info)
        await self.process()
        query = self.emulator.pre_checkout_queries[query_id]
        paid = None
        if query.payment_message_id is not None:
            paid = self.emulator.message(query.chat_id, query.payment_message_id)
        return PayResult(
            query_id=query_id,
            answered=query.answered,
            ok=bool(query.ok),
            error_message=query.error_message,
            successful_payment=query.successful_payment,
            message=paid,
            update=query.update,
        )

    async def redeliver(self, update: PayResult | dict[str, Any]) -> int:
        """Telegram delivers the same update again (the successful_payment of a `PayResult`, or
        any update dict): queued under a new update_id and processed. Returns how many updates
        were handled."""
        raw = update.update if isinstance(update, PayResult) else update
        assert raw is not None, "nothing was delivered to deliver again"
        self.emulator.redeliver(raw)
        return await self.process()

    def invoices(self, user: EmuUser, *, unpaid: bool = False) -> list[EmuMessage]:
        """The invoice messages the user received, oldest first (`message.invoice` holds title,
        description, currency, prices, total_amount, payload, and `charge_id` once paid)."""
        return self.emulator.invoices(user.id, unpaid=unpaid)

    # ── what the user sees ──
    def t(self, msgid: str, locale: str) -> str:
        """The catalogue's translation of a message (what a user of that locale must see)."""
        return self.i18n.gettext(msgid, locale=locale)

    def last(self, user: EmuUser) -> EmuMessage | None:
        return self.emulator.last_bot_message(user.id)

    def last_keyboard(self, user: EmuUser) -> EmuMessage | None:
        for message in reversed(self.emulator.bot_messages(user.id)):
            if message.buttons:
                return message
        return None

    def texts(self, user: EmuUser) -> list[str]:
        return [m.text or m.caption or "" for m in self.emulator.bot_messages(user.id)]

    def button_texts(self, message: EmuMessage) -> list[str]:
        return [text for row in message.buttons for text, _ in row]

    async def onboard(
        self,
        user: EmuUser,
        *,
        language: str,
        country: str,
        city: str,
    ) -> EmuMessage:
        """/start → language → country → city, pressing the buttons a user would press."""
        from core.locales import LANGUAGE_NAMES

        await self.send(user, "/start")
        await self.tap(user, LANGUAGE_NAMES[language])
        await self.tap(user, country)
        await self.tap(user, city)
        last = self.last(user)
        assert last is not None
        return last

    # ── taps and their answers ──
    def unanswered_taps(self) -> list[str]:
        """Callback queries the bot never answered (the user's spinner would keep turning)."""
        return [q.data or "" for q in self.emulator.callback_queries.values() if not q.answered]

    def answers_per_tap(self) -> dict[str, int]:
        counts = {query_id: 0 for query_id in self.emulator.callback_queries}
        for call in self.emulator.calls("answerCallbackQuery"):
            query_id = str(call.params.get("callback_query_id"))
            counts[query_id] = counts.get(query_id, 0) + 1
        return counts

    async def process_at_once(self) -> int:
        """Fetch every queued update and handle them all concurrently, as polling does with
        many users writing at the same moment."""
        import asyncio

        updates = await self.bot.get_updates(offset=self.offset, timeout=0, limit=100)
        batch = []
        while updates:
            batch += updates
            self.offset = updates[-1].update_id + 1
            updates = await self.bot.get_updates(offset=self.offset, timeout=0, limit=100)
        await asyncio.gather(*(self.dp.feed_update(self.bot, update) for update in batch))
        return len(batch)
