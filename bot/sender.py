"""The one sender that drains the outbox, politely.

- Paced: at most `rate` messages a second overall and one message per `per_chat_interval` seconds
  to any one chat (Telegram's ~30/s and ~1/s per chat by default; both configurable).
- A 429 pauses ALL sending for its `retry_after`, and the message is sent again afterwards.
- A user who blocked the bot (403) is marked and skipped from then on, never retried.
- Network errors, timeouts, 5xx and non-JSON error pages are retried with capped exponential
  backoff for as long as `give_up_after` (24 h by default, Telegram's own retention); only
  permanent answers (400, 403) fail a row at once.
- Any number of senders (the bot's workers, `send-outbox` beside them) send each row once: a
  sender claims the rows it loads (`FOR UPDATE SKIP LOCKED` on PostgreSQL, SQLite's single writer
  otherwise) with a lease it renews while they wait; a crashed sender's rows are taken over once
  its lease runs out.
- Restart-safe: a row is marked sent as soon as Telegram accepted it, and at most `concurrency`
  sends are in flight, so a crash repeats at most `concurrency` notifications.
- Rendered in the recipient's language at send time; text over 4,096 characters is split (a
  row with media, a broadcast, goes as one message, with its photo when it has one).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from secrets import token_hex

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from sqlalchemy import update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

import notifications
from core.clock import Clock
from core.config import Settings
from models import Notification, OutboxStatus, User
from notifications.registry import media_of
from services.tx import begin_write, is_locked_error
from ui.context import RenderContext, use_context
from ui.render import split_text

log = logging.getLogger(__name__)

TEXT_LIMIT = 4096
MAX_BACKOFF = 300.0  # seconds between two attempts at most
UNAUTHORIZED_PAUSE = 60.0  # a refused token (revoked?) pauses all sending this long
MARK_ATTEMPTS = 6  # a row sent but not yet marked: retry marking it (never send it again)


def redact(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    return text


def is_permanent(error: Exception) -> bool:
    """Telegram's final word on this message: retrying would get the same answer."""
    return isinstance(error, TelegramBadRequest | TelegramEntityTooLarge)


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
    edits: list[int] = field(default_factory=list)  # messages to edit instead of sending
    message_id: int | None = None  # what Telegram made of the last part
    photo: str | None = None  # sent as a photo, the one part its caption


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
        give_up_after: timedelta = timedelta(hours=24),
        concurrency: int = 8,
        batch: int = 200,
        backoff_base: float = 0.5,
        lease: float = 60.0,
        secrets: tuple[str, ...] = (),
    ) -> None:
        self.bot = bot
        self.session_factory = session_factory
        self.i18n = i18n
        self.clock = clock
        self.pacer = Pacer(rate)
        self.per_chat_interval = per_chat_interval
        self.give_up_after = give_up_after
        self.concurrency = max(1, concurrency)
        self.batch = batch
        self.backoff_base = backoff_base
        self.lease = timedelta(seconds=lease)
        self.secrets = tuple(secrets) + (getattr(bot, "token", ""),)
        self.worker = f"{socket.gethostname()[:32]}:{os.getpid()}:{token_hex(4)}"
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
            give_up_after=settings.send_give_up_after,
            concurrency=settings.send_concurrency,
            lease=settings.send_lease_seconds,
            secrets=settings.secrets,
        )

    def wake(self) -> None:
        self._wake.set()

    # ── one pass ──

    async def drain(self) -> int:
        """Send what is due now; returns how many rows were finished."""
        stats = await self.drain_stats()
        return stats.handled

    async def drain_stats(self) -> DrainStats:
        """One pass over everything due: batches are claimed and loaded ahead (by id) while the
        previous one is being sent, so the pace never stalls on the database; the claims of the
        rows still waiting are renewed while they wait."""
        stats = DrainStats()
        queues: dict[int, deque[Job]] = {}
        in_flight: set[asyncio.Task] = set()
        busy: set[int] = set()
        loading: asyncio.Task | None = None
        state = {"cursor": 0, "exhausted": False, "queued": 0}
        renew_every = self.lease.total_seconds() / 3
        renewed = time.monotonic()

        def merge(result: tuple[list[Job], int, bool]) -> None:
            jobs, state["cursor"], state["exhausted"] = result
            for job in jobs:
                queues.setdefault(job.user.id, deque()).append(job)
            state["queued"] += len(jobs)

        merge(await self._load(0))
        while queues or in_flight or loading is not None:
            if self._stopped and queues:
                # stopping: the sends in flight finish; the rest go back to the queue at once
                await self._renew([job.row.id for q in queues.values() for job in q], release=True)
                queues.clear()
                state["exhausted"] = True
            if time.monotonic() - renewed > renew_every and queues:
                await self._renew([job.row.id for q in queues.values() for job in q])
                renewed = time.monotonic()
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

    def _due(self, now: datetime):  # noqa: ANN202 - a SQL condition
        """Pending, due, and claimed by no sender (or by one whose lease ran out)."""
        return (
            (col(Notification.status) == OutboxStatus.PENDING)
            & (col(Notification.not_before) <= now)
            & or_(col(Notification.claimed_until).is_(None), col(Notification.claimed_until) < now)
        )

    async def _claim(self, cursor: int) -> list[int]:
        """Claim up to a batch of due rows above `cursor` for this sender, in one short write."""
        async with self.session_factory() as session:
            await begin_write(session)
            now = self.clock.now()
            query = (
                select(Notification.id)
                .where(self._due(now), col(Notification.id) > cursor)
                .order_by(col(Notification.id))
                .limit(self.batch)
            )
            if session.sync_session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            ids = [row_id for row_id in (await session.exec(query)).all() if row_id is not None]
            if ids:
                await session.exec(
                    update(Notification)
                    .where(col(Notification.id).in_(ids))
                    .values(claimed_by=self.worker, claimed_until=now + self.lease)
                )
            await session.commit()
            return ids

    async def _renew(self, row_ids: list[int | None], *, release: bool = False) -> None:
        """Extend this sender's claim on rows still waiting, or (`release`) let them go."""
        ids = [row_id for row_id in row_ids if row_id is not None]
        if not ids:
            return
        values: dict[str, object] = (
            {"claimed_by": None, "claimed_until": None}
            if release
            else {"claimed_until": self.clock.now() + self.lease}
        )
        await self._write(
            update(Notification)
            .where(col(Notification.id).in_(ids), col(Notification.claimed_by) == self.worker)
            .values(**values)
        )

    async def _load(self, cursor: int) -> tuple[list[Job], int, bool]:
        """Rendered jobs for the rows claimed above `cursor`: (jobs, new cursor, exhausted)."""
        ids = await self._claim(cursor)
        if not ids:
            return [], cursor, True
        async with self.session_factory() as session:
            now = self.clock.now()
            rows = (
                await session.exec(
                    select(Notification)
                    .where(col(Notification.id).in_(ids))
                    .order_by(col(Notification.id))
                )
            ).all()
            user_ids = {row.user_id for row in rows}
            found = await session.exec(select(User).where(col(User.id).in_(user_ids)))
            users = {u.id: u for u in found.all()}
            batch = await notifications.prefetch(session, rows)
            jobs = []
            finished: list[tuple[int | None, str, str]] = []
            for row in rows:
                user = users.get(row.user_id)
                if user is None or user.is_blocked or user.is_banned:
                    reason = "unknown user" if user is None else "blocked"
                    if user is not None and user.is_banned:
                        reason = "suspended"  # by an admin (/block): sent nothing
                    finished.append((row.id, OutboxStatus.SKIPPED, reason))
                    continue
                ctx = RenderContext.for_user(user, now)
                try:
                    with self.i18n.context(), self.i18n.use_locale(ctx.locale), use_context(ctx):
                        rendered = notifications.render(row, user, batch, ctx)
                except Exception as error:  # noqa: BLE001 - one bad row must not stop the rest
                    log.exception("notification %s could not be rendered", row.id)
                    finished.append((row.id, OutboxStatus.FAILED, f"render: {error!r}"[:500]))
                    continue
                if rendered is None:
                    finished.append((row.id, OutboxStatus.SKIPPED, "no longer applies"))
                    continue
                text, markup = rendered
                media = media_of(row, batch)
                job = Job(
                    row=row, user=user, parts=split_text(text) if media is None else [text],
                    markup=markup, photo=media.photo if media is not None else None,
                )  # fmt: skip
                job.edits = list(notifications.edits_of(row, batch))
                if job.edits:
                    job.parts = job.parts[:1]  # an edit replaces one message with one
                jobs.append(job)
        for row_id, status, reason in finished:
            await self._finish(row_id, status, reason)
        return jobs, max(ids), len(ids) < self.batch

    async def _send(
        self, job: Job, queues: dict[int, deque[Job]], busy: set[int], stats: DrainStats
    ) -> None:
        chat = job.user.id
        try:
            editing = bool(job.edits)
            if editing:
                await self._edit(job)
            while not editing and job.sent_parts < len(job.parts):
                last = job.sent_parts == len(job.parts) - 1
                if job.photo is not None:
                    sent = await self.bot.send_photo(
                        chat, job.photo, caption=job.parts[job.sent_parts],
                        reply_markup=job.markup if last else None,
                    )  # fmt: skip
                else:
                    sent = await self.bot.send_message(
                        chat, job.parts[job.sent_parts], reply_markup=job.markup if last else None
                    )
                job.sent_parts += 1
                if last:
                    job.message_id = getattr(sent, "message_id", None)
                else:
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
        except TelegramUnauthorizedError as error:
            # the token itself was refused: nothing can be sent; wait and try again later
            log.error("Telegram refused the bot token (%s): sending paused", error.message)
            self.pacer.pause(UNAUTHORIZED_PAUSE)
            stats.retried += 1
            await self._retry_later(job, "Unauthorized", UNAUTHORIZED_PAUSE, count=False)
        except Exception as error:  # noqa: BLE001 - every other answer or failure is classified
            reason = f"{type(error).__name__}: {getattr(error, 'message', error)}"[:500]
            attempts = job.row.attempts + 1
            if is_permanent(error):
                stats.failed += 1
                await self._finish(job.row.id, OutboxStatus.FAILED, reason, attempts=attempts)
            elif self._gave_up(job.row):
                stats.failed += 1
                await self._finish(job.row.id, OutboxStatus.FAILED, reason, attempts=attempts)
            else:
                if not isinstance(error, ClientDecodeError | OSError | TimeoutError):
                    log.info("notification %s: %s; retried later", job.row.id, reason)
                stats.retried += 1
                backoff = min(MAX_BACKOFF, self.backoff_base * 2 ** min(attempts, 20))
                await self._retry_later(job, reason, backoff)
        else:
            stats.sent += 1
            await self._finish(
                job.row.id,
                OutboxStatus.SENT,
                None,
                attempts=job.row.attempts + 1,
                sent=True,
                message_id=job.message_id,
            )
        finally:
            # spacing counts from the answer, so Telegram never sees two closer than the interval
            self._chat_next[chat] = max(
                self._chat_next.get(chat, 0.0), time.monotonic() + self.per_chat_interval
            )
            busy.discard(chat)

    async def _edit(self, job: Job) -> None:
        """Edit each earlier message the row names (paced like sends). One that did not change,
        or was deleted meanwhile, is done: there is nothing left to show in it."""
        while job.edits:
            message_id = job.edits[0]
            try:
                await self.bot.edit_message_text(
                    text=job.parts[0], chat_id=job.user.id, message_id=message_id,
                    reply_markup=job.markup,
                )  # fmt: skip
            except TelegramBadRequest as error:
                text = str(error.message).lower()
                if not any(s in text for s in ("not modified", "not found", "can't be edited")):
                    raise
            job.edits.pop(0)
            if job.edits:
                await self.pacer.slot()

    def _gave_up(self, row: Notification) -> bool:
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
        return self.clock.now() - created >= self.give_up_after

    # ── bookkeeping (one short transaction each) ──

    async def _write(self, statement) -> None:  # noqa: ANN001
        """One bookkeeping UPDATE. If the database stays locked by another writer past every
        retry, it is tried again a few times: a row sent but left unmarked would be sent twice."""
        for attempt in range(1, MARK_ATTEMPTS + 1):
            try:
                async with self.session_factory() as session:
                    await begin_write(session)
                    await session.exec(statement)
                    await session.commit()
                return
            except Exception as error:
                if not is_locked_error(error) or attempt == MARK_ATTEMPTS:
                    raise
                log.warning("outbox bookkeeping waits for the database (%s)", attempt)
                await asyncio.sleep(min(5.0, 0.2 * 2**attempt))

    async def _finish(
        self,
        row_id: int | None,
        status: str,
        reason: str | None,
        *,
        attempts: int | None = None,
        sent: bool = False,
        message_id: int | None = None,
    ) -> None:
        values: dict[str, object] = {
            "status": status,
            "last_error": redact(reason, self.secrets)[:512] if reason else None,
            "claimed_by": None,
            "claimed_until": None,
        }
        if attempts is not None:
            values["attempts"] = attempts
        if sent:
            values["sent_at"] = self.clock.now()
        if message_id is not None:
            values["message_id"] = message_id
        await self._write(
            update(Notification).where(col(Notification.id) == row_id).values(**values)
        )

    async def _retry_later(
        self, job: Job, reason: str, backoff: float, *, count: bool = True
    ) -> None:
        """Back to the queue for any sender, after `backoff` (the row's claim is let go)."""
        await self._write(
            update(Notification)
            .where(col(Notification.id) == job.row.id)
            .values(
                attempts=job.row.attempts + (1 if count else 0),
                last_error=redact(reason, self.secrets)[:512],
                not_before=self.clock.now() + timedelta(seconds=backoff),
                claimed_by=None,
                claimed_until=None,
            )
        )

    async def _blocked(self, user_id: int, reason: str) -> None:
        await self._write(update(User).where(col(User.id) == user_id).values(is_blocked=True))
        log.info("user %s blocked the bot (%s): marked, no more messages", user_id, reason)

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
        """Drain until nothing is pending (waiting out backoffs, and the leases of rows another
        sender claimed); for the CLI and tests."""
        deadline = time.monotonic() + max_wait
        while time.monotonic() < deadline:
            await self.drain()
            async with self.session_factory() as session:
                pending = (
                    await session.exec(
                        select(Notification.not_before, Notification.claimed_until).where(
                            col(Notification.status) == OutboxStatus.PENDING
                        )
                    )
                ).all()
            if not pending:
                return
            soonest = min(max(due, claim) if claim else due for due, claim in pending)
            wait = (soonest - self.clock.now()).total_seconds()
            await asyncio.sleep(min(max(wait, 0.01), 5.0))

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()

    def resume(self) -> None:
        self._stopped = False
