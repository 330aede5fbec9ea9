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
Handler = Callable[[str], Awaitable[None]]
# An account's sign-in state changed (e-mail verified, status): its id, for session caches.
ACCOUNTS_CHANNEL = "accounts.changed"


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
        # One subscription per channel however many listen (broadcaster's subscribe is not
        # safe for two first subscribers of a channel at once): each runs every handler.
        self._listeners: dict[str, list[tuple[Handler, Callable[[], None] | None]]] = {}
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
        self._listeners.clear()
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

    def listen(
        self, channel: str, handler: Handler, on_gap: Callable[[], None] | None = None
    ) -> None:
        """Runs `handler` for every message on `channel` until disconnect; `on_gap` each
        time messages may have been missed (at every subscription, then whenever the
        connection to Redis was lost). A handler that fails is logged; the others and the
        subscription go on."""
        listeners = self._listeners.get(channel)
        if listeners is not None:
            listeners.append((handler, on_gap))
            return
        listeners = self._listeners[channel] = [(handler, on_gap)]

        async def deliver(message: str | None) -> None:
            for handle, gap in list(listeners):
                try:
                    if message is not None:
                        await handle(message)
                    elif gap is not None:
                        gap()
                except Exception:
                    log.exception("bus listener on %s failed", channel)

        async def loop() -> None:
            while True:
                try:
                    async with self.subscribe(channel) as batches:
                        async for batch in batches:
                            for message in batch:
                                await deliver(message)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("bus subscription on %s failed; resubscribing", channel)
                    await asyncio.sleep(1)

        self._tasks.append(asyncio.create_task(loop(), name=f"bus-listen:{channel}"))

    async def ping(self) -> bool:
        """False while Redis is unreachable or the subscription connection is down."""
        return True if self._redis is None else await self._redis.ping()
