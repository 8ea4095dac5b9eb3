"""Real notifications in nine locales through the outbox sender, at the configured pace.

    .venv/bin/python bench/send_bench.py [--rate R] [--per-chat S] [--chats 100] [--faults 5]
        [--database-url URL]

What is measured is `bot.sender.OutboxSender` (built with `OutboxSender.from_settings`, its pace
`--rate`, default the settings' `SEND_RATE`, and `--per-chat`, default `SEND_PER_CHAT_INTERVAL`)
draining the outbox (`run_until_empty`) into the fake Bot API session of `bench/fakes.py`
(requests serialised as the HTTP session does and answered at once, so no server's CPU counts as
the sender's), subclassed here to answer 429 (`TelegramRetryAfter`, retry_after 1 s) to chosen
chats once.

Set-up (not timed), for each of the two runs, in a database of its own (`bench.dbs.own_database`:
a temporary SQLite file, or with `--database-url` a new PostgreSQL database the bench creates on
that server and drops at the end; no other database is touched), migrated and seeded with the
demo: two group orders in Madrid (no agent there, so only buyers are told), `--chats` buyers in
Madrid spread over the nine locales (`LOCALES[i % 9]`) with an order in each (inserted directly,
the groups' totals moved to match), then a third group opened through `services.groups
.create_group`; the first group is closed by force with its minimum reached and the second with
it missed (`services.groups.close`). That queues, through `services.notify`, three notifications
a buyer of three real kinds with their real payloads: `group_opened`, `group_formed` and
`group_failed`, which the sender renders from the templates at send time, in each buyer's locale.
The demo's seed queues one of its own (`group_opened`, to its Milan agent): sent and counted too.

Two runs: a clean one, and one where `--faults` (5) chats, chosen at random, are answered 429 once,
on their first message; a 429 pauses all sending for its retry_after, as Telegram asks, so that
run is slower by about (429s x 1 s).

When the chats are few for the pace, the last messages wait out their chats' per-chat interval
(the spacing counts from each answer, bookkeeping included), and the sending window grows for
that reason, not the pace's: at 30/s and 1 s a chat, 100 chats gave a window ratio of ~1.00, 90
~0.95 and 60 ~0.92 (three messages each).

Printed per run: delivered (rows marked sent) / queued, and the messages the session accepted;
the achieved rate over the sending window (first send to last: the pace) and over the whole drain
(the first batch's claim and rendering and the last bookkeeping included), each as a ratio to the
configured pace; the busiest one-second window; per-chat violations (two requests to one chat
closer than 0.98 x the per-chat interval, 429s included); the messages by kind and locale. Every
text sent must be valid Telegram HTML (the emulator's strict parser, `bot.sandbox.emulator
.entities.parse_html`, run after the clock stops) and each row's message must be its chat's.

The check passes when every run delivers everything queued with no per-chat violation and the
clean run's window ratio is >= 0.95. The pacer sleeps in real time (`time.monotonic`,
`asyncio.sleep`; the clock given to the sender only stamps rows), so the bench takes what the
pace takes: ~35 s with the defaults (two set-ups, ~10 s and ~15 s of sending).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram import Bot  # noqa: E402
from aiogram.client.default import DefaultBotProperties  # noqa: E402
from aiogram.enums import ParseMode  # noqa: E402
from aiogram.exceptions import TelegramRetryAfter  # noqa: E402
from aiogram.methods import SendMessage, TelegramMethod  # noqa: E402
from sqlalchemy import update  # noqa: E402
from sqlmodel import col, select  # noqa: E402

from bench.dbs import own_database  # noqa: E402
from bench.fakes import TOKEN, FakeSession  # noqa: E402
from bot.db import create_engine, create_session_factory, is_sqlite, migrate  # noqa: E402
from bot.i18n import create_i18n  # noqa: E402
from bot.sandbox.emulator.entities import parse_html  # noqa: E402
from bot.sender import OutboxSender  # noqa: E402
from core.clock import SystemClock  # noqa: E402
from core.config import PROJECT_ROOT, Settings  # noqa: E402
from core.locales import LOCALES  # noqa: E402
from domain.notices import Kind  # noqa: E402
from models import GroupOrder, Notification, Order, OrderLine, OutboxStatus, Product, User  # noqa: E402
from services import groups  # noqa: E402
from services.groups import GroupSpec, OfferSpec  # noqa: E402
from services.seed import seed_demo  # noqa: E402
from services.tx import begin_write  # noqa: E402

KINDS = (Kind.GROUP_OPENED, Kind.GROUP_FORMED, Kind.GROUP_FAILED)
BASE = 500_000  # the buyers' user ids
RETRY_AFTER = 1


# -------------------------------------------------------------------------------- the session


@dataclass
class Attempt:
    at: float  # time.monotonic() when the request reached the session
    chat: int
    message_id: int | None  # None: answered 429
    text: str = ""


class FaultySession(FakeSession):
    """The fake session, which answers 429 to each of `fail_once` on its first message and
    remembers when every message request came, to which chat, and what it said."""

    def __init__(self, fail_once: set[int]) -> None:
        super().__init__()
        self.fail_once = set(fail_once)
        self.attempts: list[Attempt] = []

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> Any:
        if not isinstance(method, SendMessage):
            return await super().make_request(bot, method, timeout)
        at, chat = time.monotonic(), int(method.chat_id)
        if chat in self.fail_once:
            self.fail_once.discard(chat)
            self.attempts.append(Attempt(at, chat, None))
            raise TelegramRetryAfter(
                method=method, message="Too Many Requests", retry_after=RETRY_AFTER
            )
        message = await super().make_request(bot, method, timeout)
        self.attempts.append(Attempt(at, chat, message.message_id, method.text))
        return message


def faulty_bot(fail_once: set[int]) -> Bot:
    """`bench.fakes.fake_bot`, on the faulty session (the sender answers no callbacks)."""
    return Bot(
        TOKEN,
        session=FaultySession(fail_once),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


# ---------------------------------------------------------------------------------- the set-up


async def set_up(factory, clock: SystemClock, chats: int) -> tuple[dict[int, str], int]:  # noqa: ANN001
    """The outbox of the module's docstring; returns each recipient's locale and how many rows
    the demo queued itself (sent as well: real notifications too)."""
    now = clock.now()
    async with factory() as session:
        await seed_demo(session, now=now)
        await session.commit()
        seeded = {
            (row.kind, row.user_id) for row in (await session.exec(select(Notification))).all()
        }
    async with factory() as session:
        product = (
            await session.exec(select(Product).where(Product.slug == "dried-shiitake"))
        ).one()

        def spec(min_total: int) -> GroupSpec:
            return GroupSpec(
                country="ES", city="Madrid", method="rail", deadline=now + timedelta(days=3),
                measure="units", min_total=min_total, tiers=[0, 500],
                offers=[OfferSpec(product.id or 0, [3800, 3500])],
            )  # fmt: skip

        # opened before the buyers exist: no one is told of them (they close before sending)
        closing = [
            await groups.create_group(session, spec=spec(minimum), created_by=None, now=now)
            for minimum in (10, 100 * chats)  # formed, failed
        ]
        buyers = {BASE + i: LOCALES[i % len(LOCALES)] for i in range(chats)}
        for uid, locale in buyers.items():
            session.add(
                User(
                    id=uid, first_name=f"Buyer {uid - BASE}", locale=locale, country="ES",
                    city="Madrid", currency="EUR", timezone="Europe/Madrid",
                )
            )  # fmt: skip
        await session.commit()
        for group in closing:
            offer = (await groups.offers(session, group.id or 0))[0][0]
            await begin_write(session)
            orders = [
                Order(group_id=group.id or 0, user_id=uid, created_at=now, updated_at=now)
                for uid in buyers
            ]
            session.add_all(orders)
            await session.flush()
            for order in orders:
                session.add(
                    OrderLine(order_id=order.id or 0, offer_id=offer.id or 0, quantity=2, amount=2)
                )
            await session.exec(
                update(GroupOrder)
                .where(col(GroupOrder.id) == group.id)
                .values(total=col(GroupOrder.total) + 2 * chats)
            )
            await session.commit()
        # every buyer of Madrid hears of this one (group_opened)
        await groups.create_group(session, spec=spec(10), created_by=None, now=now)
        for group, status in zip(closing, ("formed", "failed"), strict=True):
            outcome = await groups.close(session, group_id=group.id or 0, now=now, force=True)
            assert outcome is not None and outcome.status == status, outcome
    async with factory() as session:
        rows = (await session.exec(select(Notification))).all()
        recipients = {row.user_id for row in rows}
        users = (await session.exec(select(User).where(col(User.id).in_(recipients)))).all()
    queued = Counter((row.kind, row.user_id) for row in rows)
    want = {(str(kind), uid) for kind in KINDS for uid in buyers} | seeded
    twice = sorted(key for key, n in queued.items() if n > 1)
    assert set(queued) == want and not twice, (sorted(set(queued) ^ want)[:5], twice[:5])
    return {user.id: user.locale or "?" for user in users if user.id is not None}, len(seeded)


# ------------------------------------------------------------------------------------- the run


@dataclass
class Run:
    queued: int = 0
    seeded: int = 0  # of them, queued by the demo's seed
    delivered: int = 0
    accepted: int = 0
    answered_429: int = 0
    seconds: float = 0.0  # the whole drain
    window: float = 0.0  # first send to last
    first: float = 0.0  # the drain's start to the first send
    busiest: int = 0  # most requests in one second
    violations: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    by_locale: Counter[str] = field(default_factory=Counter)
    distinct_texts: int = 0

    @property
    def rate(self) -> float:
        return self.accepted / self.seconds if self.seconds else 0.0

    @property
    def window_rate(self) -> float:
        return (self.accepted - 1) / self.window if self.window else 0.0


async def run(args: argparse.Namespace, *, faults: int) -> Run:
    async with own_database(args.database_url, name="send") as url:
        engine = create_engine(url)
        await migrate(engine)
        factory = create_session_factory(engine)
        clock = SystemClock()
        locale_of, seeded = await set_up(factory, clock, args.chats)
        buyers = sorted(uid for uid in locale_of if uid >= BASE)
        fail_once = set(random.Random(7).sample(buyers, min(faults, len(buyers))))
        bot = faulty_bot(fail_once)
        session: FaultySession = bot.session  # type: ignore[assignment]
        settings = Settings(
            _env_file=None, bot_token=TOKEN, database_url=url,
            send_rate=args.rate, send_per_chat_interval=args.per_chat,
        )  # fmt: skip
        sender = OutboxSender.from_settings(
            settings, bot=bot, session_factory=factory,
            i18n=create_i18n(PROJECT_ROOT / "locales"), clock=clock,
        )  # fmt: skip
        start = time.monotonic()
        await sender.run_until_empty()
        elapsed = time.monotonic() - start
        await bot.session.close()
        async with factory() as db:
            rows = (await db.exec(select(Notification))).all()
        await engine.dispose()
    attempts = session.attempts
    sent = [a for a in attempts if a.message_id is not None]
    result = Run(
        queued=len(rows), seeded=seeded,
        delivered=sum(1 for row in rows if row.status == OutboxStatus.SENT),
        accepted=len(sent), answered_429=len(attempts) - len(sent), seconds=elapsed,
    )  # fmt: skip
    if len(sent) > 1:
        result.window = sent[-1].at - sent[0].at
    if attempts:
        result.first = attempts[0].at - start
    stamps = sorted(a.at for a in attempts)
    ahead = 0
    for i, stamp in enumerate(stamps):  # the most requests in any window of one second
        while stamps[ahead] <= stamp - 1.0:
            ahead += 1
        result.busiest = max(result.busiest, i - ahead + 1)
    by_chat: dict[int, list[float]] = {}
    for attempt in attempts:
        by_chat.setdefault(attempt.chat, []).append(attempt.at)
    for chat_stamps in by_chat.values():
        chat_stamps.sort()
        result.violations += sum(
            1 for a, b in zip(chat_stamps, chat_stamps[1:], strict=False)
            if b - a < args.per_chat * 0.98
        )  # fmt: skip
    # after the clock: each row's message is one its chat got, its text valid Telegram HTML
    message_of = {a.message_id: a for a in sent}
    for row in rows:
        got = message_of.get(row.message_id)
        assert got is not None and got.chat == row.user_id, (row.id, row.kind, row.message_id)
        assert got.text.strip(), f"notification {row.id} ({row.kind}) sent an empty text"
        parse_html(got.text, strict=True)  # raises HtmlParseError
        result.by_kind[row.kind] += 1
        result.by_locale[locale_of[row.user_id]] += 1
    result.distinct_texts = len({a.text for a in sent})
    return result


def report(title: str, r: Run, args: argparse.Namespace) -> None:
    pace = args.rate
    print(title)
    print(
        f"  delivered {r.delivered} / {r.queued} queued (rows marked sent; {r.seeded} of them "
        f"queued by the demo's seed); {r.accepted} messages accepted, {r.answered_429} "
        "answered 429"
    )
    print(
        f"  sending window {r.window:.2f} s: {r.window_rate:.1f} msg/s, ratio to the "
        f"{pace:g}/s pace: {r.window_rate / pace:.3f}"
    )
    print(
        f"  whole drain {r.seconds:.2f} s (first send after {r.first:.2f} s, done "
        f"{r.seconds - r.first - r.window:.2f} s after the last): {r.rate:.1f} msg/s, ratio "
        f"{r.rate / pace:.3f}; busiest second: {r.busiest} requests"
    )
    print(f"  per-chat violations (< {args.per_chat:g} s apart): {r.violations}")
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(r.by_kind.items()))
    locales = ", ".join(f"{loc} {n}" for loc, n in sorted(r.by_locale.items()))
    print(f"  by kind: {kinds}")
    print(
        f"  by locale ({len(r.by_locale)}): {locales}; {r.distinct_texts} distinct texts, "
        "all valid HTML"
    )


async def main() -> None:
    defaults = Settings(_env_file=None)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--rate", type=float, default=defaults.send_rate,
        help=f"messages a second overall (the settings' SEND_RATE: {defaults.send_rate:g})",
    )  # fmt: skip
    parser.add_argument(
        "--per-chat", type=float, default=defaults.send_per_chat_interval,
        help="seconds between two messages to one chat (the settings' SEND_PER_CHAT_INTERVAL: "
        f"{defaults.send_per_chat_interval:g})",
    )  # fmt: skip
    parser.add_argument("--chats", type=int, default=100, help="buyers, three notifications each")
    parser.add_argument(
        "--faults", type=int, default=5,
        help="chats answered 429 once (on their first message) in the second run",
    )  # fmt: skip
    parser.add_argument(
        "--database-url", default=None,
        help="a PostgreSQL server: the bench creates its own database on it (one per run) and "
        "drops it after",
    )  # fmt: skip
    args = parser.parse_args()
    backend = "SQLite" if args.database_url is None or is_sqlite(args.database_url) else "PG"
    total = len(KINDS) * args.chats
    ceiling = min(args.rate, args.chats / args.per_chat) if args.per_chat > 0 else args.rate
    print(
        f"backend: {backend}; {total} notifications ({', '.join(KINDS)}: one each) to "
        f"{args.chats} buyers in {min(args.chats, len(LOCALES))} locales, with what the demo's "
        f"seed queued; pace {args.rate:g}/s, {args.per_chat:g} s per chat"
    )
    if ceiling < args.rate:
        print(
            f"  !! {args.chats} chats at one message per {args.per_chat:g} s allow at most "
            f"{ceiling:.1f}/s: the per-chat interval, not the pace, bounds the rate"
        )
    clean = await run(args, faults=0)
    report("clean run", clean, args)
    faulty = await run(args, faults=args.faults)
    expected = (faulty.accepted - 1) / args.rate + faulty.answered_429 * RETRY_AFTER
    report(
        f"{args.faults} chats answered 429 once (retry_after {RETRY_AFTER} s, all sending "
        f"paused each time; expected window about {expected:.1f} s)",
        faulty,
        args,
    )
    ok = (
        clean.delivered == clean.queued and faulty.delivered == faulty.queued
        and clean.violations == 0 and faulty.violations == 0
        and clean.window_rate / args.rate >= 0.95
    )  # fmt: skip
    print("CHECK", "PASSED" if ok else "FAILED")
    if not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    asyncio.run(main())
