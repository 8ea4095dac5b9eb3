"""Updates per second: bare aiogram's echo against the project's dispatcher, in one process,
through one in-process fake Bot API session (bench/fakes.py), on three streams of distinct,
onboarded users:

- browse: /catalog → a category → a product → ⬅ Back → the next page;
- search: a product's name typed in the user's language → a result → another name;
- join: /groups → a group's card → the quantity picker → Confirm.

    python bench/throughput_bench.py [--users 150] [--rounds 5] [--database-url postgresql://…]

Each round runs every stream through bare aiogram (an echo of the same updates: a reply per
message, an answer and an edit per tap) and then through the project's dispatcher, interleaved so
a busy machine slows both alike. It prints per stream the medians of updates/s over the rounds,
their ratio to bare aiogram, the SQL statements per update (per step, too), and p50/p99 latency
per step; then peak RSS when idle and after 1,500 updates. The first project round is a warm-up
(first contact: empty caches), reported apart.

Every bench owns its database (bench/dbs.py): a temporary SQLite file, or a new PostgreSQL
database created on the given server and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import resource
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram import Dispatcher, F, Router  # noqa: E402
from aiogram.fsm.storage.memory import MemoryStorage  # noqa: E402
from aiogram.types import CallbackQuery, Message, Update  # noqa: E402
from aiogram.types import User as TgUser  # noqa: E402
from sqlalchemy import event  # noqa: E402
from sqlmodel import select  # noqa: E402

from bench.dbs import own_database  # noqa: E402
from bench.fakes import FakeSession, Updates, fake_bot  # noqa: E402
from bench.join_bench import make_group  # noqa: E402
from bot.db import create_engine, create_session_factory, migrate  # noqa: E402
from bot.dispatcher import create_dispatcher  # noqa: E402
from bot.i18n import create_i18n  # noqa: E402
from core.clock import FrozenClock  # noqa: E402
from core.config import PROJECT_ROOT, Settings  # noqa: E402
from core.locales import LOCALES  # noqa: E402
from domain.catalog import localized  # noqa: E402
from models import Product, User  # noqa: E402
from services.search import current_index  # noqa: E402
from services.seed import seed_demo  # noqa: E402
from ui.callbacks import (  # noqa: E402
    FROM_SEARCH,
    CategoryCb,
    GroupCb,
    ProductCb,
    QtyCb,
)

STREAMS = ("browse", "search", "join")
RSS_AFTER = 1_500


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Statements:
    """SQL statements sent to the database, counted at the driver."""

    def __init__(self, engine) -> None:  # noqa: ANN001
        self.count = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._one)

    def _one(self, *args: object) -> None:
        self.count += 1


# ------------------------------------------------------------------------------------------ users


@dataclass
class Person:
    tg: TgUser
    locale: str
    query: list[str] = field(default_factory=list)


def people(first_id: int, count: int) -> list[Person]:
    locales = sorted(LOCALES)
    return [
        Person(
            TgUser(
                id=first_id + i,
                is_bot=False,
                first_name=f"Buyer {i}",
                language_code=locales[i % len(locales)].split("_")[0],
            ),
            locales[i % len(locales)],
        )
        for i in range(count)
    ]


def query_for(name: str, locale: str) -> str:
    """What someone types for a product: its first words (or characters, in Chinese)."""
    if locale.startswith("zh"):
        return name[:4]
    return " ".join(name.replace(",", " ").split()[:2])


# ---------------------------------------------------------------------------------------- streams

Step = Callable[[Person, Message | None], Update | None]


def pick(message: Message | None, test: Callable[[str], bool], nth: int = 0) -> str | None:
    """The data of the `nth` button (of those `test` accepts) on the message's keyboard."""
    if message is None or message.reply_markup is None:
        return None
    found = [
        b.callback_data
        for row in message.reply_markup.inline_keyboard
        for b in row
        if b.callback_data and test(b.callback_data)
    ]
    return found[min(nth, len(found) - 1)] if found else None


def unpacks(cls, **wanted) -> Callable[[str], bool]:  # noqa: ANN001
    def test(data: str) -> bool:
        if not data.startswith(cls.__prefix__ + ":"):
            return False
        try:
            value = cls.unpack(data)
        except (TypeError, ValueError):
            return False
        return all(getattr(value, k) == v for k, v in wanted.items())

    return test


class Streams:
    def __init__(self, updates: Updates, group_id: int) -> None:
        self.u = updates
        self.group_id = group_id

    def _tap(self, person: Person, message: Message | None, data: str | None) -> Update | None:
        if message is None or data is None:
            return None
        return self.u.tap(person.tg, message, data)

    def steps(self, stream: str) -> list[tuple[str, Step]]:
        u = self.u
        if stream == "browse":
            return [
                ("/catalog", lambda p, m: u.text(p.tg, "/catalog")),
                ("category", lambda p, m: self._tap(p, m, pick(m, lambda d: unpacks(CategoryCb)(d) and CategoryCb.unpack(d).id > 0, p.tg.id % 3))),
                ("product", lambda p, m: self._tap(p, m, pick(m, unpacks(ProductCb), p.tg.id % 2))),
                ("back", lambda p, m: self._tap(p, m, pick(m, lambda d: unpacks(CategoryCb)(d) and CategoryCb.unpack(d).id > 0))),
                ("next page", lambda p, m: self._tap(p, m, pick(m, unpacks(CategoryCb, page=1)) or pick(m, unpacks(CategoryCb, id=0)))),
            ]  # fmt: skip
        if stream == "search":
            return [
                ("query", lambda p, m: u.text(p.tg, p.query[0])),
                ("result", lambda p, m: self._tap(p, m, pick(m, unpacks(ProductCb, cat=FROM_SEARCH)))),
                ("query 2", lambda p, m: u.text(p.tg, p.query[1])),
            ]  # fmt: skip
        return [
            ("/groups", lambda p, m: u.text(p.tg, "/groups")),
            ("card", lambda p, m: self._tap(p, m, pick(m, unpacks(GroupCb, id=self.group_id, a="show")))),
            ("picker", lambda p, m: self._tap(p, m, pick(m, unpacks(QtyCb, a="p")))),
            ("confirm", lambda p, m: self._tap(p, m, pick(m, unpacks(QtyCb, a="ok")))),
        ]  # fmt: skip


# ------------------------------------------------------------------------------------------ bare


def bare_dispatcher() -> Dispatcher:
    """aiogram's echo: a message gets its text back, a tap its answer and its data as an edit."""
    router = Router()

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    @router.callback_query()
    async def tapped(callback: CallbackQuery) -> None:
        await callback.answer()
        if isinstance(callback.message, Message):
            await callback.message.edit_text(callback.data or "")

    dp = Dispatcher(storage=MemoryStorage())
    dp.include_router(router)
    return dp


# ------------------------------------------------------------------------------------------- run


@dataclass
class Measure:
    updates: int = 0
    seconds: float = 0.0
    statements: int = 0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    step_statements: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    step_updates: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0


async def feed(dp, bot, updates: list[Update], concurrency: int, lat: list[float]) -> float:  # noqa: ANN001
    slots = asyncio.Semaphore(concurrency)

    async def one(update: Update) -> None:
        async with slots:
            start = time.perf_counter()
            await dp.feed_update(bot, update)
            lat.append(time.perf_counter() - start)

    start = time.perf_counter()
    await asyncio.gather(*(one(update) for update in updates))
    return time.perf_counter() - start


async def run_stream(
    dp, bot, stream: str, cast: list[Person], streams: Streams, concurrency: int,  # noqa: ANN001
    statements: Statements | None, record: list[list[Update]] | None = None,
) -> Measure:  # fmt: skip
    """Every person through the stream's steps, one step at a time for all of them."""
    measure = Measure()
    session: FakeSession = bot.session
    for index, (name, step) in enumerate(streams.steps(stream)):
        batch = [
            update
            for person in cast
            if (update := step(person, session.last.get(person.tg.id))) is not None
        ]
        if record is not None:
            record.append(batch)
        before = statements.count if statements else 0
        measure.seconds += await feed(dp, bot, batch, concurrency, measure.latencies[name])
        if statements is not None:
            measure.step_statements[name] += statements.count - before
            measure.statements += statements.count - before
        measure.step_updates[name] += len(batch)
        measure.updates += len(batch)
        if len(batch) < len(cast) * 0.9:
            raise SystemExit(
                f"{stream}: step {index} ({name}) found its button for only {len(batch)} of {len(cast)}"
            )
    return measure


async def replay(
    dp, bot, batches: list[list[Update]], updates: Updates, concurrency: int
) -> Measure:  # noqa: ANN001
    measure = Measure()
    for batch in batches:
        fresh = [updates.again(update) for update in batch]
        measure.seconds += await feed(dp, bot, fresh, concurrency, measure.latencies["all"])
        measure.updates += len(fresh)
    return measure


async def prepare(url: str, clock: FrozenClock, users: int, rounds: int):  # noqa: ANN201
    pg = not url.startswith("sqlite")
    engine = create_engine(url, pool_size=10, max_overflow=10) if pg else create_engine(url)
    await migrate(engine)
    factory = create_session_factory(engine)
    async with factory() as session:
        await seed_demo(session, now=clock.now())
        await current_index(session)
        names = [p.names for p in (await session.exec(select(Product))).all()]
        cast = {
            "browse": people(10_000, users),
            "search": people(20_000, users),
            # every round's joiners are new to the group (a second confirm would be a no-op)
            "join": people(30_000, users * (rounds + 1)),
        }
        for persons in cast.values():
            for i, person in enumerate(persons):
                session.add(
                    User(
                        id=person.tg.id, first_name=person.tg.first_name,
                        username=None, language_code=person.tg.language_code,
                        locale=person.locale, country="IT", city="Milan", currency="EUR",
                        timezone="Europe/Rome",
                    )
                )  # fmt: skip
                person.query = [
                    query_for(localized(names[(i + k) % len(names)], person.locale), person.locale)
                    for k in (0, 7)
                ]
        await session.commit()
    group_id, _offer = await make_group(factory, clock, capacity=1_000_000)  # joined by all rounds
    return engine, factory, group_id, cast


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


async def bench(url: str, args: argparse.Namespace) -> dict[str, float]:
    clock = FrozenClock()
    engine, factory, group_id, cast = await prepare(url, clock, args.users, args.rounds)
    statements = Statements(engine)
    settings = Settings(
        _env_file=None, bot_token="123456:BENCH", database_url=url, throttle_burst=0
    )
    i18n = create_i18n(PROJECT_ROOT / "locales")
    bot = fake_bot()
    dp = create_dispatcher(
        settings=settings, session_factory=factory, i18n=i18n, clock=clock, storage=MemoryStorage()
    )
    bare_bot = fake_bot()
    bare = bare_dispatcher()
    gc.collect()
    idle_rss = peak_rss_mib()
    updates = Updates()
    streams = Streams(updates, group_id)
    concurrency = settings.max_concurrent_updates
    joiners = cast["join"]

    def cast_of(stream: str, round_: int) -> list[Person]:
        if stream != "join":
            return cast[stream]
        return joiners[round_ * args.users : (round_ + 1) * args.users]

    # warm-up: first contact (nothing cached), and the updates bare aiogram replays
    recorded: dict[str, list[list[Update]]] = {}
    warm: dict[str, Measure] = {}
    for stream in STREAMS:
        recorded[stream] = []
        warm[stream] = await run_stream(
            dp, bot, stream, cast_of(stream, 0), streams, concurrency, statements, recorded[stream]
        )
    handled = sum(m.updates for m in warm.values())
    rss_after: float | None = None
    rates: dict[str, list[float]] = {s: [] for s in STREAMS}
    bare_rates: dict[str, list[float]] = {s: [] for s in STREAMS}
    totals: dict[str, Measure] = {s: Measure() for s in STREAMS}
    for round_ in range(1, args.rounds + 1):
        for stream in STREAMS:
            bare_rates[stream].append(
                (await replay(bare, bare_bot, recorded[stream], updates, concurrency)).rate
            )
            measure = await run_stream(
                dp, bot, stream, cast_of(stream, round_), streams, concurrency, statements
            )
            rates[stream].append(measure.rate)
            total = totals[stream]
            total.updates += measure.updates
            total.statements += measure.statements
            for name, values in measure.latencies.items():
                total.latencies[name] += values
                total.step_statements[name] += measure.step_statements[name]
                total.step_updates[name] += measure.step_updates[name]
            handled += measure.updates
            if rss_after is None and handled >= RSS_AFTER:
                rss_after = peak_rss_mib()
    await engine.dispose()

    backend = "PostgreSQL" if not url.startswith("sqlite") else "SQLite"
    print(f"\n== {backend}: {args.users} users per stream, {args.rounds} rounds, "
          f"{concurrency} updates at once ==")  # fmt: skip
    print(
        f"{'stream':8} {'bare/s':>9} {'project/s':>10} {'ratio':>6} {'SQL/update':>11}  (warm-up: first contact)"
    )
    figures: dict[str, float] = {}
    for stream in STREAMS:
        b, p = statistics.median(bare_rates[stream]), statistics.median(rates[stream])
        t, w = totals[stream], warm[stream]
        figures[stream] = p / b
        print(
            f"{stream:8} {b:9.0f} {p:10.0f} {p / b:6.2f} {t.statements / t.updates:11.2f}"
            f"  ({w.rate:.0f}/s, {w.rate / b:.2f}, {w.statements / w.updates:.2f} SQL)"
        )
    print(f"\n{'step':18} {'p50 ms':>7} {'p99 ms':>7} {'SQL/update':>11}")
    for stream in STREAMS:
        for name, values in totals[stream].latencies.items():
            n = totals[stream].step_updates[name]
            print(
                f"{stream + ' ' + name:18} {pct(values, 0.5):7.2f} {pct(values, 0.99):7.2f}"
                f" {totals[stream].step_statements[name] / max(n, 1):11.2f}"
            )
    print(f"\npeak RSS: idle {idle_rss:.0f} MiB, after {RSS_AFTER:,} updates "
          f"{rss_after or peak_rss_mib():.0f} MiB, at the end {peak_rss_mib():.0f} MiB")  # fmt: skip
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL server (a database of its own is created)",
    )
    args = parser.parse_args()
    async with own_database(args.database_url, name="throughput") as url:
        await bench(url, args)


if __name__ == "__main__":
    asyncio.run(main())
