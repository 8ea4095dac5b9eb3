"""300,000 buyers in 40 time zones and nine locales get the digests of one day.

    .venv/bin/python bench/digest_bench.py [--buyers N] [--small N] [--groups N] [--orders N]
        [--batch N] [--render N] [--tracemalloc] [--database-url URL]

Set-up (not timed), once per population: a database of its own (`bench.dbs.own_database`): a
temporary SQLite file, or with `--database-url` a new PostgreSQL database the bench creates on that
server and drops at the end (no other database is touched), migrated and seeded with the demo (its
catalogue and users back-dated two months, so only this bench's products are news); `--buyers`
users (ids 1…N) inserted with Core `insert(User)` in chunks, spread over 40 real IANA time zones
(`PLACES`: six in seven in the zones of the demo's group cities, most of them in Milan, Madrid,
Lisbon, Paris, Rotterdam and Vienna, the others in a city of their zone's country) and the nine
locales, with their country's currency; digests daily for most, weekly on every weekday for 15 %,
off for 5 %, at 9:00 local for most (else 7, 8 or 20); 1 % blocked the bot; everyone's
`digest_due_at` is `domain.digests.next_due` of `START` (a Monday, 00:00 UTC), so the daily ones
all fall in the next 24 h. Then open groups in ten cities of the demo's countries up to `--groups`
(50, the demo's six included; some close within 72 h), regional agents (five buyers, and the demo's
agent in Milan), two admins, three new products (one for Europe only, one not for AU/BR/NZ/US/CA,
one four days old: news only for weekly digests) and `--orders` orders (2,000) of random buyers,
mostly in a group of their city, changed in the last day. The smaller population (`--small`,
30,000; 0 skips it) gets the same, with the orders in proportion.

Measured: the simulated clock advances through the day in 96 slots of 15 minutes, and each slot
runs `services.digests.run_slot(factory, now=START + k × 15 min, admin_ids=…, batch=--batch)`,
what the scheduler's slot job does: the clock covers the 96 calls; a `before_cursor_execute`
listener counts their statements. A slot that finds no one (at `START`, before anyone is due) is
run first: its statements (the final, empty batch of each slot) are subtracted, so "sql/batch" is
statements per batch of people. Peak RSS is the process's high-water mark during the day
(`/proc/self/clear_refs` resets it before the day; else `ru_maxrss`, set-up included); with
`--tracemalloc`, the peak of Python allocations too (it slows the day down). With `--render N`,
the first N digest rows of the big day are rendered as the sender does (`bench/notify_bench.py`:
`notifications.prefetch` once per batch of 100, then `render` each row at the moment it was
queued), timed.

Checked (asserted) after each day, user by user: everyone due in the day (daily or weekly on that
day, onboarded, not blocked, digests on) was handled exactly once, in the slot of their due moment
(their `digest_due_at` moved to the next one after that slot, `last_digest_at` that slot, at
least when a digest was queued); no one else was touched (off: still none); each digest row is its
user's only one, for the local date it was due (its key names the user and that date or the
scheduled moment, and no two keys are alike); the slots' reports add up to those counts; and the
statements per batch at both population sizes differ by at most 2 (they must not grow with the
buyers; a batch holding an admin or an agent costs a few more, a batch of more than 300 digests
one more INSERT).

Printed: a table per population (buyers, due in the day, digests queued, empty ones skipped,
batches, seconds, digests built per second, that ÷ 30, Telegram's overall limit, target >= 100,
SQL statements per batch, RSS MB at the day's start and its peak, target < 500), the statements
of a batch by kind, the statements per batch at both sizes, and with `--render` rendered/s. Figures
are ratios against baselines of the same run, never timed assertions; exits 0 (an assertion fails
it). With the defaults on SQLite: ~2 minutes at the target rate (3,000 digests/s); ~5.5 minutes
at the ~950/s of services/digests.py as of 07cfbb0.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import re
import resource
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import available_timezones

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram.utils.i18n import I18n  # noqa: E402
from sqlalchemy import func, insert, update  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker  # noqa: E402
from sqlmodel import col, select  # noqa: E402
from sqlmodel.ext.asyncio.session import AsyncSession  # noqa: E402

import notifications  # noqa: E402
from bench.dbs import own_database  # noqa: E402
from bench.notify_bench import TELEGRAM_RATE, StatementCounter, render_one, shape  # noqa: E402
from bot.db import create_engine, create_session_factory, is_sqlite, migrate  # noqa: E402
from bot.i18n import create_i18n  # noqa: E402
from core.config import PROJECT_ROOT  # noqa: E402
from core.locales import LOCALES  # noqa: E402
from domain import digests as rules  # noqa: E402
from domain import geo  # noqa: E402
from domain.notices import Kind  # noqa: E402
from models import Agent, Category, GroupOrder, Notification, Order, Product, User  # noqa: E402
from services import digests  # noqa: E402
from services.seed import DEMO_AGENT, seed_demo  # noqa: E402

START = datetime(2025, 6, 2, 0, 0, tzinfo=UTC)  # a Monday; no zone changes its clocks that week
SLOT = timedelta(minutes=15)
SLOTS = 96  # one day
END = START + SLOTS * SLOT
TARGET_FACTOR = 100.0  # building should be at least 100x faster than Telegram sends
RSS_LIMIT_MB = 500.0
SQL_TOLERANCE = 2  # statements per batch may differ by this much between the two sizes
CHUNK = 5000  # users inserted (and read back when checking) at a time
RENDER_BATCH = 100  # the sender's batch


@dataclass(frozen=True)
class Place:
    zone: str
    country: str
    cities: tuple[str, ...]  # a buyer's city: one of these (the first one twice as often)


# 40 real IANA zones; the first six: those of the demo's group cities (six buyers in seven).
PLACES = (
    Place("Europe/Rome", "IT", ("Milan", "Milan", "Rome", "Prato")),
    Place("Europe/Madrid", "ES", ("Madrid", "Madrid", "Barcelona")),
    Place("Europe/Lisbon", "PT", ("Lisbon", "Lisbon", "Porto")),
    Place("Europe/Paris", "FR", ("Paris",)),
    Place("Europe/Amsterdam", "NL", ("Rotterdam", "Rotterdam", "Amsterdam")),
    Place("Europe/Vienna", "AT", ("Vienna",)),
    Place("Europe/Berlin", "DE", ("Frankfurt", "Berlin")),
    Place("Europe/Brussels", "BE", ("Brussels",)),
    Place("Europe/Zurich", "CH", ("Zurich",)),
    Place("Europe/London", "GB", ("London",)),
    Place("Europe/Dublin", "IE", ("Dublin",)),
    Place("Europe/Budapest", "HU", ("Budapest",)),
    Place("Europe/Warsaw", "PL", ("Warsaw",)),
    Place("Europe/Prague", "CZ", ("Prague",)),
    Place("Europe/Bucharest", "RO", ("Bucharest",)),
    Place("Europe/Athens", "GR", ("Athens",)),
    Place("Europe/Stockholm", "SE", ("Stockholm",)),
    Place("Europe/Copenhagen", "DK", ("Copenhagen",)),
    Place("Europe/Oslo", "NO", ("Oslo",)),
    Place("Europe/Helsinki", "FI", ("Helsinki",)),
    Place("Europe/Belgrade", "RS", ("Belgrade",)),
    Place("America/Sao_Paulo", "BR", ("São Paulo",)),
    Place("America/New_York", "US", ("New York",)),
    Place("America/Los_Angeles", "US", ("Los Angeles",)),
    Place("America/Toronto", "CA", ("Toronto",)),
    Place("America/Mexico_City", "MX", ("Mexico City",)),
    Place("America/Argentina/Buenos_Aires", "AR", ("Buenos Aires",)),
    Place("America/Santiago", "CL", ("Santiago",)),
    Place("Asia/Shanghai", "CN", ("Shanghai", "Wenzhou")),
    Place("Asia/Hong_Kong", "HK", ("Hong Kong",)),
    Place("Asia/Taipei", "TW", ("Taipei",)),
    Place("Asia/Tokyo", "JP", ("Tokyo",)),
    Place("Asia/Singapore", "SG", ("Singapore",)),
    Place("Asia/Dubai", "AE", ("Dubai",)),
    Place("Asia/Kolkata", "IN", ("Mumbai",)),  # +5:30
    Place("Asia/Kathmandu", "NP", ("Kathmandu",)),  # +5:45
    Place("Australia/Sydney", "AU", ("Sydney",)),
    Place("Australia/Perth", "AU", ("Perth",)),
    Place("Africa/Johannesburg", "ZA", ("Johannesburg",)),
    Place("Africa/Lagos", "NG", ("Lagos",)),
)
DEMO_PLACES = 6
OUTSIDE_EUROPE = sorted({p.country for p in PLACES if not p.zone.startswith("Europe/")})
GROUP_CITIES = (
    ("IT", "Milan"), ("IT", "Rome"), ("IT", "Prato"), ("ES", "Madrid"), ("ES", "Barcelona"),
    ("PT", "Lisbon"), ("FR", "Paris"), ("NL", "Rotterdam"), ("AT", "Vienna"), ("DE", "Frankfurt"),
)  # fmt: skip
AGENT_CITIES = (("ES", "Madrid"), ("FR", "Paris"), ("PT", "Lisbon"), ("NL", "Rotterdam"),
                ("AT", "Vienna"))  # fmt: skip
# (slug, created before START, countries it may not ship to, names)
NEW_PRODUCTS = (
    ("bench-bayberry-jam", timedelta(hours=2), OUTSIDE_EUROPE,
     {"en": "Bayberry jam", "it": "Marmellata di yangmei", "zh_Hans": "杨梅果酱"}),
    ("bench-fish-balls", timedelta(hours=20), ["AU", "BR", "CA", "NZ", "US"],
     {"en": "Wenzhou fish balls", "it": "Polpette di pesce di Wenzhou", "zh_Hans": "温州鱼丸"}),
    ("bench-tea-cakes", timedelta(days=4), [],
     {"en": "Green tea cakes", "it": "Dolcetti al tè verde", "zh_Hans": "绿茶饼"}),
)  # fmt: skip


class KindCounter(StatementCounter):
    """notify_bench's counter, with PostgreSQL's typed parameters (`$3::BIGINT`) folded too, so
    an IN list is one kind of statement whatever its length."""

    def _executed(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if self.active:
            self.count += 1
            self.seen[
                shape(re.sub(r"(\$\d+)::[A-Z]+(?: WITH(?:OUT)? TIME ZONE)?", r"\1", statement))
            ] += 1


# ── the synthetic buyers ────────────────────────────────────────────────────────────────


def mix(n: int) -> int:
    """A 32-bit hash of a user id: each buyer's traits, the same in every run."""
    n = ((n ^ (n >> 16)) * 0x45D9F3B) & 0xFFFFFFFF
    n = ((n ^ (n >> 16)) * 0x45D9F3B) & 0xFFFFFFFF
    return n ^ (n >> 16)


@dataclass(frozen=True)
class Profile:
    place: Place
    city: str
    locale: str
    digest: str
    day: int
    hour: int
    blocked: bool


def profile(uid: int) -> Profile:
    h = mix(uid)
    if h % 7 < 6:
        place = PLACES[(h // 7) % DEMO_PLACES]
    else:
        place = PLACES[DEMO_PLACES + (h // 7) % (len(PLACES) - DEMO_PLACES)]
    city = place.cities[(h >> 9) % len(place.cities)]
    frequency = (h >> 12) % 100
    digest = "off" if frequency < 5 else "weekly" if frequency < 20 else "daily"
    hour = {0: 7, 1: 8, 2: 20}.get((h >> 19) % 10, 9)
    return Profile(place, city, LOCALES[(h >> 14) % len(LOCALES)], digest, (h >> 16) % 7, hour,
                   (h >> 23) % 100 == 0)  # fmt: skip


@cache
def due_after(after: datetime, zone: str, frequency: str, hour: int, day: int) -> datetime | None:
    return rules.next_due(after, timezone=zone, frequency=frequency, hour=hour, weekday=day)


def slot_of(due: datetime) -> int:
    """The slot (1…96) that handles a digest due at this moment: the first one at or after it."""
    return max(1, math.ceil((due - START) / SLOT))


@cache
def currency(country: str) -> str:
    return geo.currency_for_country(country)


def buyer_row(uid: int) -> dict[str, Any]:
    p = profile(uid)
    return {
        "id": uid, "first_name": f"Buyer {uid}", "username": None, "language_code": None,
        "locale": p.locale, "country": p.place.country, "city": p.city,
        "currency": currency(p.place.country), "timezone": p.place.zone, "pickup_point_id": None,
        "start_payload": None, "is_blocked": p.blocked, "digest": p.digest, "digest_day": p.day,
        "digest_hour": p.hour,
        "digest_due_at": due_after(START, p.place.zone, p.digest, p.hour, p.day),
        "last_digest_at": None, "group_alerts": uid % 3 != 0,
        "created_at": START - timedelta(days=30 + uid % 300),
    }  # fmt: skip


def eligible(uid: int, country: str, city: str | None = None) -> bool:
    """A buyer with daily digests, in the country (and city), who did not block the bot."""
    p = profile(uid)
    return (
        p.digest == "daily" and not p.blocked and p.place.country == country
        and (city is None or p.city == city)
    )  # fmt: skip


# ── set-up ──────────────────────────────────────────────────────────────────────────────


@dataclass
class Population:
    label: str
    buyers: int
    admins: frozenset[int] = frozenset()
    agents: list[int] = field(default_factory=list)
    groups: int = 0  # open ones
    soon: int = 0  # of them, closing within 72 h of START
    orders: int = 0
    seconds: float = 0.0


async def set_up(
    factory: async_sessionmaker[AsyncSession], *, label: str, buyers: int, groups: int,
    orders: int,
) -> Population:  # fmt: skip
    start = time.perf_counter()
    population = Population(label, buyers)
    async with factory() as session:
        await seed_demo(session, now=START - timedelta(days=1))
        await session.commit()
    async with factory() as session:
        # the demo catalogue and people are old news: only this bench's products are new
        await session.exec(update(Product).values(created_at=START - timedelta(days=60)))
        for user in (await session.exec(select(User))).all():
            due = due_after(START, user.timezone, user.digest, user.digest_hour, user.digest_day)
            await session.exec(
                update(User)
                .where(col(User.id) == user.id)
                .values(digest_due_at=due, created_at=START - timedelta(days=60))
            )
        conn = await session.connection()
        for first in range(1, buyers + 1, CHUNK):
            rows = [buyer_row(uid) for uid in range(first, min(first + CHUNK, buyers + 1))]
            await conn.execute(insert(User), rows)
        category = (await session.exec(select(Category).order_by(col(Category.id)))).first()
        assert category is not None
        for slug, age, restricted, names in NEW_PRODUCTS:
            session.add(
                Product(
                    slug=slug, category_id=category.id or 0, names=names, descriptions={},
                    price_cny=3800, unit="bag", unit_weight_g=250,
                    restricted_countries=list(restricted), created_at=START - age,
                )
            )  # fmt: skip
        have = (
            await session.exec(
                select(func.count(col(GroupOrder.id))).where(GroupOrder.status == "open")
            )
        ).one()
        extra = [
            GroupOrder(
                country=country, city=city, method=("rail", "sea", "air")[n % 3],
                deadline=START + timedelta(hours=9 + 13 * n), measure="weight",
                min_total=300_000, capacity=1_500_000, total=(n * 37_000) % 400_000,
                tiers=[0, 300_000, 600_000], status="open", created_at=START - timedelta(days=5),
            )
            for n, (country, city) in enumerate(
                GROUP_CITIES[i % len(GROUP_CITIES)] for i in range(max(0, groups - have))
            )
        ]  # fmt: skip
        session.add_all(extra)
        await session.flush()
        open_groups = await session.exec(select(GroupOrder).where(GroupOrder.status == "open"))
        by_city: dict[tuple[str, str], list[int]] = {}
        all_groups = []
        for group in open_groups.all():
            by_city.setdefault((group.country, group.city), []).append(group.id or 0)
            all_groups.append(group.id or 0)
            if group.deadline <= START + rules.SOON:
                population.soon += 1
        population.groups = len(all_groups)
        # agents: a buyer in each of five cities (the demo's agent covers Milan)
        for country, city in AGENT_CITIES:
            uid = next((u for u in range(1, buyers + 1) if eligible(u, country, city)), None)
            if uid is not None:
                session.add(Agent(user_id=uid, country=country, city=city))
                population.agents.append(uid)
        population.agents.append(DEMO_AGENT["id"])
        admins = [next(u for u in range(start_at, buyers + 1) if eligible(u, "IT"))
                  for start_at in (1, buyers // 2 + 1)]  # fmt: skip
        population.admins = frozenset(admins)
        rng = random.Random(20250602)
        rows = []
        for uid in rng.sample(range(1, buyers + 1), min(orders, buyers)):
            p = profile(uid)
            group_id = rng.choice(by_city.get((p.place.country, p.city)) or all_groups)
            changed = START - timedelta(seconds=rng.randrange(60, 86_400))
            status = rng.choice(("placed", "placed", "placed", "confirmed"))
            paid = changed if status == "confirmed" and rng.random() < 0.5 else None
            rows.append(
                {
                    "group_id": group_id, "user_id": uid, "status": status,
                    "amount_cny": 3800 * rng.randint(1, 5) if status == "confirmed" else None,
                    "currency": currency(p.place.country), "paid_at": paid,
                    "created_at": changed - timedelta(hours=rng.randint(0, 48)),
                    "updated_at": changed,
                }
            )  # fmt: skip
        if rows:
            await conn.execute(insert(Order), rows)
        population.orders = len(rows)
        await session.commit()
    population.seconds = time.perf_counter() - start
    return population


# ── the day ─────────────────────────────────────────────────────────────────────────────


@dataclass
class Day:
    population: Population
    due: int = 0
    queued: int = 0
    scheduled: int = 0
    batches: int = 0
    seconds: float = 0.0
    statements: int = 0  # of the batches of people (the slots' final, empty ones subtracted)
    idle: int = 0  # statements of a slot that finds no one
    slot_due: dict[int, int] = field(default_factory=dict)
    seen: Counter[str] = field(default_factory=Counter)
    start_mb: float = 0.0  # RSS when the day starts (the imports: aiogram alone is ~170 MB)
    peak_mb: float = 0.0
    peak_whole_day: bool = True  # False: ru_maxrss, the set-up included
    traced_mb: float | None = None

    @property
    def rate(self) -> float:
        return self.due / self.seconds if self.seconds else float("inf")

    @property
    def sql_per_batch(self) -> float:
        return self.statements / self.batches if self.batches else 0.0


def reset_peak_rss() -> bool:
    """Reset the process's RSS high-water mark (Linux >= 4.0); False where that is refused."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def rss_mb(field: str = "VmHWM") -> float:
    """The process's peak (VmHWM) or current (VmRSS) resident set, MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


async def run_day(
    factory: async_sessionmaker[AsyncSession], counter: StatementCounter, population: Population,
    *, batch: int, trace: bool,
) -> Day:  # fmt: skip
    day = Day(population)
    # a slot before anyone is due: what the final, empty batch of every slot costs
    before = counter.count
    with counter.counting():
        idle = await digests.run_slot(factory, now=START, admin_ids=population.admins, batch=batch)
    assert idle.due == idle.scheduled == idle.batches == 0, idle
    day.idle = counter.count - before
    day.peak_whole_day = reset_peak_rss()
    day.start_mb = rss_mb("VmRSS")
    if trace:
        tracemalloc.start()
    seen_before = counter.seen.copy()
    statements = counter.count
    for k in range(1, SLOTS + 1):
        start = time.perf_counter()
        with counter.counting():
            report = await digests.run_slot(
                factory, now=START + k * SLOT, admin_ids=population.admins, batch=batch
            )
        day.seconds += time.perf_counter() - start
        day.due += report.due
        day.queued += report.queued
        day.scheduled += report.scheduled
        day.batches += report.batches
        if report.due:
            day.slot_due[k] = report.due
    day.statements = counter.count - statements - SLOTS * day.idle
    day.seen = counter.seen - seen_before
    if trace:
        day.traced_mb = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    day.peak_mb = rss_mb()
    return day


# ── the checks ──────────────────────────────────────────────────────────────────────────


def chunks(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


CHECKED = (
    User.id, User.timezone, User.digest, User.digest_hour, User.digest_day, User.is_blocked,
    User.city, User.locale, User.digest_due_at, User.last_digest_at,
)  # fmt: skip


async def check_day(factory: async_sessionmaker[AsyncSession], day: Day) -> str:
    """Everyone due was handled once, in their slot; no one else was touched; one row each."""
    handled = queued = untouched = 0
    per_slot: Counter[int] = Counter()
    cursor = -1
    async with factory() as session:
        while True:
            users = (
                await session.exec(
                    select(*CHECKED)
                    .where(col(User.id) > cursor)
                    .order_by(col(User.id))
                    .limit(CHUNK)
                )
            ).all()
            if not users:
                break
            low, cursor = users[0].id, users[-1].id
            rows = (
                await session.exec(
                    select(
                        Notification.user_id, Notification.dedup_key, Notification.payload
                    ).where(
                        Notification.kind == Kind.DIGEST.value,
                        col(Notification.user_id) >= low,
                        col(Notification.user_id) <= cursor,
                    )
                )
            ).all()
            keys: dict[int, list[tuple[str | None, Any]]] = {}
            for user_id, key, payload in rows:
                keys.setdefault(user_id, []).append((key, payload.get("period")))
            for user in users:
                attrs = (user.timezone, user.digest, user.digest_hour, user.digest_day)
                first = due_after(START, *attrs)
                mine = keys.pop(user.id, [])
                takes = (not user.is_blocked and user.city is not None
                         and user.locale is not None)  # fmt: skip
                if takes and first is not None and first <= END:
                    slot = slot_of(first)
                    at = START + slot * SLOT
                    expected = due_after(max(first, at), *attrs)
                    assert user.digest_due_at == expected, (user.id, first, user.digest_due_at)
                    handled += 1
                    per_slot[slot] += 1
                    # covered up to the slot: at least when a digest was queued
                    assert user.last_digest_at in (None, at), (user.id, user.last_digest_at, at)
                    if not mine:
                        continue
                    assert user.last_digest_at == at, (user.id, user.last_digest_at, at)
                    period = rules.period_key(first, user.timezone)
                    # the key names the user and the digest's local date or scheduled moment
                    keyed = {f"digest:{user.id}:{period}",
                             f"digest:{user.id}:{int(first.timestamp())}"}  # fmt: skip
                    assert len(mine) == 1 and mine[0][0] in keyed, (user.id, mine, period)
                    assert mine[0][1] == period, (user.id, mine, period)
                    queued += 1
                else:
                    assert user.digest_due_at == first, (user.id, first, user.digest_due_at)
                    assert user.last_digest_at is None, (user.id, user.last_digest_at)
                    assert not mine, (user.id, mine)
                    untouched += 1
            assert not keys, f"digest rows for users that do not exist: {sorted(keys)[:5]}"
        total, users_with_rows, distinct_keys = (
            await session.exec(
                select(
                    func.count(col(Notification.id)),
                    func.count(func.distinct(Notification.user_id)),
                    func.count(func.distinct(Notification.dedup_key)),
                ).where(Notification.kind == Kind.DIGEST.value)
            )
        ).one()
    assert day.scheduled == 0, day.scheduled  # everyone had a digest_due_at already
    assert day.due == handled, (day.due, handled)
    assert day.queued == queued == total == users_with_rows == distinct_keys, (
        day.queued, queued, total, users_with_rows, distinct_keys,
    )  # fmt: skip
    assert dict(per_slot) == day.slot_due, "a slot handled others than those due in it"
    return (
        f"{handled} due handled exactly once each, in their slot; {queued} digests queued, one "
        f"row and key each; {untouched} others untouched"
    )


# ── rendering ───────────────────────────────────────────────────────────────────────────


async def render_rows(
    factory: async_sessionmaker[AsyncSession], counter: StatementCounter, i18n: I18n, count: int
) -> tuple[int, float, float]:
    """The first `count` digest rows, as the sender renders them. (rows, seconds, sql/batch)"""
    async with factory() as session:
        ids = list(
            (
                await session.exec(
                    select(Notification.id)
                    .where(Notification.kind == Kind.DIGEST.value)
                    .order_by(col(Notification.id))
                    .limit(count)
                )
            ).all()
        )
    seconds, statements, batches, rendered = 0.0, 0, 0, 0
    for chunk in chunks([i for i in ids if i is not None], RENDER_BATCH):
        async with factory() as session:
            rows = (
                await session.exec(select(Notification).where(col(Notification.id).in_(chunk)))
            ).all()
            found = await session.exec(
                select(User).where(col(User.id).in_({row.user_id for row in rows}))
            )
            users = {user.id: user for user in found.all()}
            before = counter.count
            start = time.perf_counter()
            with counter.counting():
                batch = await notifications.prefetch(session, rows)
                for row in rows:
                    render_one(i18n, row, users[row.user_id], batch, row.created_at)
                    rendered += 1
            seconds += time.perf_counter() - start
            statements += counter.count - before
            batches += 1
    return rendered, seconds, statements / batches if batches else 0.0


# ── the run ─────────────────────────────────────────────────────────────────────────────


def print_table(days: list[Day]) -> None:
    print(
        f"\n  {'population':<11}{'buyers':>8}{'due':>8}{'queued':>8}{'empty':>7}{'batches':>8}"
        f"{'seconds':>9}{'built/s':>9}{'÷ 30/s':>8}{'queued/s':>9}{'sql/batch':>10}"
        f"{'RSS MB start → peak':>21}"
    )
    for d in days:
        print(
            f"  {d.population.label:<11}{d.population.buyers:>8}{d.due:>8}{d.queued:>8}"
            f"{d.due - d.queued:>7}{d.batches:>8}{d.seconds:>9.2f}{d.rate:>9.0f}"
            f"{d.rate / TELEGRAM_RATE:>8.0f}{d.queued / d.seconds:>9.0f}{d.sql_per_batch:>10.2f}"
            f"{d.start_mb:>13.0f} → {d.peak_mb:>4.0f}"
        )


def print_statements(day: Day) -> None:
    print(
        f"\n  statements of the {day.population.label} day by kind, per batch of people "
        f"({day.batches} batches; the {SLOTS} slots' final empty batches, {day.idle} statements "
        "each, included here):"
    )
    kinds: Counter[str] = Counter()
    for statement, times in day.seen.items():
        kinds[statement[:110]] += times  # a multi-row INSERT of 300 rows or of fewer: one kind
    for statement, times in kinds.most_common(20):
        print(f"    {times / day.batches:>6.2f}  {statement}")


async def one_population(
    args: argparse.Namespace, url: str, *, label: str, buyers: int, orders: int, render: int
) -> Day:
    engine: AsyncEngine = create_engine(url)
    await migrate(engine)
    factory = create_session_factory(engine)
    counter = KindCounter(engine)
    population = await set_up(
        factory, label=label, buyers=buyers, groups=args.groups, orders=orders
    )
    print(
        f"{label}: {buyers} buyers in {len(PLACES)} time zones and {len(LOCALES)} locales, "
        f"{population.groups} open groups ({population.soon} closing within 72 h), "
        f"{population.orders} orders, {len(population.agents)} agents, "
        f"{len(population.admins)} admins; set-up {population.seconds:.1f} s"
    )
    day = await run_day(factory, counter, population, batch=args.batch, trace=args.tracemalloc)
    busiest = max(day.slot_due.values(), default=0)
    print(
        f"  the day: {day.due} digests built in {len(day.slot_due)} of {SLOTS} slots (at most "
        f"{busiest} in one), {day.batches} batches, {day.seconds:.2f} s"
    )
    start = time.perf_counter()
    print(f"  checked: {await check_day(factory, day)} ({time.perf_counter() - start:.1f} s)")
    if render:
        i18n = create_i18n(PROJECT_ROOT / "locales")
        rows, seconds, per_batch = await render_rows(factory, counter, i18n, render)
        rate = rows / seconds if seconds else float("inf")
        print(
            f"  rendered (--render): {rows} digest rows in {seconds:.2f} s = {rate:.0f}/s = "
            f"{rate / TELEGRAM_RATE:.0f}x Telegram's 30/s; {per_batch:.1f} SQL statements per "
            f"batch of {RENDER_BATCH} (prefetch); every text non-empty"
        )
    await engine.dispose()
    return day


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--buyers", type=int, default=300_000)
    parser.add_argument(
        "--small", type=int, default=30_000, help="the smaller population (0: none)"
    )
    parser.add_argument("--groups", type=int, default=50, help="open groups (the demo's included)")
    parser.add_argument(
        "--orders", type=int, default=2000, help="orders (the small: in proportion)"
    )
    parser.add_argument("--batch", type=int, default=digests.BATCH, help="run_slot's batch")
    parser.add_argument("--render", type=int, default=2000, help="digest rows to render (0: none)")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also the peak of Python allocations (slower)"
    )
    parser.add_argument(
        "--database-url", default=None,
        help="a PostgreSQL server: the bench creates its own database on it (one per population) "
        "and drops it after",
    )  # fmt: skip
    args = parser.parse_args()
    missing = [p.zone for p in PLACES if p.zone not in available_timezones()]
    assert len(PLACES) == 40 and not missing, missing
    assert args.small < args.buyers, "--small must be smaller than --buyers"

    days = []
    if args.small:
        async with own_database(args.database_url, name="digest_small") as url:
            orders = max(1, args.orders * args.small // args.buyers)
            days.append(
                await one_population(
                    args, url, label="small", buyers=args.small, orders=orders, render=0
                )
            )
    async with own_database(args.database_url, name="digest") as url:
        days.append(
            await one_population(
                args, url, label="full", buyers=args.buyers, orders=args.orders,
                render=args.render,
            )
        )  # fmt: skip
    backend = "SQLite" if args.database_url is None or is_sqlite(args.database_url) else "PG"
    print(f"\nbackend: {backend}; batch {args.batch}; {SLOTS} slots of 15 minutes from {START}")
    print_table(days)
    full = days[-1]
    small = days[0] if len(days) == 2 else None
    differ = abs(full.sql_per_batch - small.sql_per_batch) if small else 0.0
    if small and differ > SQL_TOLERANCE:
        print_statements(small)  # where the difference comes from
    print_statements(full)
    factor = full.rate / TELEGRAM_RATE
    print(
        f"\n  building: {full.rate:.0f} digests/s = {factor:.0f}x Telegram's 30/s "
        f"(target >= {TARGET_FACTOR:.0f}x: {'met' if factor >= TARGET_FACTOR else 'NOT met'}); "
        f"queued ones {full.queued / full.seconds:.0f}/s"
    )
    whole = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    scope = "during the day" if full.peak_whole_day else "whole process, set-up included"
    traced = f"; Python allocations peaked at {full.traced_mb:.0f} MB" if full.traced_mb else ""
    print(
        f"  memory: peak RSS {full.peak_mb:.0f} MB {scope} (target < {RSS_LIMIT_MB:.0f} MB: "
        f"{'met' if full.peak_mb < RSS_LIMIT_MB else 'NOT met'}), {full.start_mb:.0f} MB at its "
        f"start (the imports), so the day adds {full.peak_mb - full.start_mb:.0f} MB{traced}; the "
        f"process's peak, set-up and checks included: {whole:.0f} MB"
    )
    if small:
        print(
            f"  SQL statements per batch: {small.sql_per_batch:.2f} at {small.population.buyers} "
            f"buyers, {full.sql_per_batch:.2f} at {full.population.buyers} "
            f"({full.population.buyers / small.population.buyers:.0f}x the buyers): "
            f"{'the same within ' + str(SQL_TOLERANCE) if differ <= SQL_TOLERANCE else 'GROWS'}"
        )
        assert differ <= SQL_TOLERANCE, "the statements per batch grow with the buyers"


if __name__ == "__main__":
    asyncio.run(main())
