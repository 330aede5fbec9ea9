"""The event bus: broadcaster, memory:// in one process or redis:// across many.

broadcaster is at-most-once; anything that must not be lost is also written to
the database, and the bus only carries the news that it was. Over Redis the
subscription connection is supervised (see `supervised_redis`): subscribers are
told when messages may have been lost, so that they read the log again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from urllib.parse import urlsplit

from broadcaster import Broadcast

from subscriptions.supervised_redis import RESYNC, SupervisedRedis

log = logging.getLogger("passage.bus")

SESSIONS_CHANNEL = "sessions.revoked"


class Bus:
    def __init__(self, url: str, namespace: str = "passage") -> None:
        self.url = url
        # Several deployments (or test runs) may share one Redis: channels are namespaced.
        self.namespace = namespace
        self.kind = urlsplit(url).scheme
        self._redis: SupervisedRedis | None = None
        if self.kind in {"redis", "rediss"}:
            self._redis = SupervisedRedis(url, namespace)
            self._broadcast = Broadcast(backend=self._redis)
        else:
            self._broadcast = Broadcast(url)
        self._tasks: list[asyncio.Task[None]] = []
        self._before_disconnect: list[Callable[[], Awaitable[None]]] = []

    async def connect(self) -> None:
        await self._broadcast.connect()

    def before_disconnect(self, work: Callable[[], Awaitable[None]]) -> None:
        """Runs `work` when the bus is disconnected, first (what is owed for publishing)."""
        self._before_disconnect.append(work)

    async def disconnect(self) -> None:
        for work in self._before_disconnect:
            try:
                await work()
            except Exception:
                log.exception("work before disconnecting the bus failed")
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        await self._broadcast.disconnect()

    async def publish(self, channel: str, message: str) -> None:
        await self._broadcast.publish(f"{self.namespace}:{channel}", message)

    async def publish_many(self, channel: str, messages: list[str]) -> None:
        """`messages` on `channel`, in order: over Redis in one round trip."""
        if self._redis is not None:
            await self._redis.publish_many(f"{self.namespace}:{channel}", messages)
            return
        for message in messages:
            await self.publish(channel, message)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[list[str | None]]]:
        """Messages on `channel`, in batches of whatever has arrived. `None` comes first once
        live, then again whenever messages may have been lost (the connection to Redis was
        restored): read the log."""
        async with self._broadcast.subscribe(f"{self.namespace}:{channel}") as subscriber:
            # broadcaster 0.3.1 hands out one message at a time; taking what has already
            # arrived along with it lets the hub check the log once per batch.
            queue = subscriber._queue

            async def batches() -> AsyncIterator[list[str | None]]:
                yield [None]
                while True:
                    events = [await subscriber.get()]
                    while not queue.empty():
                        event = queue.get_nowait()
                        if event is None:  # unsubscribed: the next get() says so
                            queue.put_nowait(None)
                            break
                        events.append(event)
                    yield [None if e.message == RESYNC else e.message for e in events]

            yield batches()

    def listen(self, channel: str, handler: Callable[[str], Awaitable[None]]) -> None:
        """Runs `handler` for every message on `channel` until disconnect."""

        async def loop() -> None:
            while True:
                try:
                    async with self.subscribe(channel) as batches:
                        async for batch in batches:
                            for message in batch:
                                if message is not None:
                                    await handler(message)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("bus listener on %s failed; resubscribing", channel)
                    await asyncio.sleep(1)

        self._tasks.append(asyncio.create_task(loop(), name=f"bus-listen:{channel}"))

    async def ping(self) -> bool:
        """False while Redis is unreachable or the subscription connection is down."""
        return True if self._redis is None else await self._redis.ping()
