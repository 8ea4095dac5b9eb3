"""Balances for a whole group: what /collect, the agents' cards and the notices read.

    .venv/bin/python bench/balance_bench.py [--buyers N] [--sample N] [--database-url URL]

Set-up (not timed): a database of its own (`bench.dbs.own_database`): a temporary SQLite file,
or with `--database-url` a new PostgreSQL database the bench creates on that server and drops
at the end (no other database is touched); migrated and seeded with the demo; one open Milan
group (two products, tiers) and `--buyers` buyers (2,000) with an order each: a third in
euros, a third in pounds, a third in yuan; every other order has a cash payment of what it
owes, every fifth a transfer of part of it, every tenth left after paying (a refund due), every
twentieth was refunded. Entries are written directly (one transaction), not through the use-cases.

Measured, in one run:

- `services.groups.balances.balances` for every order of the group at once: seconds and SQL
  statements; the baseline is the same orders one at a time (`balance_of`), over the first
  `--sample` (300) of them: the ratio is per order;
- the collection list (`services.collection.collection` + `ui.collection.collection_view`, text
  and CSV) against the pick list of the same group (`services.agents.pick_list` +
  `ui.agents.picklist_view`), which reads no money: the ratio is what the money costs on top;
- whether each currency adds up: the sum of what is due equals the sum of what was paid, less
  what was refunded, plus what is left (asserted, in each currency and in yuan), and the
  batched and one-at-a-time balances agree (asserted).

Figures are ratios against a baseline of the same run, never timed assertions. ~10-20 s.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import select  # noqa: E402

from bench.dbs import own_database  # noqa: E402
from bench.notify_bench import NOW, StatementCounter  # noqa: E402
from bot.db import create_engine, create_session_factory, migrate  # noqa: E402
from bot.i18n import create_i18n  # noqa: E402
from core.config import PROJECT_ROOT  # noqa: E402
from domain import money  # noqa: E402
from models import GroupOffer, Order, OrderLine, Payment, Product, User  # noqa: E402
from services import agents, groups  # noqa: E402
from services.collection import collection  # noqa: E402
from services.groups import GroupSpec, OfferSpec  # noqa: E402
from services.groups.balances import balance_of, balances  # noqa: E402
from services.seed import seed_demo  # noqa: E402
from ui.agents import picklist_view  # noqa: E402
from ui.collection import collection_view  # noqa: E402
from ui.context import RenderContext, use_context  # noqa: E402

CURRENCIES = ("EUR", "GBP", "CNY")
BASE = 700_000


async def set_up(factory, buyers: int) -> tuple[int, list[Order]]:  # noqa: ANN001
    async with factory() as session:
        await seed_demo(session, now=NOW)
        await session.commit()
    async with factory() as session:
        wanted = ("dried-shiitake", "qingtian-green-tea")
        products = (await session.exec(select(Product).where(Product.slug.in_(wanted)))).all()  # type: ignore[attr-defined]
        group = await groups.create_group(
            session,
            spec=GroupSpec(
                country="IT", city="Milan", method="rail", deadline=NOW + timedelta(days=5),
                measure="units", min_total=10, tiers=[0, 50, 500],
                offers=[OfferSpec(product_id=p.id or 0, prices=[3800, 3500, 3300]) for p in products],
            ),
            created_by=None, now=NOW,
        )  # fmt: skip
        offers = (
            await session.exec(select(GroupOffer).where(GroupOffer.group_id == group.id))
        ).all()
        rates = {"EUR": 128000, "GBP": 109000}
        orders = []
        for i in range(buyers):
            uid = BASE + i
            currency = CURRENCIES[i % 3]
            session.add(User(id=uid, first_name=f"b{i}", locale="en", country="IT", city="Milan",
                             currency=currency))  # fmt: skip
            order = Order(group_id=group.id or 0, user_id=uid,
                          status="cancelled" if i % 10 == 0 else "placed")  # fmt: skip
            session.add(order)
            orders.append((order, currency))
        await session.flush()
        total = 0
        for i, (order, currency) in enumerate(orders):
            quantity = 1 + i % 4
            offer = offers[i % len(offers)]
            if order.status == "placed":
                session.add(OrderLine(order_id=order.id or 0, offer_id=offer.id or 0,
                                      quantity=quantity, amount=quantity))  # fmt: skip
                total += quantity
            rate = rates.get(currency)
            owed = money.line_amount(offer.prices[0], quantity, rate, currency)
            if i % 2 == 0 or i % 10 == 0:
                order.currency, order.rate_micro = currency, rate
                paid = owed if i % 5 else owed // 2
                method = "cash" if i % 5 else "transfer"
                session.add(Payment(order_id=order.id or 0, method=method, amount=paid,
                                    currency=currency, amount_cny=offer.prices[0] * quantity,
                                    recorded_by=900001, recorded_at=NOW))  # fmt: skip
                if i % 20 == 0:
                    session.add(Payment(order_id=order.id or 0, kind="refund", method=method,
                                        amount=paid, currency=currency,
                                        amount_cny=offer.prices[0] * quantity,
                                        recorded_by=900001, recorded_at=NOW))  # fmt: skip
                session.add(order)
        group.total = total
        session.add(group)
        await session.commit()
        return group.id or 0, [order for order, _currency in orders]


async def run(args: argparse.Namespace) -> None:
    async with own_database(args.database_url, name="balance") as url:
        engine = create_engine(url)
        await migrate(engine)
        factory = create_session_factory(engine)
        counter = StatementCounter(engine)
        started = time.perf_counter()
        group_id, orders = await set_up(factory, args.buyers)
        print(
            f"set-up: {len(orders)} orders in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})"
        )

        async with factory() as session:
            fresh = list(
                (await session.exec(select(Order).where(Order.group_id == group_id))).all()
            )
            start = time.perf_counter()
            with counter.counting():
                batched = await balances(session, fresh)
            batch_seconds = time.perf_counter() - start
            batch_statements, counter.count = counter.count, 0
            sample = fresh[: args.sample]
            start = time.perf_counter()
            with counter.counting():
                single = {o.id: await balance_of(session, o) for o in sample}
            single_seconds = time.perf_counter() - start
            single_statements, counter.count = counter.count, 0
        for order_id, balance in single.items():
            mine = batched[order_id or 0]
            assert (mine.outstanding, mine.outstanding_cny, mine.currency) == (
                balance.outstanding, balance.outstanding_cny, balance.currency,
            ), order_id  # fmt: skip
        per_batch = batch_seconds / len(fresh)
        per_single = single_seconds / len(sample)
        print(f"balances, all {len(fresh)} at once: {batch_seconds * 1000:.0f} ms, "
              f"{batch_statements} statements")  # fmt: skip
        print(f"balances, one at a time ({len(sample)}): {single_seconds * 1000:.0f} ms, "
              f"{single_statements} statements ({single_statements / len(sample):.1f} each)")  # fmt: skip
        print(f"speed-up per order, batched / one at a time: {per_single / per_batch:.1f}x")

        sums: dict[str, list[int]] = {}
        for balance in batched.values():
            row = sums.setdefault(balance.currency, [0, 0, 0, 0, 0, 0, 0, 0])
            row[0] += balance.due.amount
            row[1] += balance.paid
            row[2] += balance.refunded
            row[3] += balance.outstanding
            row[4] += balance.due.amount_cny
            row[5] += balance.paid_cny
            row[6] += balance.refunded_cny
            row[7] += balance.outstanding_cny
        for currency, (due, paid, refunded, left, due_cny, paid_cny, ref_cny, left_cny) in sorted(
            sums.items()
        ):
            assert due == paid - refunded + left, currency
            assert due_cny == paid_cny - ref_cny + left_cny, currency
            print(f"  {currency}: due {due}, paid {paid}, refunded {refunded}, left {left} "
                  "(minor units): adds up")  # fmt: skip

        i18n = create_i18n(PROJECT_ROOT / "locales")
        agent = User(id=900001, first_name="Chen", locale="zh_Hans", timezone="Europe/Rome")
        ctx = RenderContext.for_user(agent, NOW)
        with i18n.context(), i18n.use_locale(ctx.locale), use_context(ctx):
            async with factory() as session:
                start = time.perf_counter()
                with counter.counting():
                    found = await collection(session, group_id=group_id, actor_id=0, is_admin=True)
                    assert found is not None
                    text, data = collection_view(found, agent, ctx)
                collect_seconds = time.perf_counter() - start
                collect_statements, counter.count = counter.count, 0
                start = time.perf_counter()
                with counter.counting():
                    entries = await agents.pick_list(session, group_id=group_id)
                    group = await groups.get_group(session, group_id)
                    pick_text, pick_data = picklist_view(agents.PickList(group, entries), agent)
                pick_seconds = time.perf_counter() - start
                pick_statements, counter.count = counter.count, 0
        rows = data.decode("utf-8-sig").count("\n") - 1
        print(f"/collect: {collect_seconds * 1000:.0f} ms, {collect_statements} statements, "
              f"{rows} CSV rows, {len(text)} characters")  # fmt: skip
        print(f"/picklist (baseline, no money): {pick_seconds * 1000:.0f} ms, "
              f"{pick_statements} statements")  # fmt: skip
        print(f"/collect / /picklist: {collect_seconds / pick_seconds:.2f}x")
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--buyers", type=int, default=2000)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server: the bench creates its own database on it and drops it after",
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
