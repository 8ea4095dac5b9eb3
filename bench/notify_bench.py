"""A group of 5,000 buyers in nine locales closes, and every notification is rendered.

    .venv/bin/python bench/notify_bench.py [--buyers N] [--batch N] [--database-url URL]
        [--agents N] [--joins N] [--sample N]

Set-up (not timed): a database of its own (`bench.dbs.own_database`): a temporary SQLite file,
or with `--database-url` a new PostgreSQL database the bench creates on that server and drops
at the end (no other database is touched), migrated and seeded with the demo catalogue; one
group order in Milan with two products; `--buyers` users spread over the nine locales
(`LOCALES[i % 9]`, all in Milan, EUR, Europe/Rome) with an order each (1-3 packs of shiitake, a quarter of them some tea as
well); `--agents` regional agents for Milan, alerted about each order; then an admin's forced
`close`, which queues one `group_formed` notification per buyer in the outbox. The first `--joins`
buyers (200) join through `services.groups.set_quantity`, the real path; the others' orders are
inserted directly (5,000 joins would take ~40 s), with the group's total moved to match (checked
against the lines) and the agent alert `services.notify` would queue.

Measured: rendering the queued rows the way the sender does (`bot.sender.OutboxSender._load`:
recipients read once per batch, each row rendered with `RenderContext.for_user(user, now)` inside
`i18n.context()`, `i18n.use_locale(ctx.locale)` and `use_context(ctx)`), two ways, in one run:

- row at a time (before): `notifications.prefetch(session, [row])` then `render`, for each row:
  the group, the order and its lines read for every row, as the code before the batched renderer
  did (it read the order twice and the group once a batch: the same 3 statements a row);
- batched (after): `notifications.prefetch(session, rows)` once per batch, then `render` each row.

Each batch has its own session, as in the sender. The clock and the SQL statement counter (a
`before_cursor_execute` listener) cover prefetch + render only: the batch's outbox rows and its
recipients are selected before (2 statements a batch in both modes, plus the sender's claim, not
counted in "sql/batch"). Every row must render to a non-empty text, and both modes to the same
text (asserted), so nothing is measured silently. The batched mode runs all rows at batch sizes
10, 100, 1000 and `--batch`; the row-at-a-time mode all rows at `--batch` and the first `--sample`
(1,000) elsewhere (its rate does not depend on the batch size). Printed per mode and batch size:
rows, seconds, notifications rendered per second, SQL statements per batch, rendered/s / 30
(Telegram's overall limit; target >= 20); then the after/before speed-up. Batched statements per
batch must not depend on the batch size: when they do, the statements of one batch of each size
are printed. No timed assertions; exits 0 (an assertion fails it). ~40 s with the defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram.utils.i18n import I18n  # noqa: E402
from sqlalchemy import event, func, update  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker  # noqa: E402
from sqlmodel import col, select  # noqa: E402
from sqlmodel.ext.asyncio.session import AsyncSession  # noqa: E402

import notifications  # noqa: E402
from bench.dbs import own_database  # noqa: E402
from bot.db import create_engine, create_session_factory, is_sqlite, migrate  # noqa: E402
from bot.i18n import create_i18n  # noqa: E402
from core.config import PROJECT_ROOT  # noqa: E402
from core.locales import LOCALES  # noqa: E402
from domain.notices import AgentAlert, AgentEvent, Kind  # noqa: E402
from models import Agent, GroupOrder, Notification, Order, OrderLine, Product, User  # noqa: E402
from services import groups, outbox  # noqa: E402
from services.groups import GroupSpec, OfferSpec  # noqa: E402
from services.outbox import Outgoing  # noqa: E402
from services.seed import seed_demo  # noqa: E402
from services.tx import begin_write  # noqa: E402
from ui.context import RenderContext, use_context  # noqa: E402

TELEGRAM_RATE = 30.0  # messages a second, Telegram's overall limit for a bot
TARGET_FACTOR = 20.0  # rendering should keep up with at least 20x that
SWEEP = (10, 100, 1000)
NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
AGENT_BASE = 10_000_000  # agents' user ids, clear of the buyers'


class StatementCounter:
    """Counts the statements the engine sends while `counting()` is on, and which ones."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.active = False
        self.count = 0
        self.seen: Counter[str] = Counter()
        event.listen(engine.sync_engine, "before_cursor_execute", self._executed)

    def _executed(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.active:
            self.count += 1
            self.seen[shape(statement)] += 1

    @contextmanager
    def counting(self) -> Iterator[None]:
        self.active = True
        try:
            yield
        finally:
            self.active = False


def shape(statement: str) -> str:
    """A statement without its column list and its IN-list size: which query it is."""
    flat = " ".join(statement.split())
    flat = re.sub(r"^SELECT .*? FROM ", "SELECT … FROM ", flat)
    flat = re.sub(r"\(__\[POSTCOMPILE_\w+\]\)|\((?:\?|\$\d+)(?:, (?:\?|\$\d+))*\)", "(…)", flat)
    return flat[:160]


def lines_for(uid: int) -> list[tuple[int, int]]:
    """(offer index, quantity) for buyer `uid`: 1-3 packs of shiitake, a quarter also some tea."""
    return [(0, 1 + uid % 3)] + ([(1, 1)] if uid % 4 == 0 else [])


async def set_up(
    factory: async_sessionmaker[AsyncSession], *, buyers: int, joins: int, agents: int
) -> tuple[int, float]:
    """One group of `buyers` orders in Milan, closed by force. Returns (group id, seconds).

    The first `joins` buyers join through `set_quantity` (the real path, agent alerts included);
    the others' orders are inserted directly, with the group's total moved to match and the same
    agent alert queued for each (what `services.notify` queues for a new order)."""
    start = time.perf_counter()
    async with factory() as session:
        await seed_demo(session, now=NOW)
        await session.commit()
    async with factory() as session:
        products = {
            p.slug: p
            for p in (
                await session.exec(
                    select(Product).where(
                        col(Product.slug).in_(["dried-shiitake", "qingtian-green-tea"])
                    )
                )
            ).all()
        }
        group = await groups.create_group(
            session,
            spec=GroupSpec(
                country="IT",
                city="Milan",
                method="rail",
                deadline=NOW + timedelta(hours=1),
                measure="units",
                min_total=10,
                tiers=[0, 500],
                offers=[
                    OfferSpec(products["dried-shiitake"].id or 0, [3800, 3500]),
                    OfferSpec(products["qingtian-green-tea"].id or 0, [6800, 6200]),
                ],
            ),  # fmt: skip
            created_by=None,
            now=NOW,
        )
        group_id = group.id or 0
        offer_ids = [offer.id or 0 for offer, _ in await groups.offers(session, group_id)]
        agent_ids = [AGENT_BASE + n for n in range(agents)]
        people = [(uid, f"Buyer {uid}") for uid in range(1, buyers + 1)]
        people += [(uid, f"Agent {n}") for n, uid in enumerate(agent_ids)]
        for uid, name in people:
            session.add(
                User(
                    id=uid, first_name=name, locale=LOCALES[uid % len(LOCALES)],
                    country="IT", city="Milan", currency="EUR", timezone="Europe/Rome",
                )
            )  # fmt: skip
        for uid in agent_ids:
            session.add(Agent(user_id=uid, country="IT", city="Milan"))
        await session.commit()
        for uid in range(1, min(joins, buyers) + 1):
            for offer, quantity in lines_for(uid):
                await groups.set_quantity(
                    session, group_id=group_id, offer_id=offer_ids[offer], user_id=uid,
                    quantity=quantity, now=NOW,
                )  # fmt: skip
        direct = range(min(joins, buyers) + 1, buyers + 1)
        if direct:
            await begin_write(session)
            orders = [Order(group_id=group_id, user_id=uid, created_at=NOW, updated_at=NOW)
                      for uid in direct]  # fmt: skip
            session.add_all(orders)
            await session.flush()
            added = 0
            for order in orders:
                for offer, quantity in lines_for(order.user_id):
                    session.add(
                        OrderLine(order_id=order.id or 0, offer_id=offer_ids[offer],
                                  quantity=quantity, amount=quantity)
                    )  # fmt: skip
                    added += quantity  # a units group: a line adds its quantity
            await session.exec(
                update(GroupOrder)
                .where(col(GroupOrder.id) == group_id)
                .values(total=col(GroupOrder.total) + added, min_reached_at=NOW)
            )
            await outbox.enqueue_many(
                session,
                [
                    Outgoing(agent, Kind.AGENT_ORDER,
                             AgentAlert(group_id, order.id or 0, AgentEvent.PLACED),
                             coalesce_key=f"agent_order:{order.id}:{agent}")
                    for order in orders
                    for agent in agent_ids
                ],
                now=NOW,
            )  # fmt: skip
            await session.commit()
        outcome = await groups.close(session, group_id=group_id, now=NOW, force=True)
        assert outcome is not None and outcome.status == "formed", outcome
        assert outcome.orders == buyers, outcome
        total = (
            await session.exec(select(GroupOrder.total).where(GroupOrder.id == group_id))
        ).one()
        lines = (await session.exec(select(func.sum(OrderLine.quantity)))).one()
        assert total == lines, (total, lines)  # the direct inserts kept the group consistent
    return group_id, time.perf_counter() - start


async def queued(factory: async_sessionmaker[AsyncSession], kind: Kind) -> list[int]:
    async with factory() as session:
        found = await session.exec(
            select(Notification.id)
            .where(Notification.kind == kind.value)
            .order_by(col(Notification.id))
        )
        return [row_id for row_id in found.all() if row_id is not None]


@dataclass
class Result:
    mode: str
    batch: int
    rows: int = 0
    seconds: float = 0.0
    statements: int = 0
    batches: int = 0
    per_batch: Counter[int] = field(default_factory=Counter)  # statements -> full batches
    seen: Counter[str] = field(default_factory=Counter)
    texts: dict[int, str] = field(default_factory=dict)  # row id -> rendered text

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else float("inf")

    @property
    def sql_per_batch(self) -> float:
        return self.statements / self.batches if self.batches else 0.0


def chunks(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def render_one(
    i18n: I18n, row: Notification, user: User, batch: notifications.Batch, now: datetime
) -> str:
    """One row, exactly as `OutboxSender._load` renders it."""
    ctx = RenderContext.for_user(user, now)
    with i18n.context(), i18n.use_locale(ctx.locale), use_context(ctx):
        rendered = notifications.render(row, user, batch, ctx)
    assert rendered is not None, f"notification {row.id} ({row.kind}) rendered to nothing"
    text, _markup = rendered
    assert text.strip(), f"notification {row.id} ({row.kind}) rendered to an empty text"
    return text


async def measure(
    factory: async_sessionmaker[AsyncSession],
    i18n: I18n,
    counter: StatementCounter,
    ids: Sequence[int],
    *,
    batch_size: int,
    batched: bool,
) -> Result:
    result = Result("batched (after)" if batched else "row at a time (before)", batch_size)
    for chunk in chunks(ids, batch_size):
        async with factory() as session:
            # what the sender reads before rendering: not timed, not counted
            rows = (
                await session.exec(
                    select(Notification)
                    .where(col(Notification.id).in_(chunk))
                    .order_by(col(Notification.id))
                )
            ).all()
            found = await session.exec(
                select(User).where(col(User.id).in_({row.user_id for row in rows}))
            )
            users = {user.id: user for user in found.all()}
            assert len(rows) == len(chunk)
            before = counter.count
            seen_before = counter.seen.copy()
            texts = result.texts
            start = time.perf_counter()
            with counter.counting():
                if batched:
                    batch = await notifications.prefetch(session, rows)
                    for row in rows:
                        texts[row.id or 0] = render_one(i18n, row, users[row.user_id], batch, NOW)
                else:
                    for row in rows:
                        one = await notifications.prefetch(session, [row])
                        texts[row.id or 0] = render_one(i18n, row, users[row.user_id], one, NOW)
            result.seconds += time.perf_counter() - start
        statements = counter.count - before
        result.rows += len(rows)
        result.batches += 1
        result.statements += statements
        if len(rows) == batch_size:
            result.per_batch[statements] += 1
            if result.per_batch[statements] == 1:
                result.seen = counter.seen - seen_before  # one full batch's statements
    return result


def print_table(title: str, results: list[Result]) -> None:
    print(title)
    print(
        f"  {'mode':<24}{'batch':>6}{'rows':>7}{'seconds':>9}{'rendered/s':>12}{'sql/batch':>11}"
        f"{'÷ 30/s':>9}"
    )
    for r in results:
        print(
            f"  {r.mode:<24}{r.batch:>6}{r.rows:>7}{r.seconds:>9.3f}{r.rate:>12.0f}"
            f"{r.sql_per_batch:>11.1f}{r.rate / TELEGRAM_RATE:>9.1f}"
        )


def report_growth(results: list[Result]) -> bool:
    """True when the batched mode's statements per full batch are the same at every size."""
    batched = [r for r in results if r.mode.startswith("batched") and r.per_batch]
    counts = {n for r in batched for n in r.per_batch}
    if len(counts) <= 1:
        return True
    print("  !! batched statements per batch vary with the batch size:")
    for r in batched:
        print(f"     batch {r.batch}: {dict(r.per_batch)} (statements: full batches)")
        for statement, times in r.seen.most_common(5):
            print(f"       {times:>5} x {statement}")
    return False


def same_texts(before: Result, after: Result) -> str:
    """Both modes must word every row alike (the batch changes how it is read, not what it says)."""
    differ = [row_id for row_id, text in before.texts.items() if after.texts.get(row_id) != text]
    assert not differ, f"{len(differ)} rows rendered differently, e.g. notification {differ[0]}"
    return f"texts identical in both modes: yes ({len(before.texts)} rows compared)"


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--buyers", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=100, help="the sender's batch size")
    parser.add_argument(
        "--joins",
        type=int,
        default=200,
        help="buyers who join through set_quantity (the rest: inserted)",
    )
    parser.add_argument(
        "--agents", type=int, default=1, help="agents of the city (their alerts: second table)"
    )
    parser.add_argument(
        "--sample", type=int, default=1000,
        help="rows the slow row-at-a-time mode renders, except at --batch (where it renders all)",
    )  # fmt: skip
    parser.add_argument(
        "--database-url", default=None,
        help="a PostgreSQL server: the bench creates its own database on it and drops it after",
    )  # fmt: skip
    args = parser.parse_args()
    async with own_database(args.database_url, name="notify") as url:
        await run(args, url)


async def run(args: argparse.Namespace, url: str) -> None:
    engine = create_engine(url)
    await migrate(engine)
    factory = create_session_factory(engine)
    i18n = create_i18n(PROJECT_ROOT / "locales")
    counter = StatementCounter(engine)

    group_id, setup_seconds = await set_up(
        factory, buyers=args.buyers, joins=args.joins, agents=args.agents
    )
    formed = await queued(factory, Kind.GROUP_FORMED)
    alerts = await queued(factory, Kind.AGENT_ORDER)
    assert len(formed) == args.buyers, (len(formed), args.buyers)
    backend = "SQLite" if is_sqlite(url) else "PostgreSQL"
    locales = len({LOCALES[uid % len(LOCALES)] for uid in range(1, args.buyers + 1)})
    print(
        f"backend: {backend}; group {group_id}: {args.buyers} buyers in {locales} locales "
        f"({min(args.joins, args.buyers)} joined through set_quantity), {args.agents} agent(s); "
        f"set-up {setup_seconds:.1f} s"
    )
    print(
        f"outbox: {len(formed)} group_formed, {len(alerts)} agent_order. Timed and counted: "
        "prefetch + render; the 2 reads per batch of the rows and their recipients are not."
    )

    # warm-up (catalogues, Babel data, statement caches), not measured
    for batched in (False, True):
        await measure(factory, i18n, counter, formed[:200], batch_size=100, batched=batched)

    sizes = sorted({*SWEEP, args.batch})
    results = []
    for size in sizes:
        sample = formed if size == args.batch else formed[: max(args.sample, size)]
        results.append(
            await measure(factory, i18n, counter, sample, batch_size=size, batched=False)
        )
        results.append(await measure(factory, i18n, counter, formed, batch_size=size, batched=True))
    print_table("\ngroup_formed, one per buyer:", results)
    constant = report_growth(results)
    before = next(r for r in results if r.batch == args.batch and not r.mode.startswith("batched"))
    after = next(r for r in results if r.batch == args.batch and r.mode.startswith("batched"))
    met = after.rate >= TARGET_FACTOR * TELEGRAM_RATE
    print(
        f"  at batch {args.batch}: after/before speed-up {after.rate / before.rate:.1f}x; "
        f"after = {after.rate / TELEGRAM_RATE:.0f}x Telegram's 30/s "
        f"(target >= {TARGET_FACTOR:.0f}x: {'met' if met else 'NOT met'})"
    )
    print(
        f"  batched sql/batch the same at batch {', '.join(map(str, sizes))}: "
        f"{'yes' if constant else 'NO'}"
    )
    print(f"  {same_texts(before, after)}")

    if alerts:
        agent_results = [
            await measure(factory, i18n, counter, alerts[: max(args.sample, args.batch)],
                          batch_size=args.batch, batched=False),
            await measure(factory, i18n, counter, alerts, batch_size=args.batch, batched=True),
        ]  # fmt: skip
        print_table("\nagent_order alerts (one per order and agent):", agent_results)
        report_growth(agent_results)
        slow, fast = agent_results
        print(
            f"  at batch {args.batch}: after/before speed-up {fast.rate / slow.rate:.1f}x; "
            f"after = {fast.rate / TELEGRAM_RATE:.0f}x Telegram's 30/s"
        )
        print(f"  {same_texts(slow, fast)}")
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
