"""APScheduler jobs: group-order deadlines and reminders, on the injected clock (and the
digest slots, and the broadcasts' progress: below).

The group_orders table is the only record of what is due: no job is kept per group. The scheduler
runs one pass (close what is due, send the reminders that are due) every `tick_seconds`, and after
each pass it reads the next deadline or reminder from the database and arms a single one-shot wake
for that moment. That moment is in the injected clock's time; APScheduler counts on the real
clock, so the wake is armed after the clock's own delay (`when - clock.now()`), never at `when`
read as a real date. With a frozen or shifted clock nothing fires early, and at start-up the first
pass closes every deadline missed while the bot was down."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup, ReplyParameters
from aiogram.utils.i18n import I18n
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.clock import Clock
from services import groups

log = logging.getLogger(__name__)

WAKE_JOB = "groups-next-due"
PASS_JOB = "groups-due"
WAKE_SLACK = timedelta(seconds=1)  # wake just after the moment, so `deadline <= now` holds


class Deadlines:
    def __init__(
        self,
        *,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        remind_before: timedelta,
        on_change: Callable[[], None] | None = None,  # called once notifications were queued
        tick_seconds: float = 15.0,
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.remind_before = remind_before
        self.on_change = on_change
        self.tick_seconds = tick_seconds
        self.scheduler: AsyncIOScheduler | None = None
        self.next_due: datetime | None = None  # on the injected clock; None: nothing open

    async def run_due(self) -> groups.DueReport:
        """One pass: close and remind what is due now, then arm the wake for what comes next."""
        now = self.clock.now()
        async with self.session_factory() as session:
            report = await groups.process_due(session, now=now, remind_before=self.remind_before)
            upcoming = await groups.next_due_at(session, now=now, remind_before=self.remind_before)
        if (report.closed or report.reminded) and self.on_change:
            self.on_change()
        for outcome in report.closed:
            log.info("group %s %s with %s orders", outcome.group_id, outcome.status, outcome.orders)
        self._arm(upcoming)
        return report

    async def start(self) -> None:
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.scheduler.add_job(
            self.run_due, "interval", seconds=self.tick_seconds, id=PASS_JOB,
            max_instances=1, coalesce=True,
        )  # fmt: skip
        self.scheduler.start()
        await self.run_due()  # deadlines missed while the bot was down, and the first wake

    def schedule(self, deadline: datetime) -> None:
        """A group was opened or its deadline moved: wake earlier if it (or its reminder) is due
        sooner than what the wake is armed for (a later one is found by the pass after that)."""
        now = self.clock.now()
        moments = [when for when in (deadline, deadline - self.remind_before) if when > now]
        if not moments:
            return
        soonest = min(moments)
        if self.next_due is None or soonest < self.next_due:
            self._arm(soonest)

    def _arm(self, when: datetime | None) -> None:
        self.next_due = when
        if self.scheduler is None:
            return
        if when is None:
            if self.scheduler.get_job(WAKE_JOB) is not None:
                self.scheduler.remove_job(WAKE_JOB)
            return
        delay = max(timedelta(0), when - self.clock.now()) + WAKE_SLACK
        self.scheduler.add_job(
            self.run_due, "date", run_date=datetime.now(UTC) + delay, id=WAKE_JOB,
            replace_existing=True, misfire_grace_time=None,
        )  # fmt: skip

    def shutdown(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None


# ── digests ─────────────────────────────────────────────────────────────────────────────

DIGEST_JOB = "digest-slot"
_SLOTS: dict[str, DigestSlots] = {}  # the running slot runner, for the job store's reference


async def run_digest_slot(name: str = "default") -> None:
    """The job a persistent job store keeps (by reference: a bound method cannot be stored)."""
    runner = _SLOTS.get(name)
    if runner is not None:
        await runner.run()


def jobstore_for(database_url: str, redis_url: str | None):  # noqa: ANN201
    """Where APScheduler keeps its jobs: Redis with several workers, else the bot's own
    database (through a synchronous driver: the job store is not async)."""
    if redis_url:
        from apscheduler.jobstores.redis import RedisJobStore
        from redis.connection import parse_url

        options = parse_url(redis_url)  # host, port, db, username, password, TLS for rediss://
        db = int(options.pop("db", 0) or 0)
        if options.pop("connection_class", None) is not None:  # rediss:// (TLS)
            options["ssl"] = True
        return RedisJobStore(
            db=db, jobs_key="qingtian:apscheduler:jobs",
            run_times_key="qingtian:apscheduler:run_times", **options,
        )  # fmt: skip
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        # a file of its own beside the database: the store's synchronous connection then never
        # waits for the bot's own writes (SQLite has one writer per file)
        path = url.database or ""
        if not path or path == ":memory:":
            from apscheduler.jobstores.memory import MemoryJobStore

            return MemoryJobStore()
        stem = path[:-3] if path.endswith(".db") else path
        return SQLAlchemyJobStore(url=f"sqlite:///{stem}.jobs.db", tablename="apscheduler_jobs")
    # PostgreSQL through psycopg, whatever driver the bot's URL names; asyncpg's own options
    # become libpq's (ssl → sslmode) or are left out
    query = dict(url.query)
    if "ssl" in query:
        query["sslmode"] = query.pop("ssl")
    for asyncpg_only in ("prepared_statement_cache_size", "statement_cache_size", "timeout"):
        query.pop(asyncpg_only, None)
    sync = url.set(drivername="postgresql+psycopg", query=query)
    return SQLAlchemyJobStore(
        url=sync.render_as_string(hide_password=False), tablename="apscheduler_jobs"
    )


class DigestSlots:
    """Every `slot_minutes`, the digests that are due (services.digests.run_slot) — on the
    leader only, like the deadlines. The job lives in a persistent job store with `coalesce`
    (slots missed while down run once) and a grace time; what is due is read from the users'
    `digest_due_at`, so a restart or a missed slot neither loses nor doubles a digest."""

    def __init__(
        self, *, session_factory: async_sessionmaker[AsyncSession], clock: Clock,
        admin_ids: frozenset[int] = frozenset(), slot_minutes: float = 15.0,
        on_change: Callable[[], None] | None = None, jobstore=None,  # noqa: ANN001
        name: str = "default",
    ) -> None:  # fmt: skip
        self.session_factory = session_factory
        self.clock = clock
        self.admin_ids = admin_ids
        self.slot_minutes = slot_minutes
        self.on_change = on_change
        self.jobstore = jobstore
        self.name = name
        self.scheduler: AsyncIOScheduler | None = None

    async def run(self):  # noqa: ANN201 - services.digests.SlotReport
        from services import digests

        report = await digests.run_slot(
            self.session_factory, now=self.clock.now(), admin_ids=self.admin_ids
        )
        if report.queued and self.on_change:
            self.on_change()
        if report.due or report.scheduled:
            log.info(
                "digest slot: %s due, %s queued, %s scheduled", report.due, report.queued,
                report.scheduled,
            )  # fmt: skip
        return report

    async def start(self) -> None:
        _SLOTS[self.name] = self
        stores = {"default": self.jobstore} if self.jobstore is not None else {}
        self.scheduler = AsyncIOScheduler(timezone=UTC, jobstores=stores)
        self.scheduler.add_job(
            run_digest_slot, "interval", minutes=self.slot_minutes, id=DIGEST_JOB,
            args=[self.name], replace_existing=True, coalesce=True, max_instances=1,
            misfire_grace_time=int(self.slot_minutes * 60),
        )  # fmt: skip
        self.scheduler.start()
        await self.run()  # digests that came due while the bot was down

    def shutdown(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        _SLOTS.pop(self.name, None)


# ── broadcasts ──────────────────────────────────────────────────────────────────────────

BROADCAST_JOB = "broadcast-progress"


class BroadcastProgress:
    """Every `every` seconds, the progress message of each broadcast still going out is edited
    in its admin's language (`▓▓▓▓░░░░░░ 41% · 12,345 / 30,000 · 2 blocked · ETA 9 min`), and
    once nothing of it is pending the final report is sent. On the leader, like the deadlines;
    and idempotent besides: each edit and each report is claimed first in the database
    (`services.broadcast.take_step`), so two workers running it edit once and report once. The
    Stop button's handler runs `run_one` at once (through the dispatcher's
    `broadcast_progress`), so the report of a stopped broadcast does not wait for the pass."""

    def __init__(
        self, *, bot: Bot, session_factory: async_sessionmaker[AsyncSession], i18n: I18n,
        clock: Clock, every: float = 5.0,
    ) -> None:  # fmt: skip
        self.bot = bot
        self.session_factory = session_factory
        self.i18n = i18n
        self.clock = clock
        self.every = every
        self.scheduler: AsyncIOScheduler | None = None

    async def run(self) -> int:
        """One pass over the broadcasts still going out; returns how many were shown."""
        from services import broadcast

        async with self.session_factory() as session:
            ids = await broadcast.unfinished(session)
        shown = 0
        for broadcast_id in ids:
            try:
                shown += await self.run_one(broadcast_id)
            except Exception:  # one broadcast's trouble must not stop the others' progress
                log.exception("broadcast %s: progress not shown", broadcast_id)
        return shown

    async def run_one(self, broadcast_id: int, *, force: bool = False) -> int:
        """Edit one broadcast's progress message if it is due (`force`: now), and send the
        final report once nothing is pending; 1 if something was shown."""
        from services import broadcast
        from ui import broadcast as views
        from ui.context import RenderContext, use_context

        now = self.clock.now()
        every = timedelta(0) if force else timedelta(seconds=self.every)
        async with self.session_factory() as session:
            step = await broadcast.take_step(
                session, broadcast_id=broadcast_id, now=now, every=every
            )
        if step is None:
            return 0
        ctx = RenderContext.for_user(step.admin, now)
        with self.i18n.context(), self.i18n.use_locale(ctx.locale), use_context(ctx):
            text = views.progress_text(step.progress, ctx)
            markup = views.progress_markup(step.progress)
            report = views.report_text(step.progress, ctx) if step.progress.final else None
        message_id = step.message_id
        if text != step.shown_text or message_id is None:
            message_id = await self._show(step.admin_id, message_id, text, markup)
        if report is not None:
            try:
                reply = (
                    ReplyParameters(message_id=message_id, allow_sending_without_reply=True)
                    if message_id is not None
                    else None
                )
                await self.bot.send_message(step.admin_id, report, reply_parameters=reply)
            except (TelegramRetryAfter, TelegramNetworkError, TelegramServerError) as error:
                log.warning("broadcast %s: report not sent (%s); retried", broadcast_id, error)
                async with self.session_factory() as session:
                    await broadcast.reopen(session, broadcast_id=broadcast_id)
                return 0
            except TelegramAPIError as error:  # the admin blocked the bot, or left: not retried
                log.warning("broadcast %s: report not sent (%s)", broadcast_id, error)
        async with self.session_factory() as session:
            await broadcast.save_progress(
                session, broadcast_id=broadcast_id, text=text, message_id=message_id
            )
        return 1

    async def _show(
        self, chat_id: int, message_id: int | None, text: str, markup: InlineKeyboardMarkup | None
    ) -> int | None:
        """Edit the progress message; a new one when it is gone (deleted, or never sent)."""
        if message_id is not None:
            try:
                await self.bot.edit_message_text(
                    text=text, chat_id=chat_id, message_id=message_id, reply_markup=markup
                )
                return message_id
            except TelegramBadRequest as error:
                if "not modified" in error.message:
                    return message_id
                if "not found" not in error.message and "can't be edited" not in error.message:
                    log.warning("progress message not edited: %s", error.message)
                    return message_id
            except TelegramAPIError as error:  # flood control, network: the next pass
                log.warning("progress message not edited: %s", error)
                return message_id
        try:
            sent = await self.bot.send_message(chat_id, text, reply_markup=markup)
        except TelegramAPIError as error:
            log.warning("progress message not sent: %s", error)
            return message_id
        return sent.message_id

    async def start(self) -> None:
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.scheduler.add_job(
            self.run, "interval", seconds=self.every, id=BROADCAST_JOB, max_instances=1,
            coalesce=True,
        )  # fmt: skip
        self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
