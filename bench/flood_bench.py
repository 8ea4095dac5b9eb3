"""A flood of newcomers: N users send /start at the same moment (a share link posted in a big
chat), plus one onboarded bystander who sends /help right after them.

    python bench/flood_bench.py [--users 2000] [--database-url postgresql://…]

Every update is a message update (`bench.fakes.Updates`) fed to the dispatcher with
`dp.feed_update`; the answers go to the fake session (`bench.fakes.fake_bot`: requests serialised
as the HTTP session does and answered at once, so no server's CPU counts as the bot's), which
remembers what each chat was shown last. The same number of newcomers handled one at a time is
the baseline, in the same run. Prints updates answered per second, failed updates (unanswered,
or logged by the errors router), p50/p99 latency, the bystander's wait, and the ratios against
the baseline.

The bench owns its database (`bench.dbs.own_database`): a temporary SQLite file, or with
`--database-url` a new PostgreSQL database it creates on that server and drops at the end (no
other database is touched).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram.types import User as TgUser  # noqa: E402

from bench.dbs import own_database  # noqa: E402
from bench.fakes import FakeSession, Updates, fake_bot  # noqa: E402
from bench.join_bench import pct  # noqa: E402
from bot.db import create_engine, create_session_factory, is_sqlite, migrate  # noqa: E402
from bot.dispatcher import create_dispatcher  # noqa: E402
from bot.i18n import create_i18n  # noqa: E402
from core.clock import FrozenClock  # noqa: E402
from core.config import PROJECT_ROOT, Settings  # noqa: E402
from models import User  # noqa: E402
from services.seed import seed_demo  # noqa: E402


class Failures(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def flood(bot, dp, make: Updates, users, bystander, *, concurrent: bool):  # noqa: ANN001, ANN201
    updates = [make.text(user, "/start") for user in users]
    if bystander is not None:
        updates.append(make.text(bystander, "/help"))
    session: FakeSession = bot.session
    latencies: dict[int, float] = {}

    async def one(update) -> None:  # noqa: ANN001
        start = time.perf_counter()
        await dp.feed_update(bot, update)
        latencies[update.update_id] = time.perf_counter() - start

    start = time.perf_counter()
    if concurrent:
        await asyncio.gather(*(one(u) for u in updates))
    else:
        for update in updates:
            await one(update)
    elapsed = time.perf_counter() - start
    unanswered = sum(1 for user in users if session.last.get(user.id) is None)
    bystander_wait = latencies[updates[-1].update_id] if bystander is not None else 0.0
    return len(updates) / elapsed, list(latencies.values()), unanswered, bystander_wait


def newcomer(uid: int, name: str, language: str = "it") -> TgUser:
    return TgUser(id=uid, is_bot=False, first_name=name, language_code=language)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument(
        "--database-url", default=None,
        help="a PostgreSQL server: the bench creates its own database on it and drops it after",
    )  # fmt: skip
    parser.add_argument(
        "--limit", type=int, default=None,
        help="MAX_CONCURRENT_UPDATES for this run (0: unbounded, as before the bound existed)",
    )  # fmt: skip
    args = parser.parse_args()
    async with own_database(args.database_url, name="flood") as url:
        await bench(url, args)


async def bench(url: str, args: argparse.Namespace) -> None:
    engine = create_engine(url)  # the default pool (5 + 10), as deployed
    await migrate(engine)
    factory = create_session_factory(engine)
    async with factory() as session:
        await seed_demo(session)
        session.add(
            User(id=1, first_name="Bystander", locale="en", country="IT", city="Milan",
                 currency="EUR", timezone="Europe/Rome")
        )  # fmt: skip
        await session.commit()
    failures = Failures()
    logging.getLogger("handlers.errors").addHandler(failures)
    settings = Settings(_env_file=None, bot_token="1:BENCH", database_url=url, throttle_burst=0)
    if args.limit is not None:
        settings = settings.model_copy(update={"max_concurrent_updates": args.limit})
    i18n = create_i18n(PROJECT_ROOT / "locales")
    n = args.users
    bot = fake_bot()
    updates = Updates()
    dp = create_dispatcher(
        settings=settings, session_factory=factory, i18n=i18n, clock=FrozenClock()
    )
    baseline = [newcomer(10_000 + i, "s") for i in range(n)]
    seq_rate, seq_lat, seq_missing, _ = await flood(
        bot, dp, updates, baseline, None, concurrent=False
    )
    crowd = [newcomer(100_000 + i, "f") for i in range(n)]
    bystander = newcomer(1, "Bystander", "en")
    rate, lat, missing, waited = await flood(bot, dp, updates, crowd, bystander, concurrent=True)
    await bot.session.close()
    await engine.dispose()
    backend = "SQLite" if is_sqlite(url) else "PostgreSQL"
    print(f"backend: {backend}; newcomers: {n}; at most {settings.max_concurrent_updates} at once")
    print(
        f"one at a time (baseline): {seq_rate:7.1f} updates/s  p50 {pct(seq_lat, 0.5):7.1f} ms"
        f"  p99 {pct(seq_lat, 0.99):7.1f} ms  unanswered {seq_missing}"
    )
    print(
        f"all at once:              {rate:7.1f} updates/s  p50 {pct(lat, 0.5):7.1f} ms"
        f"  p99 {pct(lat, 0.99):7.1f} ms  unanswered {missing}"
    )
    print(f"throughput ratio at once / one at a time: {rate / seq_rate:.2f}")
    print(f"the bystander's /help answered after {waited:.2f} s")
    print(f"failed updates (errors router): {failures.count}")
    ok = missing == 0 and seq_missing == 0 and failures.count == 0
    print("CHECK", "PASSED" if ok else "FAILED")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    asyncio.run(main())
