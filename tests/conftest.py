"""Fixtures: a fresh database per test (SQLite file, or PostgreSQL when TEST_DATABASE_URL is set),
the project's Bot API emulator on loopback, and the real bot + dispatcher talking to it over HTTP."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import text

from bot.db import create_engine, create_session_factory, is_sqlite, migrate, normalize_url
from bot.i18n import create_i18n
from core.clock import FrozenClock
from core.config import PROJECT_ROOT, Settings
from tests.harness import Harness

ADMIN_ID = 900


def database_url(tmp_path: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.db'}"


async def reset_database(url: str) -> None:
    """PostgreSQL keeps its database between tests: start each from an empty schema."""
    if is_sqlite(normalize_url(url)):
        return
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(scope="session")
def i18n():
    return create_i18n(PROJECT_ROOT / "locales")


@pytest.fixture(autouse=True)
def fresh_search_index():
    """Each test's database gets its own search index (a new database may reuse a URL)."""
    from services import cache, search

    search.reset()
    cache.reset()  # and its own cached rows: versions start again from 0 in a new database
    yield
    search.reset()
    cache.reset()


@pytest.fixture
async def engine(tmp_path: Path):
    url = database_url(tmp_path)
    await reset_database(url)
    engine = create_engine(url)
    await migrate(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine):
    return create_session_factory(engine)


@pytest.fixture
async def session(session_factory):
    async with session_factory() as session:
        yield session


@pytest.fixture
def clock() -> FrozenClock:
    """Today, frozen: tests move it forward instead of sleeping, and run on whatever date today
    is (CI runs the time-sensitive ones a year ahead too)."""
    return FrozenClock()


@pytest.fixture
async def seeded(session_factory, clock: FrozenClock) -> None:
    from services.seed import seed_demo

    async with session_factory() as session:
        await seed_demo(session, now=clock.now())


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        bot_token="123456:TEST",
        database_url=database_url(tmp_path),
        admin_ids=frozenset({ADMIN_ID}),
        throttle_burst=0,  # flood protection has its own test; scripted users are fast
    )


@pytest.fixture
async def harness(settings, session_factory, i18n, clock) -> AsyncIterator[Harness]:
    async with Harness(
        settings=settings, session_factory=session_factory, i18n=i18n, clock=clock
    ) as h:
        yield h


TEST_PROVIDER = "284685063:TEST:sandbox"


@pytest.fixture
async def invoicing(
    settings: Settings, session_factory, i18n, clock, seeded
) -> AsyncIterator[Harness]:
    """The bot over the demo catalogue with a payment provider token: Telegram Payments on."""
    with_token = settings.model_copy(update={"payment_provider_token": SecretStr(TEST_PROVIDER)})
    async with Harness(
        settings=with_token, session_factory=session_factory, i18n=i18n, clock=clock
    ) as h:
        yield h


@pytest.fixture
async def app(harness: Harness, seeded) -> Harness:
    """The bot over the seeded demo catalogue."""
    return harness


class _Failures(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def no_unexpected_failures(request):
    """Fail any test during which an update crashed into the global error handler: the user got
    an apology there, which a test asserting on other things would not notice. Tests of the
    handler itself are marked `allow_failures`."""
    watcher = _Failures()
    logger = logging.getLogger("bot.errors")
    logger.addHandler(watcher)
    yield
    logger.removeHandler(watcher)
    if request.node.get_closest_marker("allow_failures") is None and watcher.records:
        first = watcher.records[0]
        pytest.fail(f"an update failed: {first.getMessage()}\n{first.exc_text or ''}"[:3000])
