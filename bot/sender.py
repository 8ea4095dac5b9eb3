"""The one sender that drains the outbox, politely.

- Paced: at most `rate` messages a second overall and one message per `per_chat_interval` seconds
  to any one chat (Telegram's ~30/s and ~1/s per chat by default; both configurable).
- A 429 pauses ALL sending for its `retry_after`, and the message is sent again afterwards.
- A user who blocked the bot (403) is marked and skipped from then on, never retried.
- Network errors and 5xx are retried with exponential backoff; after `max_attempts` the row is
  marked failed with the reason.
- Restart-safe: a row is marked sent only after Telegram accepted it, so a crash can at worst
  send again the one message that was in flight.
- Rendered in the recipient's language at send time; text over 4,096 characters is split.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass
from datetime import timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from sqlalchemy import update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import LOCALES, locale_from_language_code
from bot.notifications import render
from models import Notification, OutboxStatus, User

log = logging.getLogger(__name__)

TEXT_LIMIT = 4096
MAX_BACKOFF = 300.0


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split at line breaks (else spaces) so each part fits one Telegram message. Tags opened in
    one part are not carried over: notifications keep their markup within a line."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= 0:
            cut = text.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    parts.append(text)
    return parts


class Pacer:
    """Evenly spaced slots: `rate` a second overall, and a global pause for 429s. A sender that
    fell behind (the event loop was busy) may catch up on at most `catch_up` seconds of slots, so
    no one-second window ever holds more than about rate × (1 + catch_up) messages."""

    def __init__(self, rate: float, catch_up: float = 0.05) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.catch_up = catch_up
        self._next = 0.0
        self.paused_until = 0.0
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)

    async def slot(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                wait = max(self._next, self.paused_until) - now
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
            self._next = max(now - self.catch_up, self._next) + self.interval


@dataclass
class Job:
    row: Notification
    user: User
    parts: list[str]
    markup: InlineKeyboardMarkup | None
    sent_parts: int = 0


@dataclass
class DrainStats:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retried: int = 0
    rate_limited: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.skipped + self.failed


class OutboxSender:
    def __init__(
        self,
        *,
        bot: Bot,
        session_factory: async_sessionmaker[AsyncSession],
        i18n: I18n,
        clock: Clock,
        rate: float = 30.0,
        per_chat_interval: float = 1.0,
        max_attempts: int = 5,
        concurrency: int = 32,
        batch: int = 200,
        backoff_base: float = 0.5,
    ) -> None:
        self.bot = bot
        self.session_factory = session_factory
        self.i18n = i18n
        self.clock = clock
        self.pacer = Pacer(rate)
        self.per_chat_interval = per_chat_interval
        self.max_attempts = max_attempts
        self.concurrency = concurrency
        self.batch = batch
        self.backoff_base = backoff_base
        self._chat_next: dict[int, float] = {}
        self._wake = asyncio.Event()
        self._stopped = False

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        bot: Bot,
        session_factory: async_sessionmaker[AsyncSession],
        i18n: I18n,
        clock: Clock,
    ) -> OutboxSender:
        """The sender with the pacing and retry limits of the configuration."""
        return cls(
            bot=bot,
            session_factory=session_factory,
            i18n=i18n,
            clock=clock,
            rate=settings.send_rate,
            per_chat_interval=settings.send_per_chat_interval,
            max_attempts=settings.send_max_attempts,
        )

    def wake(self) -> None:
        self._wake.set()

    # ── one pass ──

    async def drain(self) -> int:
        """Send what is due now (one batch); returns how many rows were finished."""
        stats = await self.drain_stats()
        return stats.handled

    async def drain_stats(self) -> DrainStats:
        """One pass over everything due: batches are loaded ahead (by id) while the previous
        one is being sent, so the pace never stalls on the database."""
        stats = DrainStats()
        queues: dict[int, deque[Job]] = {}
        in_flight: set[asyncio.Task] = set()
        busy: set[int] = set()
        loading: asyncio.Task | None = None
        state = {"cursor": 0, "exhausted": False, "queued": 0}

        def merge(result: tuple[list[Job], int, bool]) -> None:
            jobs, state["cursor"], state["exhausted"] = result
            for job in jobs:
                queues.setdefault(job.user.id, deque()).append(job)
            state["queued"] += len(jobs)

        merge(await self._load(0))
        while queues or in_flight or loading is not None:
            if loading is None and not state["exhausted"] and state["queued"] < self.batch // 2:
                loading = asyncio.create_task(self._load(state["cursor"]))
            if loading is not None and loading.done():
                merge(loading.result())
                loading = None
                continue
            now = time.monotonic()
            ready = [
                chat for chat in queues
                if chat not in busy and self._chat_next.get(chat, 0.0) <= now
            ]  # fmt: skip
            if not ready or len(in_flight) >= self.concurrency:
                waits = [self._chat_next.get(c, 0.0) - now for c in queues if c not in busy]
                room = len(in_flight) < self.concurrency
                timeout = max(0.001, min(waits)) if waits and room else 0.05
                pending = set(in_flight) | ({loading} if loading is not None else set())
                if pending:
                    done, _ = await asyncio.wait(
                        pending, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
                    )
                    for task in done:
                        if task is not loading:
                            in_flight.discard(task)
                            task.result()
                else:
                    await asyncio.sleep(timeout)
                continue
            for chat in ready:
                if len(in_flight) >= self.concurrency:
                    break
                await self.pacer.slot()
                job = queues[chat].popleft()
                state["queued"] -= 1
                if not queues[chat]:
                    del queues[chat]
                busy.add(chat)
                self._chat_next[chat] = time.monotonic() + self.per_chat_interval
                in_flight.add(asyncio.create_task(self._send(job, queues, busy, stats)))
        return stats

    async def _load(self, cursor: int) -> tuple[list[Job], int, bool]:
        """Rendered jobs for due rows with an id above `cursor`: (jobs, new cursor, exhausted)."""
        async with self.session_factory() as session:
            now = self.clock.now()
            rows = (
                await session.exec(
                    select(Notification)
                    .where(
                        col(Notification.status) == OutboxStatus.PENDING,
                        col(Notification.not_before) <= now,
                        col(Notification.id) > cursor,
                    )
                    .order_by(col(Notification.id))
                    .limit(self.batch)
                )
            ).all()
            if not rows:
                return [], cursor, True
            new_cursor = rows[-1].id or cursor
            user_ids = {row.user_id for row in rows}
            found = await session.exec(select(User).where(col(User.id).in_(user_ids)))
            users = {u.id: u for u in found.all()}
            jobs = []
            for row in rows:
                user = users.get(row.user_id)
                if user is None or user.is_blocked:
                    reason = "blocked" if user else "unknown user"
                    await self._finish(row.id, OutboxStatus.SKIPPED, reason)
                    continue
                locale = (
                    user.locale
                    if user.locale in LOCALES
                    else locale_from_language_code(user.language_code)
                )
                with self.i18n.context(), self.i18n.use_locale(locale):
                    rendered = await render(session, row, user, now)
                if rendered is None:
                    await self._finish(row.id, OutboxStatus.SKIPPED, "no longer applies")
                    continue
                text, markup = rendered
                jobs.append(Job(row=row, user=user, parts=split_text(text), markup=markup))
            return jobs, new_cursor, len(rows) < self.batch

    async def _send(
        self, job: Job, queues: dict[int, deque[Job]], busy: set[int], stats: DrainStats
    ) -> None:
        chat = job.user.id
        try:
            while job.sent_parts < len(job.parts):
                last = job.sent_parts == len(job.parts) - 1
                await self.bot.send_message(
                    chat, job.parts[job.sent_parts], reply_markup=job.markup if last else None
                )
                job.sent_parts += 1
                if not last:
                    await self.pacer.slot()
        except TelegramRetryAfter as error:
            stats.rate_limited += 1
            self.pacer.pause(error.retry_after)  # everything waits, then this one goes again
            queues.setdefault(chat, deque()).appendleft(job)
            self._chat_next[chat] = time.monotonic() + error.retry_after
        except TelegramForbiddenError as error:
            await self._blocked(chat, str(error.message))
            stats.skipped += 1
            for other in queues.pop(chat, deque()):
                await self._finish(other.row.id, OutboxStatus.SKIPPED, "blocked")
                stats.skipped += 1
            await self._finish(job.row.id, OutboxStatus.SKIPPED, str(error.message))
        except TelegramBadRequest as error:
            stats.failed += 1
            await self._finish(
                job.row.id, OutboxStatus.FAILED, str(error.message), attempts=job.row.attempts + 1
            )
        except (TelegramServerError, TelegramNetworkError, TelegramAPIError, OSError) as error:
            attempts = job.row.attempts + 1
            reason = f"{type(error).__name__}: {error}"[:500]
            if attempts >= self.max_attempts:
                stats.failed += 1
                await self._finish(job.row.id, OutboxStatus.FAILED, reason, attempts=attempts)
            else:
                stats.retried += 1
                backoff = min(MAX_BACKOFF, self.backoff_base * 2**attempts)
                await self._retry_later(job.row.id, attempts, reason, backoff)
        else:
            stats.sent += 1
            await self._finish(
                job.row.id, OutboxStatus.SENT, None, attempts=job.row.attempts + 1, sent=True
            )
        finally:
            # spacing counts from the answer, so Telegram never sees two closer than the interval
            self._chat_next[chat] = max(
                self._chat_next.get(chat, 0.0), time.monotonic() + self.per_chat_interval
            )
            busy.discard(chat)

    # ── bookkeeping (one short transaction each) ──

    async def _finish(
        self,
        row_id: int | None,
        status: str,
        reason: str | None,
        *,
        attempts: int | None = None,
        sent: bool = False,
    ) -> None:
        values: dict[str, object] = {
            "status": status,
            "last_error": reason[:512] if reason else None,
        }
        if attempts is not None:
            values["attempts"] = attempts
        if sent:
            values["sent_at"] = self.clock.now()
        async with self.session_factory() as session:
            await session.exec(
                update(Notification).where(col(Notification.id) == row_id).values(**values)
            )
            await session.commit()

    async def _retry_later(
        self, row_id: int | None, attempts: int, reason: str, backoff: float
    ) -> None:
        async with self.session_factory() as session:
            await session.exec(
                update(Notification)
                .where(col(Notification.id) == row_id)
                .values(
                    attempts=attempts,
                    last_error=reason,
                    not_before=self.clock.now() + timedelta(seconds=backoff),
                )
            )
            await session.commit()

    async def _blocked(self, user_id: int, reason: str) -> None:
        async with self.session_factory() as session:
            await session.exec(update(User).where(col(User.id) == user_id).values(is_blocked=True))
            await session.commit()
        log.info("user %s blocked the bot (%s): marked, no more messages", user_id, reason)

    # ── the loop ──

    async def run(self, idle: float = 1.0) -> None:
        while not self._stopped:
            try:
                handled = await self.drain()
            except Exception:  # keep draining after an unexpected error; it is logged
                log.exception("outbox drain failed")
                handled = 0
            if handled:
                continue
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=idle)
            except TimeoutError:
                pass

    async def run_until_empty(self, *, max_wait: float = 600.0) -> None:
        """Drain until nothing is pending (waiting out backoffs); for the CLI and tests."""
        deadline = time.monotonic() + max_wait
        while time.monotonic() < deadline:
            await self.drain()
            async with self.session_factory() as session:
                pending = (
                    await session.exec(
                        select(Notification.not_before).where(
                            col(Notification.status) == OutboxStatus.PENDING
                        )
                    )
                ).all()
            if not pending:
                return
            soonest = min(pending)
            wait = (soonest - self.clock.now()).total_seconds()
            await asyncio.sleep(min(max(wait, 0.01), 5.0))

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()

    def resume(self) -> None:
        self._stopped = False
