"""APScheduler jobs: group-order deadlines and reminders, on the injected clock.

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
