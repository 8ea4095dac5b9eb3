"""APScheduler jobs: group-order deadlines and reminders.

The group_orders table is the durable record of every deadline: at start-up the jobs are rebuilt
from it and a first pass closes every deadline missed while the bot was down. A periodic pass
catches anything a date job missed (a deadline extended by another worker, say)."""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.clock import Clock
from services import groups

log = logging.getLogger(__name__)


class Deadlines:
    def __init__(
        self,
        *,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        remind_before: timedelta,
        on_change=None,  # noqa: ANN001 - called after notifications were queued (wakes the sender)
        tick_seconds: float = 15.0,
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.remind_before = remind_before
        self.on_change = on_change
        self.tick_seconds = tick_seconds
        self.scheduler: AsyncIOScheduler | None = None

    async def run_due(self) -> groups.DueReport:
        async with self.session_factory() as session:
            report = await groups.process_due(
                session, now=self.clock.now(), remind_before=self.remind_before
            )
        if (report.closed or report.reminded) and self.on_change:
            self.on_change()
        for outcome in report.closed:
            log.info("group %s %s with %s orders", outcome.group_id, outcome.status, outcome.orders)
        return report

    async def start(self) -> None:
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.scheduler.add_job(
            self.run_due, "interval", seconds=self.tick_seconds, id="groups-due",
            max_instances=1, coalesce=True,
        )  # fmt: skip
        self.scheduler.start()
        await self.run_due()  # deadlines missed while the bot was down
        async with self.session_factory() as session:
            for group in await groups.all_open_groups(session):
                self.schedule(group.id or 0, group.deadline, group.deadline - self.remind_before)

    def schedule(self, group_id: int, deadline, reminder=None) -> None:  # noqa: ANN001
        """A date job at the deadline (and one at the reminder time) of one group."""
        if self.scheduler is None:
            return
        now = self.clock.now()
        for job_id, when in ((f"deadline-{group_id}", deadline), (f"remind-{group_id}", reminder)):
            if when is None or when <= now:
                continue
            self.scheduler.add_job(
                self.run_due, "date", run_date=when + timedelta(seconds=1), id=job_id,
                replace_existing=True, misfire_grace_time=None,
            )  # fmt: skip

    def shutdown(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
