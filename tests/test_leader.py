"""Several workers, one sender: the Redis leader lock, against the real Redis server."""

import asyncio
import os
import uuid

import pytest
from redis.asyncio import Redis

from bot.leader import LeaderElector, LeaderLock

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
async def redis():
    client = Redis.from_url(REDIS_URL)
    yield client
    await client.aclose()


async def test_only_one_worker_holds_the_lock(redis):
    key = f"test:leader:{uuid.uuid4()}"
    first, second = LeaderLock(redis, key, ttl=1.0), LeaderLock(redis, key, ttl=1.0)
    assert await first.acquire() is True
    assert await second.acquire() is False
    assert await second.renew() is False  # renewing someone else's lock does nothing
    assert await first.renew() is True
    await second.release()  # releasing someone else's lock does nothing
    assert await redis.get(key) == first.token.encode()
    await first.release()
    assert await second.acquire() is True
    await second.release()


async def test_a_worker_takes_over_when_the_leader_stops(redis):
    key = f"test:leader:{uuid.uuid4()}"
    events: list[str] = []

    def elector(name: str) -> LeaderElector:
        async def elected() -> None:
            events.append(f"{name} elected")

        async def lost() -> None:
            events.append(f"{name} lost")

        return LeaderElector(LeaderLock(redis, key, ttl=0.3), on_elected=elected, on_lost=lost)

    a, b = elector("a"), elector("b")
    a.start()
    await asyncio.sleep(0.05)
    b.start()
    await asyncio.sleep(0.4)
    assert (a.is_leader, b.is_leader) == (True, False)
    await a.stop()  # a worker shuts down: it steps down and releases the lock
    for _ in range(50):
        if b.is_leader:
            break
        await asyncio.sleep(0.05)
    assert b.is_leader
    await b.stop()
    assert events == ["a elected", "a lost", "b elected", "b lost"]
    assert await redis.get(key) is None
