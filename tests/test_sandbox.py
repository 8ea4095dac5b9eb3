"""The README's first command: `python -m bot` without a token is a working sandbox chat."""

import os
import subprocess
import sys

from core.config import PROJECT_ROOT


def test_sandbox_runs_from_an_empty_folder(tmp_path):
    script = "\n".join(["/start", "#4", "#1", "#1", "/catalog", "#3", "#1", "/rates", ":quit", ""])
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN", "DATABASE_URL")}
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        input=script,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Bot API emulator at http://127.0.0.1:" in out
    assert "Italiano" in out  # the language picker
    assert "Milano" in out  # Italian chosen (#4), then Italia (#1) and Milano (#1)
    assert "HS" in out  # a product card from the seeded demo catalogue
    assert "EUR" in out  # /rates: the sandbox user is an admin
    assert (tmp_path / "qingtian.db").exists()  # schema created and seeded on first run


async def test_with_a_token_it_polls_the_configured_bot_api_server(tmp_path):
    """`python -m bot` with BOT_TOKEN and TELEGRAM_API_URL: long polling against that server."""
    import asyncio
    import signal
    import time

    from bot.sandbox.emulator import BotAPIEmulator, EmuUser

    token = "424242:REAL-mode-test"
    async with BotAPIEmulator(token=token) as emulator:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
        env.update(
            BOT_TOKEN=token,
            TELEGRAM_API_URL=emulator.base_url,
            PYTHONPATH=str(PROJECT_ROOT),
            SEED_DEMO="true",
            ADMIN_IDS="31337",
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=str(tmp_path), env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            user = EmuUser(id=31337, first_name="Real", language_code="de")
            deadline = time.monotonic() + 60
            while not emulator.calls("getUpdates") and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            emulator.send_message(user, "/start")
            while not emulator.bot_messages(user.id) and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
            reply = emulator.last_bot_message(user.id)
            assert reply is not None and "Deutsch" in " ".join(
                t for row in reply.buttons for t, _ in row
            )
            german = emulator.get_commands(language_code="de")
            assert german and any(c["command"] == "catalog" for c in german)
        finally:
            process.send_signal(signal.SIGTERM)  # docker stop
            _, err = await asyncio.wait_for(process.communicate(), timeout=60)
        log = err.decode()
        assert process.returncode == 0, log[-2000:]
        # it stopped in order: intake, the updates in flight, then the sender and scheduler
        steps = [
            "no more updates taken",
            "updates in flight are finished",
            "sender and scheduler stopped",
        ]
        positions = [log.find(step) for step in steps]
        assert -1 not in positions and positions == sorted(positions), log[-2000:]
        assert token not in log


def test_an_unreachable_redis_stops_the_bot_at_start_up(tmp_path):
    import subprocess

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(BOT_TOKEN="424242:REDIS-test", REDIS_URL="redis://127.0.0.1:1/0")
    run = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=str(tmp_path), env=env, capture_output=True,
        text=True, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 1
    assert "cannot reach Redis at REDIS_URL" in run.stderr
    assert not (tmp_path / "qingtian.db").exists()  # nothing was touched, no update consumed
