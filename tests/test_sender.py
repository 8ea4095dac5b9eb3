"""The outbox sender against the emulator: pacing, 429, 403, 5xx, long texts, kill and restart."""

import asyncio
import os
import signal
import sys
import time
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.sandbox.emulator import EmuUser
from bot.sender import OutboxSender
from core.clock import FrozenClock, SystemClock
from core.config import PROJECT_ROOT
from models import Notification, User
from services import outbox
from tests.harness import Harness

pytestmark = pytest.mark.clock


async def make_users(app: Harness, count: int, start: int = 70_000) -> list[EmuUser]:
    users = [EmuUser(id=start + i, first_name=f"u{i}", language_code="en") for i in range(count)]
    async with app.session_factory() as session:
        for user in users:
            session.add(User(id=user.id, first_name=user.first_name, locale="en"))
        await session.commit()
    for user in users:
        app.emulator.register(user).started = True  # they have talked to the bot before
    return users


async def queue(
    app: Harness, users: list[EmuUser], per_user: int, text: str = "msg", clock=None
) -> None:  # noqa: ANN001
    clock = clock or SystemClock()
    async with app.session_factory() as session:
        for n in range(per_user):
            for user in users:
                await outbox.enqueue(
                    session,
                    user_id=user.id,
                    kind="text",
                    payload={"text": f"{text} {user.id} #{n}"},
                    now=clock.now(),
                )
        await session.commit()


def sender(app: Harness, **kwargs) -> OutboxSender:
    kwargs.setdefault("clock", SystemClock())
    kwargs.setdefault("rate", 1000.0)
    kwargs.setdefault("per_chat_interval", 0.0)
    kwargs.setdefault("backoff_base", 0.01)
    return OutboxSender(
        bot=app.bot,
        session_factory=app.session_factory,
        i18n=app.i18n,
        **kwargs,
    )


def send_times(app: Harness) -> list[tuple[float, int]]:
    return [(r.timestamp, int(r.params["chat_id"])) for r in app.emulator.calls("sendMessage")]


async def statuses(app: Harness) -> dict[str, int]:
    async with app.session_factory() as session:
        rows = (await session.exec(select(Notification.status))).all()
    result: dict[str, int] = {}
    for status in rows:
        result[status] = result.get(status, 0) + 1
    return result


async def test_pacing_overall_and_per_chat(harness: Harness):
    users = await make_users(harness, 4)
    await queue(harness, users, 5)  # 20 messages, 5 per chat
    started = time.monotonic()
    await sender(harness, rate=25.0, per_chat_interval=0.3).run_until_empty()
    elapsed = time.monotonic() - started
    times = send_times(harness)
    assert len(times) == 20
    for user in users:
        mine = sorted(t for t, chat in times if chat == user.id)
        gaps = [b - a for a, b in zip(mine, mine[1:], strict=False)]
        assert min(gaps) >= 0.28, gaps  # ~1 message per interval per chat
    stamps = sorted(t for t, _ in times)
    for i in range(len(stamps)):
        window = [t for t in stamps[i:] if t - stamps[i] < 1.0]
        assert len(window) <= 26  # 25/s overall (+1 for the window's edge)
    assert elapsed >= (20 - 1) / 25 * 0.9
    assert await statuses(harness) == {"sent": 20}


async def test_429_pauses_everything_then_delivers(harness: Harness):
    users = await make_users(harness, 5)
    await queue(harness, users, 2)
    harness.emulator.inject(method="sendMessage", error_code=429, retry_after=1, times=1)
    await sender(harness).run_until_empty()
    times = sorted(t for t, _ in send_times(harness))
    assert len(times) == 11  # 10 delivered + the one refused with 429
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert max(gaps) >= 0.95  # nothing was sent during retry_after
    assert await statuses(harness) == {"sent": 10}
    async with harness.session_factory() as session:
        attempts = (await session.exec(select(Notification.attempts))).all()
    assert set(attempts) == {1}  # a 429 is not a failed attempt


async def test_blocked_user_is_marked_and_skipped(harness: Harness):
    users = await make_users(harness, 3)
    harness.emulator.block(users[0])
    await queue(harness, users, 3)
    await sender(harness).run_until_empty()
    to_blocked = [chat for _, chat in send_times(harness) if chat == users[0].id]
    assert len(to_blocked) == 1  # tried once, never again
    assert await statuses(harness) == {"sent": 6, "skipped": 3}
    async with harness.session_factory() as session:
        assert (await session.get(User, users[0].id)).is_blocked is True
    await queue(harness, users[:1], 1, text="later")
    await sender(harness).run_until_empty()
    assert len([c for _, c in send_times(harness) if c == users[0].id]) == 1


async def test_server_errors_are_retried_then_recorded(harness: Harness):
    users = await make_users(harness, 2)
    await queue(harness, users[:1], 1, text="flaky")
    harness.emulator.inject(method="sendMessage", chat_id=users[0].id, error_code=502, times=2)
    await sender(harness).run_until_empty()
    async with harness.session_factory() as session:
        row = (await session.exec(select(Notification))).one()
    assert (row.status, row.attempts) == ("sent", 3)
    # a server that keeps failing: retried until SEND_GIVE_UP_AFTER, then recorded as failed
    clock = FrozenClock()
    await queue(harness, users[1:], 1, text="doomed", clock=clock)
    harness.emulator.inject(method="sendMessage", chat_id=users[1].id, error_code=500, times=None)
    doomed_sender = sender(harness, clock=clock, give_up_after=timedelta(hours=2))
    for _ in range(30):
        await doomed_sender.drain()
        clock.advance(timedelta(minutes=5, seconds=1))  # past the capped backoff
    harness.emulator.clear_faults()
    async with harness.session_factory() as session:
        doomed = (
            await session.exec(select(Notification).where(Notification.user_id == users[1].id))
        ).one()
    assert doomed.status == "failed" and doomed.attempts > 5
    assert "Internal Server Error" in doomed.last_error or "500" in doomed.last_error


async def test_an_outage_of_hours_loses_nothing(harness: Harness):
    """The Bot API unreachable for 3 hours (502 pages): everything queued arrives afterwards."""
    users = await make_users(harness, 20)
    clock = FrozenClock()
    await queue(harness, users, 1, text="patience", clock=clock)
    outage = harness.emulator.inject(method="sendMessage", error_code=502, times=None)
    patient = sender(harness, clock=clock)
    for _ in range(40):  # 40 × 5 min: well past five attempts of 1/2/4/8 s
        await patient.drain()
        clock.advance(timedelta(minutes=5, seconds=1))
    assert outage is not None
    harness.emulator.clear_faults()
    await patient.drain()
    assert await statuses(harness) == {"sent": 20}


async def test_a_non_json_error_page_is_retried_not_fatal(harness: Harness):
    """A proxy's HTML 502 page (not Telegram's JSON) is a temporary failure like any 5xx."""
    users = await make_users(harness, 3)
    clock = FrozenClock()
    await queue(harness, users, 1, text="html", clock=clock)
    harness.emulator.inject(method="sendMessage", error_code=502, times=2, html=True)
    flaky = sender(harness, clock=clock)
    for _ in range(5):
        await flaky.drain()
        clock.advance(timedelta(seconds=30))
    assert await statuses(harness) == {"sent": 3}


async def test_two_senders_side_by_side_send_each_row_once(harness: Harness):
    users = await make_users(harness, 40)
    await queue(harness, users, 3)  # 120 notifications
    first, second = sender(harness, concurrency=4), sender(harness, concurrency=4)
    await asyncio.gather(first.run_until_empty(), second.run_until_empty())
    texts = [r.params["text"] for r in harness.emulator.calls("sendMessage")]
    assert len(texts) == 120 and len(set(texts)) == 120
    assert await statuses(harness) == {"sent": 120}


async def test_a_stored_error_never_holds_the_token(harness: Harness):
    users = await make_users(harness, 1)
    await queue(harness, users, 1, text="secret")
    token = harness.settings.token
    harness.emulator.inject(
        method="sendMessage", error_code=400, description=f"Bad Request: bot{token} is odd"
    )
    await sender(harness).run_until_empty()
    async with harness.session_factory() as session:
        row = (await session.exec(select(Notification))).one()
    assert row.status == "failed" and token not in row.last_error and "<redacted>" in row.last_error


async def test_long_text_is_split(harness: Harness):
    users = await make_users(harness, 1)
    line = "青田 Qingtian " * 20
    text = "\n".join(f"{i}: {line}" for i in range(60))  # ~ 13,000 characters
    await queue(harness, users, 1, text=text)
    await sender(harness).run_until_empty()
    parts = [m.text for m in harness.emulator.bot_messages(users[0].id)]
    assert len(parts) == 4 and all(len(p) <= 4096 for p in parts)

    def squash(value: str) -> str:
        return "".join(value.split())  # Telegram trims each message's edges

    assert squash("".join(parts)) == squash(f"{text} {users[0].id} #0")


async def test_kill_and_restart_delivers_everything(harness: Harness, engine):
    users = await make_users(harness, 50)
    await queue(harness, users, 4)  # 200 notifications
    env = dict(os.environ)
    env.update(
        BOT_TOKEN=harness.settings.token,
        TELEGRAM_API_URL=harness.emulator.base_url,
        DATABASE_URL=harness.settings.database_url,
        SEND_RATE="100",
        SEND_PER_CHAT_INTERVAL="0",
        SEND_CONCURRENCY="4",
        SEND_LEASE_SECONDS="1",  # the restarted sender takes the killed one's rows over at once
        PYTHONPATH=str(PROJECT_ROOT),
    )

    async def start():
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "send-outbox", env=env, cwd=str(PROJECT_ROOT),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip

    first = await start()
    deadline = time.monotonic() + 60
    while len(harness.emulator.calls("sendMessage")) < 60 and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    first.send_signal(signal.SIGKILL)  # mid-drain, no chance to clean up
    await first.wait()
    sent_before = len(harness.emulator.calls("sendMessage"))
    assert 60 <= sent_before < 200
    second = await start()
    _, err = await asyncio.wait_for(second.communicate(), timeout=120)
    assert second.returncode == 0, err.decode()[-2000:]
    texts = [r.params["text"] for r in harness.emulator.calls("sendMessage")]
    assert set(texts) == {f"msg {u.id} #{n}" for u in users for n in range(4)}  # nothing lost
    duplicates = len(texts) - len(set(texts))
    assert duplicates <= 4  # at most SEND_CONCURRENCY: the sends in flight at the kill
    assert await statuses(harness) == {"sent": 200}
    async with harness.session_factory() as session:
        pending = (
            await session.exec(select(Notification).where(col(Notification.status) == "pending"))
        ).all()
    assert pending == []


async def test_a_user_who_writes_again_gets_messages_again(app: Harness):
    users = await make_users(app, 1)
    app.emulator.block(users[0])
    await queue(app, users, 1, text="first")
    await sender(app).run_until_empty()
    async with app.session_factory() as session:
        assert (await session.get(User, users[0].id)).is_blocked is True
    await app.send(users[0], "/help")  # writing unblocks the bot (Telegram's "Restart")
    async with app.session_factory() as session:
        assert (await session.get(User, users[0].id)).is_blocked is False
    await queue(app, users, 1, text="second")
    await sender(app).run_until_empty()
    assert any("second" in t for t in app.texts(users[0]))
