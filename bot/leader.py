"""One leader among several workers, through a Redis lock (REDIS_URL).

The outbox sender and the deadline scheduler must run once however many webhook workers serve
updates. Every worker runs an elector; the one holding the lock runs them, renews the lock every
ttl/3, and stops them if it ever loses it; the others retry and take over when it goes away.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

log = logging.getLogger(__name__)

RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class LeaderLock:
    def __init__(
        self, redis: Redis, key: str = "qingtian-bridge:leader", ttl: float = 30.0
    ) -> None:
        self.redis = redis
        self.key = key
        self.ttl_ms = int(ttl * 1000)
        self.token = secrets.token_hex(16)

    async def acquire(self) -> bool:
        return bool(await self.redis.set(self.key, self.token, nx=True, px=self.ttl_ms))

    async def renew(self) -> bool:
        return bool(await self.redis.eval(RENEW, 1, self.key, self.token, self.ttl_ms))

    async def release(self) -> None:
        await self.redis.eval(RELEASE, 1, self.key, self.token)


class LeaderElector:
    """Runs `on_elected` when this worker becomes the leader and `on_lost` when it stops being it."""

    def __init__(
        self,
        lock: LeaderLock,
        *,
        on_elected: Callable[[], Awaitable[None]],
        on_lost: Callable[[], Awaitable[None]],
    ) -> None:
        self.lock = lock
        self.on_elected = on_elected
        self.on_lost = on_lost
        self.is_leader = False
        self._task: asyncio.Task | None = None
        self._stop = asyncio.Event()

    async def _loop(self) -> None:
        period = self.lock.ttl_ms / 3000
        while not self._stop.is_set():
            try:
                if self.is_leader:
                    if not await self.lock.renew():
                        log.warning("lost the leader lock")
                        self.is_leader = False
                        await self.on_lost()
                elif await self.lock.acquire():
                    log.info("elected leader")
                    self.is_leader = True
                    await self.on_elected()
            except Exception:  # Redis unreachable: step down, keep trying
                log.exception("leader election failed")
                if self.is_leader:
                    self.is_leader = False
                    await self.on_lost()
            try:
                await asyncio.wait_for(self._stop.wait(), timeout=period)
            except TimeoutError:
                pass

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
        if self.is_leader:
            self.is_leader = False
            await self.on_lost()
            await self.lock.release()
