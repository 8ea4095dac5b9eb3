"""Redis away while the bot runs: no update is handled (each would fail on the FSM state);
they wait, and are handled once Redis is back. The transitions are logged."""

import asyncio
import logging

from bot.dispatcher import create_dispatcher
from bot.middlewares import RedisHealth
from tests.harness import Harness


async def test_updates_wait_while_redis_is_away_then_are_handled(app: Harness, caplog):
    state = {"up": True}

    async def ping() -> bool:
        if not state["up"]:
            raise ConnectionError("Connection refused")
        return True

    health = RedisHealth(ping)
    dp = create_dispatcher(
        settings=app.settings, session_factory=app.session_factory, i18n=app.i18n,
        clock=app.clock, redis_health=health,
    )  # fmt: skip
    app.dp = dp
    buyer = app.user(language_code="en")
    state["up"] = False
    with caplog.at_level(logging.WARNING, logger="bot.middlewares"):
        assert await health.check() is False
        app.emulator.send_message(buyer, "/start")
        handling = asyncio.create_task(app.process())
        for _ in range(20):
            await asyncio.sleep(0)  # let it run as far as it can
        assert not handling.done() and app.last(buyer) is None  # waiting, not failing
        state["up"] = True
        assert await health.check() is True
        await asyncio.wait_for(handling, timeout=10)
    assert app.last(buyer) is not None  # answered once Redis was back
    messages = [r.getMessage() for r in caplog.records]
    assert any("Redis unreachable" in m for m in messages)
    assert any("Redis is back" in m for m in messages)
