"""The event bus: broadcaster, memory:// in one process or redis:// across many.

broadcaster is at-most-once; anything that must not be lost is also written to
the database, and the bus only carries the news that it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from urllib.parse import urlsplit

from broadcaster import Broadcast
from broadcaster._backends.redis import RedisBackend

log = logging.getLogger("passage.bus")

SESSIONS_CHANNEL = "sessions.revoked"


class _RedisBackend(RedisBackend):  # type: ignore[misc]
    """broadcaster 0.3.1's Redis backend, subscribing before it wakes its listener.

    The original wakes the listener first; redis-py's `listen()` then finds no
    channel subscribed yet, returns at once, and the listener sleeps for good:
    no message ever arrives.
    """

    async def subscribe(self, channel: str) -> None:
        await self._pubsub.subscribe(channel)
        self._ready.set()


class Bus:
    def __init__(self, url: str, namespace: str = "passage") -> None:
        self.url = url
        # Several deployments (or test runs) may share one Redis: channels are namespaced.
        self.namespace = namespace
        self.kind = urlsplit(url).scheme
        self._broadcast = (
            Broadcast(backend=_RedisBackend(url))
            if self.kind in {"redis", "rediss"}
            else Broadcast(url)
        )
        self._tasks: list[asyncio.Task[None]] = []
        self._redis = None
        if self.kind.startswith("redis"):
            from redis import asyncio as aioredis

            self._redis = aioredis.Redis.from_url(url, socket_connect_timeout=2)

    async def connect(self) -> None:
        await self._broadcast.connect()

    async def disconnect(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        await self._broadcast.disconnect()
        if self._redis is not None:
            await self._redis.aclose()

    async def publish(self, channel: str, message: str) -> None:
        await self._broadcast.publish(f"{self.namespace}:{channel}", message)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[str]]:
        async with self._broadcast.subscribe(f"{self.namespace}:{channel}") as subscriber:

            async def messages() -> AsyncIterator[str]:
                while True:
                    event = await subscriber.get()
                    yield event.message

            yield messages()

    def listen(self, channel: str, handler: Callable[[str], Awaitable[None]]) -> None:
        """Runs `handler` for every message on `channel` until disconnect."""

        async def loop() -> None:
            while True:
                try:
                    async with self.subscribe(channel) as messages:
                        async for message in messages:
                            await handler(message)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("bus listener on %s failed; resubscribing", channel)
                    await asyncio.sleep(1)

        self._tasks.append(asyncio.create_task(loop(), name=f"bus-listen:{channel}"))

    async def ping(self) -> bool:
        if self._redis is None:
            return True
        try:
            return bool(await asyncio.wait_for(self._redis.ping(), 2))
        except Exception:
            return False
