"""Bursts of newcomers: everyone gets an answer, on SQLite's single writer too."""

import pytest
from sqlmodel import func, select

from bot.db import create_engine, migrate
from models import GroupWatch, User
from tests.conftest import database_url, reset_database
from tests.harness import Harness

LANGUAGE_PROMPT = "First, choose your language:"


@pytest.fixture
async def engine(tmp_path):  # noqa: ANN001, ANN201
    """SQLite with a 20 ms busy timeout instead of 10 s: the same burst, with the window in which
    a starved writer gives up ("database is locked") shrunk to fit a test. This process's writers
    must never wait in SQLite's busy handler at all, so they still all get through."""
    url = database_url(tmp_path)
    await reset_database(url)
    engine = create_engine(url, busy_timeout_ms=20)
    await migrate(engine)
    yield engine
    await engine.dispose()


async def test_300_newcomers_at_once_all_get_the_language_picker(app: Harness):
    users = [app.user(language_code=None, first_name=f"N{i}") for i in range(300)]
    for user in users:
        app.emulator.send_message(user, "/start")
    handled = await app.process_at_once()
    assert handled == 300
    missing = [u.id for u in users if not (m := app.last(u)) or LANGUAGE_PROMPT not in m.text]
    assert missing == []
    async with app.session_factory() as session:
        count = (await session.exec(select(func.count()).select_from(User))).one()
    assert count >= 300


async def test_120_newcomers_through_a_shared_link_all_get_an_answer(app: Harness):
    from models import GroupOrder

    async with app.session_factory() as session:
        group = (await session.exec(select(GroupOrder))).first()
    referrer = app.user(language_code="it")
    await app.onboard(referrer, language="it", country="Italia", city="Milano")
    users = [app.user(language_code="it", first_name=f"F{i}") for i in range(120)]
    for user in users:
        app.emulator.send_message(user, f"/start gb_{group.id}_{referrer.id}")
    assert await app.process_at_once() == 120
    assert [u.id for u in users if app.last(u) is None] == []
    async with app.session_factory() as session:
        recorded = (await session.exec(select(User).where(User.start_payload.is_not(None)))).all()
    assert len(recorded) == 120


async def test_onboarded_buyers_opening_a_shared_link_at_once_are_all_recorded(app: Harness):
    from models import GroupOrder

    async with app.session_factory() as session:
        group = (await session.exec(select(GroupOrder).where(GroupOrder.city == "Milan"))).first()
    buyers = [app.user(language_code="en", first_name=f"B{i}") for i in range(40)]
    for buyer in buyers:
        await app.onboard(buyer, language="en", country="Italy", city="Milan")
    for buyer in buyers:
        app.emulator.send_message(buyer, f"/start gb_{group.id}_{buyers[0].id}")
    assert await app.process_at_once() == 40
    async with app.session_factory() as session:
        watches = await session.exec(select(GroupWatch).where(GroupWatch.group_id == group.id))
        watchers = {w.user_id for w in watches.all()}
    assert watchers == {b.id for b in buyers}
    assert all("Milan" in (app.last(b).text or "") for b in buyers)


async def test_a_write_locked_by_another_process_is_retried(engine, session_factory, monkeypatch):
    """Another process (say `send-outbox`) holds the write lock past the busy timeout: the write
    is retried after a backoff instead of failing."""
    import sqlite3

    from services import tx

    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single writer")
    other = sqlite3.connect(engine.url.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    waits = []

    async def backoff(seconds: float) -> None:
        waits.append(seconds)
        other.execute("COMMIT")  # the other process finishes while we back off

    monkeypatch.setattr(tx, "_sleep", backoff)
    async with session_factory() as session:
        await tx.begin_write(session)
        session.add(User(id=77, first_name="Retried"))
        await session.commit()
    other.close()
    assert len(waits) == 1
    async with session_factory() as session:
        assert (await session.get(User, 77)).first_name == "Retried"


async def test_a_database_locked_between_sending_and_marking_sends_nothing_twice(
    harness: Harness, engine, monkeypatch
):
    """Another process takes SQLite's write lock right after the first message went out and
    holds it past the busy timeout: the sender waits to mark its rows instead of sending them
    again."""
    import sqlite3

    from services import tx
    from tests.test_sender import make_users, queue, sender, statuses

    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single writer")
    users = await make_users(harness, 10)
    await queue(harness, users, 5)  # 50 notifications
    other = sqlite3.connect(engine.url.database, isolation_level=None)
    held = {"state": "free"}

    def take_the_lock(kind: str, _message) -> None:  # noqa: ANN001
        if kind == "new" and held["state"] == "free":
            other.execute("BEGIN IMMEDIATE")
            held["state"] = "held"

    async def backoff(_seconds: float) -> None:
        if held["state"] == "held":
            other.execute("COMMIT")
            held["state"] = "released"

    harness.emulator.on_bot_message.append(take_the_lock)
    monkeypatch.setattr(tx, "_sleep", backoff)
    await sender(harness, concurrency=4).run_until_empty()
    other.close()
    assert held["state"] == "released"
    texts = [r.params["text"] for r in harness.emulator.calls("sendMessage")]
    assert len(texts) == 50 and len(set(texts)) == 50
    assert await statuses(harness) == {"sent": 50}


async def test_two_profile_changes_at_once_both_stay(session_factory):
    """Two updates of one user hold their own snapshot of the row (loaded when each arrived);
    each writes back only what it changed, so neither undoes the other."""
    from services import users

    async with session_factory() as session:
        session.add(User(id=42, first_name="Lin", locale="en", currency="EUR", country="IT"))
        await session.commit()
    snapshots = []
    for _ in range(2):  # both updates arrive before either writes
        async with session_factory() as session:
            user = await session.get(User, 42)
            session.expunge(user)
            snapshots.append(user)
    first, second = snapshots
    users.set_locale(first, "it")
    users.set_currency(second, "CNY")
    for user in (first, second):
        async with session_factory() as session:
            await users.save(session, user)
            await session.commit()
    async with session_factory() as session:
        stored = await session.get(User, 42)
    assert (stored.locale, stored.currency) == ("it", "CNY")


async def test_a_write_cancelled_while_backing_off_releases_the_lock(
    engine, session_factory, monkeypatch
):
    import asyncio
    import sqlite3

    from services import tx

    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single writer")
    other = sqlite3.connect(engine.url.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")

    async def cancelled(_seconds: float) -> None:
        raise asyncio.CancelledError  # shutdown while waiting for the other process

    monkeypatch.setattr(tx, "_sleep", cancelled)
    with pytest.raises(asyncio.CancelledError):
        async with session_factory() as session:
            await tx.begin_write(session)
    other.execute("COMMIT")
    other.close()
    async with session_factory() as session:  # the next writer is not stuck behind a lost lock
        await asyncio.wait_for(tx.begin_write(session), timeout=5)
        session.add(User(id=78, first_name="Next"))
        await session.commit()


async def test_2000_newcomers_at_once_all_answered_and_nothing_fails(app: Harness):
    """A flood of newcomers (a share link posted in a big chat): every update is answered and
    none fails; the bot slows down instead (at most MAX_CONCURRENT_UPDATES handled at once)."""
    bystander = app.user(language_code="en")
    await app.onboard(bystander, language="en", country="Italy", city="Milan")
    users = [app.user(language_code="it", first_name=f"F{i}") for i in range(2000)]
    for user in users:
        app.emulator.send_message(user, "/start")
    app.emulator.send_message(bystander, "/help")
    before = len(app.emulator.bot_messages(bystander.id))
    assert await app.process_at_once() == 2001
    assert [u.id for u in users if app.last(u) is None] == []
    assert len(app.emulator.bot_messages(bystander.id)) == before + 1
