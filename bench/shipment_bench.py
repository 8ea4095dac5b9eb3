"""A shipment carrying 2,000 buyers gets its status events, and every notice is rendered.

    .venv/bin/python bench/shipment_bench.py [--buyers N] [--agents N] [--events N] [--batch N]
        [--sample N] [--drain] [--drain-rate N] [--database-url URL]

Set-up (not timed): a database of its own (`bench.dbs.own_database`): a temporary SQLite file, or
with `--database-url` a new PostgreSQL database the bench creates on that server and drops at the
end (no other database is touched), migrated and seeded with the demo (its Milan agent, user
900001, runs the two pickup points "Ristorante Hangzhou" and "Bazar Sarpi"); two formed groups in
Milan (measure "units"), the first collecting at Ristorante Hangzhou, the second at Bazar Sarpi;
`--buyers` users spread over the nine locales (`LOCALES[i % 9]`, all in Milan, EUR, Europe/Rome),
half in each group and a tenth in BOTH (one message per person per event all the same), each with a
"confirmed" order per group; one buyer in seven chose the other pickup point in /settings
(`User.pickup_point_id`); `--agents` more agents for Milan; then one shipment of both groups.

Measured, in one run:

- posting: the events (packed, departed_origin, in_transit, arrived_destination, released,
  at_pickup_point, delivered; the first `--events` of them) through
  `services.shipments.post_event`, each in its own session: seconds and SQL statements each; then
  the outbox is counted: every buyer and every agent must have exactly one `shipment_update` row
  per event, no more, no less (asserted);
- rendering every queued `shipment_update` row the way the sender does
  (`bot.sender.OutboxSender._load`; the code of `bench/notify_bench.py`), two ways: batched,
  `notifications.prefetch(session, rows)` once per batch then `render` each row, at batch sizes
  10, 100, 1000 and `--batch` (200), over all rows; and the baseline, row at a time
  (`prefetch(session, [row])` then `render`), over the first `--sample` rows (500) at `--batch`.
  The clock and the statement counter cover prefetch + render only (the batch's rows and
  recipients are read before, as the sender does, and not counted). Every text must be non-empty,
  both modes must word each row alike, and each buyer's `at_pickup_point` notice must name their
  pickup point (their own choice, else each order's group's) and no other (asserted);
- with `--drain`: everything through a real `OutboxSender` (rate `--drain-rate`, per-chat interval
  0) to the Bot API emulator (`bot.sandbox.emulator.BotAPIEmulator`, strict HTML): each buyer's and
  agent's chat must hold exactly one message per event, the one its row was marked sent with
  (asserted). Off by default: ~14,000 sends take longer than the rest of the bench.

Printed: the set-up; a line per event (rows queued, seconds, SQL statements); the outbox totals;
a table per mode and batch size (rows, seconds, rendered/s, SQL statements per batch,
rendered/s / 30, Telegram's overall limit); the batched / row-at-a-time speed-up at `--batch`;
whether the batched statements per batch are the same at every size (asserted; when they are not,
the statements of one batch of each size are printed first); with `--drain`, the sends, their
rate and its ratio to 30/s. Figures are ratios against the baseline of the same run, never timed
assertions. No timed assertions; exits 0 (an assertion fails it). ~40-55 s with the defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram.utils.i18n import I18n  # noqa: E402
from sqlalchemy import func  # noqa: E402
from sqlalchemy.ext.asyncio import async_sessionmaker  # noqa: E402
from sqlmodel import col, select  # noqa: E402
from sqlmodel.ext.asyncio.session import AsyncSession  # noqa: E402

from bench.dbs import own_database  # noqa: E402
from bench.notify_bench import (  # noqa: E402
    AGENT_BASE,
    NOW,
    TELEGRAM_RATE,
    Result,
    StatementCounter,
    measure,
    print_table,
    report_growth,
    same_texts,
)
from bot.db import create_engine, create_session_factory, is_sqlite, migrate  # noqa: E402
from bot.i18n import create_i18n  # noqa: E402
from core.config import PROJECT_ROOT  # noqa: E402
from core.locales import LOCALES  # noqa: E402
from domain.notices import Kind  # noqa: E402
from domain.shipments import Posting, Step  # noqa: E402
from models import (  # noqa: E402
    Agent,
    GroupOrder,
    Notification,
    Order,
    PickupPoint,
    Shipment,
    ShipmentEvent,
    User,
)
from services import shipments  # noqa: E402
from services.seed import DEMO_AGENT, seed_demo  # noqa: E402
from services.shipments import ShipSpec  # noqa: E402

STEPS = (
    Step.PACKED, Step.DEPARTED_ORIGIN, Step.IN_TRANSIT, Step.ARRIVED_DESTINATION, Step.RELEASED,
    Step.AT_PICKUP_POINT, Step.DELIVERED,
)  # fmt: skip
SWEEP = (10, 100, 1000)
POINTS = ("Ristorante Hangzhou", "Bazar Sarpi")  # the demo's pickup points in Milan
START = NOW - timedelta(hours=len(STEPS) + 1)  # the shipment leaves; an event an hour after


@dataclass
class Fleet:
    """Who is on board, and where each buyer collects."""

    shipment_id: int
    buyers: list[int]
    agents: list[int]  # every agent of Milan: the demo's and the extra ones
    both: int  # buyers in both groups
    point_of: dict[int, set[str]]  # buyer → the pickup points their notice must name


def first_group(uid: int) -> int:
    """0 or 1: the group a buyer joined first (a tenth joined the other one as well)."""
    return uid % 2


def in_both(uid: int) -> bool:
    return uid % 10 == 0


async def set_up(
    factory: async_sessionmaker[AsyncSession], *, buyers: int, agents: int
) -> tuple[Fleet, float]:
    start = time.perf_counter()
    async with factory() as session:
        await seed_demo(session, now=START)
        await session.commit()
    async with factory() as session:
        points = {
            p.name: p.id or 0
            for p in (
                await session.exec(select(PickupPoint).where(col(PickupPoint.name).in_(POINTS)))
            ).all()
        }
        assert set(points) == set(POINTS), points
        groups = [
            GroupOrder(
                country="IT", city="Milan", method="rail", deadline=START - timedelta(days=1),
                measure="units", min_total=1, status="formed", pickup_point_id=points[name],
                closed_at=START - timedelta(days=1),
            )
            for name in POINTS
        ]  # fmt: skip
        session.add_all(groups)
        await session.flush()
        group_ids = [group.id or 0 for group in groups]
        uids = list(range(1, buyers + 1))
        extra = [AGENT_BASE + n for n in range(agents)]
        point_of = {}
        for uid in uids:
            first = first_group(uid)
            chosen = points[POINTS[1 - first]] if uid % 7 == 3 else None
            # their own choice for everything; else each order at its group's point
            point_of[uid] = (
                {POINTS[1 - first]} if chosen else set(POINTS) if in_both(uid) else {POINTS[first]}
            )
            session.add(
                User(
                    id=uid, first_name=f"Buyer {uid}", locale=LOCALES[uid % len(LOCALES)],
                    country="IT", city="Milan", currency="EUR", timezone="Europe/Rome",
                    pickup_point_id=chosen,
                )
            )  # fmt: skip
        for n, uid in enumerate(extra):
            session.add(
                User(
                    id=uid, first_name=f"Agent {n}", locale=LOCALES[n % len(LOCALES)],
                    country="IT", city="Milan", currency="EUR", timezone="Europe/Rome",
                )
            )  # fmt: skip
            session.add(Agent(user_id=uid, country="IT", city="Milan"))
        await session.flush()
        # every first order before any second one: a buyer in both groups collects at the first
        placed = START - timedelta(days=3)
        for index in (0, 1):
            session.add_all(
                Order(
                    group_id=group_ids[index], user_id=uid, status="confirmed", currency="EUR",
                    created_at=placed, updated_at=placed,
                )
                for uid in uids
                if first_group(uid) == index
            )  # fmt: skip
            await session.flush()
        session.add_all(
            Order(
                group_id=group_ids[1 - first_group(uid)], user_id=uid, status="confirmed",
                currency="EUR", created_at=placed, updated_at=placed,
            )
            for uid in uids
            if in_both(uid)
        )  # fmt: skip
        await session.commit()
        shipment = await shipments.create_shipment(
            session,
            spec=ShipSpec(group_ids, "Cosco Rail", "CRX2025BENCH", "rail"),
            created_by=None,
            now=START,
        )
        await session.commit()
        shipment_id = shipment.id or 0
        milan = (await session.exec(select(Agent.user_id).where(Agent.country == "IT"))).all()
    assert DEMO_AGENT["id"] in milan, milan
    fleet = Fleet(shipment_id, uids, sorted(set(milan)), sum(map(in_both, uids)), point_of)
    return fleet, time.perf_counter() - start


async def post_events(
    factory: async_sessionmaker[AsyncSession], counter: StatementCounter, fleet: Fleet, count: int
) -> dict[int, Step]:
    """The events, each in its own session; returns event id → step."""
    posted: dict[int, Step] = {}
    print(f"\n  {'event':<22}{'rows queued':>12}{'seconds':>9}{'sql':>6}")
    for hour, step in enumerate(STEPS[:count], start=1):
        async with factory() as session:
            before_rows = await shipment_rows(session)
            before = counter.count
            start = time.perf_counter()
            with counter.counting():
                _shipment, event = await shipments.post_event(
                    session, shipment_id=fleet.shipment_id, posting=Posting(step),
                    created_by=None, now=START + timedelta(hours=hour),
                )  # fmt: skip
                await session.commit()
            seconds = time.perf_counter() - start
            statements = counter.count - before
            queued = await shipment_rows(session) - before_rows
        posted[event.id or 0] = step
        print(f"  {step:<22}{queued:>12}{seconds:>9.3f}{statements:>6}")
    return posted


async def shipment_rows(session: AsyncSession) -> int:
    return (
        await session.exec(
            select(func.count(col(Notification.id))).where(
                Notification.kind == Kind.SHIPMENT_UPDATE.value
            )
        )
    ).one()


@dataclass
class Row:
    id: int
    user_id: int
    event_id: int


async def check_outbox(
    factory: async_sessionmaker[AsyncSession], fleet: Fleet, posted: dict[int, Step]
) -> list[Row]:
    """Exactly one row per event for every buyer and every agent, and for no one else."""
    async with factory() as session:
        found = (
            await session.exec(
                select(Notification)
                .where(Notification.kind == Kind.SHIPMENT_UPDATE.value)
                .order_by(col(Notification.id))
            )
        ).all()
        kinds = Counter((await session.exec(select(Notification.kind))).all())
    rows = [Row(r.id or 0, r.user_id, int(r.payload["event_id"])) for r in found]
    per = Counter((row.user_id, row.event_id) for row in rows)
    twice = [key for key, times in per.items() if times > 1]
    assert not twice, f"{len(twice)} (user, event) pairs have more than one row, e.g. {twice[0]}"
    assert set(r.event_id for r in rows) <= set(posted), "rows about events not posted"
    everyone = set(fleet.buyers) | set(fleet.agents)
    for event_id, step in posted.items():
        heard = {user for user, event in per if event == event_id}
        missing, strangers = everyone - heard, heard - everyone
        assert not missing, f"{step}: {len(missing)} people not told, e.g. {min(missing)}"
        assert not strangers, f"{step}: {len(strangers)} told who are not on board"
    expected = len(everyone) * len(posted)
    assert len(rows) == expected, (len(rows), expected)
    print(
        f"\noutbox: {len(rows)} shipment_update rows = {len(posted)} events x "
        f"({len(fleet.buyers)} buyers + {len(fleet.agents)} agents): exactly one per person and "
        f"event (asserted); all kinds queued: {dict(sorted(kinds.items()))}"
    )
    return rows


def check_pickup(result: Result, rows: list[Row], fleet: Fleet, posted: dict[int, Step]) -> str:
    """Each buyer's at_pickup_point notice names their point, and not the other one."""
    at_point = {event_id for event_id, step in posted.items() if step == Step.AT_PICKUP_POINT}
    if not at_point:
        return "pickup points: at_pickup_point not posted (--events < 6), not checked"
    checked = 0
    for row in rows:
        if row.event_id not in at_point or row.user_id not in fleet.point_of:
            continue
        text = result.texts[row.id]
        want = fleet.point_of[row.user_id]
        for name in POINTS:
            shown = name in text
            assert shown == (name in want), f"buyer {row.user_id}: {name!r} {shown} in {text!r}"
        checked += 1
    assert checked == len(fleet.buyers), (checked, len(fleet.buyers))
    shares = Counter(" + ".join(sorted(names)) for names in fleet.point_of.values())
    return (
        f"pickup points: each of the {checked} buyers' at_pickup_point notices names theirs "
        f"({', '.join(f'{name} {n}' for name, n in sorted(shares.items()))}) and no other"
    )


async def drain(
    factory: async_sessionmaker[AsyncSession],
    i18n: I18n,
    fleet: Fleet,
    posted: dict[int, Step],
    *,
    rate: float,
) -> None:
    """Everything through a real OutboxSender to the emulator: one message per event per chat."""
    from bot.app import create_bot
    from bot.sandbox.emulator import BotAPIEmulator, EmuUser
    from bot.sender import OutboxSender
    from core.clock import FrozenClock

    people = fleet.buyers + fleet.agents
    async with factory() as session:
        pending = (
            await session.exec(select(func.count(col(Notification.id))).where(
                Notification.status == "pending"))
        ).one()  # fmt: skip
    async with BotAPIEmulator(token="1:BENCH") as emulator:
        for uid in people:
            emulator.register(EmuUser(id=uid, first_name=f"u{uid}")).started = True
        bot = create_bot("1:BENCH", emulator.base_url)
        sender = OutboxSender(
            bot=bot, session_factory=factory, i18n=i18n, clock=FrozenClock(NOW), rate=rate,
            per_chat_interval=0.0, concurrency=16,
        )  # fmt: skip
        start = time.perf_counter()
        await sender.run_until_empty(max_wait=900.0)
        seconds = time.perf_counter() - start
        await bot.session.close()
        calls = len(emulator.calls("sendMessage"))
        async with factory() as session:
            found = (
                await session.exec(
                    select(Notification).where(Notification.kind == Kind.SHIPMENT_UPDATE.value)
                )
            ).all()
            statuses = Counter((await session.exec(select(Notification.status))).all())
        sent: dict[int, dict[int, int]] = {}  # user → event → message id
        for row in found:
            assert row.status == "sent", (row.id, row.status, row.last_error)
            events = sent.setdefault(row.user_id, {})
            assert row.payload["event_id"] not in events, (row.user_id, row.payload)
            events[int(row.payload["event_id"])] = row.message_id or 0
        for uid in people:
            messages = {m.message_id for m in emulator.bot_messages(uid)}
            mine = sent.get(uid, {})
            assert set(mine) == set(posted), (uid, sorted(mine), sorted(posted))
            assert messages == set(mine.values()), (uid, sorted(messages), sorted(mine.values()))
    msg_rate = calls / seconds if seconds else float("inf")
    print(
        f"\ndrain (--drain): {pending} pending rows sent through OutboxSender (rate {rate:.0f}/s, "
        f"per-chat 0 s) to the emulator in {seconds:.1f} s: {calls} sendMessage calls, "
        f"{msg_rate:.0f} msg/s = {msg_rate / TELEGRAM_RATE:.1f}x Telegram's 30/s; outbox "
        f"{dict(statuses)}; each of the {len(people)} chats holds exactly one message per event, "
        "the one its row names (asserted)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--buyers", type=int, default=2000)
    parser.add_argument("--agents", type=int, default=2, help="agents of Milan besides the demo's")
    parser.add_argument("--events", type=int, default=len(STEPS), choices=range(1, len(STEPS) + 1))
    parser.add_argument("--batch", type=int, default=200, help="the sender's batch size")
    parser.add_argument(
        "--sample", type=int, default=500, help="rows the row-at-a-time baseline renders"
    )
    parser.add_argument("--drain", action="store_true", help="send everything to the emulator")
    parser.add_argument("--drain-rate", type=float, default=100_000.0)
    parser.add_argument(
        "--database-url", default=None,
        help="a PostgreSQL server: the bench creates its own database on it and drops it after",
    )  # fmt: skip
    args = parser.parse_args()
    async with own_database(args.database_url, name="shipment") as url:
        await run(args, url)


async def run(args: argparse.Namespace, url: str) -> None:
    engine = create_engine(url)
    await migrate(engine)
    factory = create_session_factory(engine)
    i18n = create_i18n(PROJECT_ROOT / "locales")
    counter = StatementCounter(engine)

    fleet, setup_seconds = await set_up(factory, buyers=args.buyers, agents=args.agents)
    backend = "SQLite" if is_sqlite(url) else "PostgreSQL"
    locales = len({LOCALES[uid % len(LOCALES)] for uid in fleet.buyers})
    print(
        f"backend: {backend}; shipment {fleet.shipment_id} of 2 formed groups in Milan: "
        f"{len(fleet.buyers)} buyers in {locales} locales ({fleet.both} in both groups), "
        f"{len(fleet.agents)} agents of Milan; set-up {setup_seconds:.1f} s"
    )

    posted = await post_events(factory, counter, fleet, args.events)
    async with factory() as session:
        shipment = await session.get(Shipment, fleet.shipment_id)
        events = (await session.exec(select(func.count(col(ShipmentEvent.id))))).one()
    assert shipment is not None and shipment.status == STEPS[args.events - 1], shipment
    assert events == args.events, events
    rows = await check_outbox(factory, fleet, posted)
    ids = [row.id for row in rows]

    print(
        "\nrendering shipment_update (timed and counted: prefetch + render; the reads of each "
        "batch's rows and recipients are not)"
    )
    # warm-up (catalogues, Babel data, statement caches), not measured
    for batched in (False, True):
        await measure(factory, i18n, counter, ids[:200], batch_size=100, batched=batched)
    baseline = await measure(
        factory, i18n, counter, ids[: args.sample], batch_size=args.batch, batched=False
    )
    baseline.mode = "row at a time"
    results = [baseline]
    for size in sorted({*SWEEP, args.batch}):
        result = await measure(factory, i18n, counter, ids, batch_size=size, batched=True)
        result.mode = "batched"
        results.append(result)
    print_table("\nshipment_update, one per person and event:", results)
    constant = report_growth(results)
    after = next(r for r in results if r.mode == "batched" and r.batch == args.batch)
    print(
        f"  at batch {args.batch}: batched / row-at-a-time speed-up "
        f"{after.rate / baseline.rate:.1f}x; batched = {after.rate / TELEGRAM_RATE:.0f}x "
        f"Telegram's 30/s, row at a time = {baseline.rate / TELEGRAM_RATE:.0f}x"
    )
    print(
        f"  sql a row: row at a time {baseline.statements / baseline.rows:.1f}, batched at "
        f"{args.batch} {after.statements / after.rows:.3f}"
    )
    sizes = ", ".join(str(r.batch) for r in results if r.mode == "batched")
    per_batch = sorted({n for r in results if r.mode == "batched" for n in r.per_batch})
    print(
        f"  batched sql/batch the same at batch {sizes}: {'yes' if constant else 'NO'} "
        f"({', '.join(map(str, per_batch))} statements a full batch)"
    )
    assert constant, "the statements a batch needs grow with the batch"
    print(f"  every text non-empty: yes ({sum(len(r.texts) for r in results)} renders)")
    print(f"  {same_texts(baseline, after)}")
    print(f"  {check_pickup(after, rows, fleet, posted)}")

    if args.drain:
        await drain(factory, i18n, fleet, posted, rate=args.drain_rate)
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
