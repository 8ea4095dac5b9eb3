"""1,000 buyers join one group order at once, through the dispatcher and an in-process Bot API.

    python bench/join_bench.py [--buyers 1000] [--database-url postgresql://…]

Each buyer opens the group's card (`/start gb_<id>`, set-up, not timed) and presses "Confirm" on
its quantity picker: a callback_query update (`bench.fakes.Updates`) on the card the bot showed
them, fed to the dispatcher with `dp.feed_update` (middlewares, handler, service, the answer and
the edited card) and answered by the fake session (`bench.fakes.fake_bot`: requests serialised as
the HTTP session does, answered at once, so no server's CPU counts as the bot's). Prints joins/s
and p50/p99 latency for the concurrent run and for a sequential baseline in the same run, their
ratio, and checks the group total against the sum of its order lines (they must match exactly)
and the capacity cap.

The bench owns its database (`bench.dbs.own_database`): a temporary SQLite file, or with
`--database-url` a new PostgreSQL database it creates on that server and drops at the end (no
other database is touched).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram.types import User as TgUser  # noqa: E402
from sqlalchemy import func  # noqa: E402
from sqlmodel import col, select  # noqa: E402

from bench.dbs import own_database  # noqa: E402
from bench.fakes import FakeSession, Updates, fake_bot  # noqa: E402
from bot.db import create_engine, create_session_factory, is_sqlite, migrate  # noqa: E402
from bot.dispatcher import create_dispatcher  # noqa: E402
from bot.i18n import create_i18n  # noqa: E402
from core.clock import FrozenClock  # noqa: E402
from core.config import PROJECT_ROOT, Settings  # noqa: E402
from models import GroupOrder, Order, OrderLine, Product, User  # noqa: E402
from services import groups  # noqa: E402
from services.groups import GroupSpec, OfferSpec  # noqa: E402
from services.seed import seed_demo  # noqa: E402
from ui.callbacks import QtyCb  # noqa: E402


async def make_group(factory, clock, capacity: int) -> tuple[int, int]:  # noqa: ANN001
    async with factory() as session:
        product = (
            await session.exec(select(Product).where(Product.slug == "dried-shiitake"))
        ).one()
        group = await groups.create_group(
            session,
            spec=GroupSpec(
                country="IT",
                city="Milan",
                method="rail",
                deadline=clock.now() + timedelta(days=3),
                measure="units",
                min_total=100,
                capacity=capacity,
                tiers=[0, 500],
                offers=[OfferSpec(product.id, [3800, 3500])],
            ),  # fmt: skip
            created_by=None,
            now=clock.now(),
        )
        offer = (await groups.offers(session, group.id))[0][0]
        return group.id, offer.id


async def check(factory, group_id: int) -> tuple[int, int, int]:  # noqa: ANN001
    async with factory() as session:
        group = await session.get(GroupOrder, group_id)
        lines = (
            await session.exec(
                select(func.coalesce(func.sum(OrderLine.amount), 0))
                .join(Order, col(Order.id) == OrderLine.order_id)
                .where(Order.group_id == group_id, Order.status == "placed")
            )
        ).one()
        orders = (
            await session.exec(
                select(func.count())
                .select_from(Order)
                .where(Order.group_id == group_id, Order.status == "placed")
            )
        ).one()
        return group.total, int(lines), int(orders)


async def run_round(bot, dp, updates: Updates, users, group_id, offer_id, *, concurrent: bool):  # noqa: ANN001
    """Open the group card for everyone (setup), then time the confirms."""
    opening = [updates.text(user, f"/start gb_{group_id}") for user in users]
    await asyncio.gather(*(dp.feed_update(bot, u) for u in opening))
    session: FakeSession = bot.session
    confirm = QtyCb(g=group_id, o=offer_id, n=1, a="ok").pack()
    taps = []
    for user in users:
        card = session.last.get(user.id)
        if card is None:
            raise SystemExit(f"buyer {user.id} was shown no group card")
        taps.append(updates.tap(user, card, confirm))
    latencies: list[float] = []

    async def one(update) -> None:  # noqa: ANN001
        start = time.perf_counter()
        await dp.feed_update(bot, update)
        latencies.append(time.perf_counter() - start)

    start = time.perf_counter()
    if concurrent:
        await asyncio.gather(*(one(u) for u in taps))
    else:
        for update in taps:
            await one(update)
    elapsed = time.perf_counter() - start
    return len(taps) / elapsed, latencies, elapsed


def buyer(uid: int) -> TgUser:
    return TgUser(id=uid, is_bot=False, first_name="b", language_code="it")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--buyers", type=int, default=1000)
    parser.add_argument(
        "--database-url", default=None,
        help="a PostgreSQL server: the bench creates its own database on it and drops it after",
    )  # fmt: skip
    args = parser.parse_args()
    async with own_database(args.database_url, name="join") as url:
        await bench(url, args.buyers)


async def bench(url: str, n: int) -> None:
    engine = (
        create_engine(url) if is_sqlite(url) else create_engine(url, pool_size=20, max_overflow=20)
    )
    await migrate(engine)
    factory = create_session_factory(engine)
    async with factory() as session:
        await seed_demo(session)
    clock = FrozenClock()
    async with factory() as session:
        for uid in range(1, 2 * n + 1):
            session.add(
                User(
                    id=uid,
                    first_name=f"Buyer {uid}",
                    locale="it",
                    country="IT",
                    city="Milan",
                    currency="EUR",
                    timezone="Europe/Rome",
                )
            )
        await session.commit()
    settings = Settings(_env_file=None, bot_token="1:BENCH", database_url=url)
    i18n = create_i18n(PROJECT_ROOT / "locales")
    bot = fake_bot()
    updates = Updates()
    dp = create_dispatcher(settings=settings, session_factory=factory, i18n=i18n, clock=clock)
    capacity = n - n // 10  # 10% of the buyers find the group full
    # baseline: one join at a time
    g0, o0 = await make_group(factory, clock, capacity)
    seq_users = [buyer(n + i + 1) for i in range(n)]
    seq_rate, seq_lat, _ = await run_round(bot, dp, updates, seq_users, g0, o0, concurrent=False)
    # the real thing: everyone at once
    g1, o1 = await make_group(factory, clock, capacity)
    users = [buyer(i + 1) for i in range(n)]
    rate, lat, elapsed = await run_round(bot, dp, updates, users, g1, o1, concurrent=True)
    total, lines, orders = await check(factory, g1)
    base_total, base_lines, _ = await check(factory, g0)
    await bot.session.close()
    await engine.dispose()
    backend = "SQLite" if is_sqlite(url) else "PostgreSQL"
    print(f"backend: {backend}; buyers: {n}; capacity: {capacity} units (1 unit each)")
    print(
        f"sequential baseline: {seq_rate:8.1f} joins/s  p50 {pct(seq_lat, 0.5):6.1f} ms  p99 {pct(seq_lat, 0.99):6.1f} ms"
    )
    print(
        f"concurrent ({n} at once): {rate:8.1f} joins/s  p50 {pct(lat, 0.5):6.1f} ms  p99 {pct(lat, 0.99):6.1f} ms  ({elapsed:.2f} s)"
    )
    print(f"throughput ratio concurrent / sequential: {rate / seq_rate:.2f}")
    print(
        f"mean latency ratio concurrent / sequential: {statistics.mean(lat) / statistics.mean(seq_lat):.1f}"
    )
    ok = total == lines and total <= capacity and orders == total and base_total == base_lines
    print(
        f"group total {total} == sum of lines {lines}: {total == lines}; orders placed {orders}; within capacity: {total <= capacity}"
    )
    print("CHECK", "PASSED" if ok else "FAILED")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    asyncio.run(main())
