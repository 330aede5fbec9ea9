"""The Redis side of the bus: one subscription connection, watched and restored.

broadcaster's own Redis listener dies silently when the connection drops, and
redis-py, left to itself, reconnects and re-subscribes silently: either way the
messages published meanwhile are gone and nobody is told. Here the connection
that carries the subscriptions is supervised: on loss it reconnects with
backoff, re-subscribes every channel, and once Redis confirms each one, puts
`RESYNC` on that channel ("messages may have been lost: read the log").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
from typing import Any

from broadcaster import BroadcastBackend
from broadcaster import Event as BroadcastEvent

log = logging.getLogger("passage.bus")

# Put on a channel's queue once Redis confirms a re-subscription; never published.
RESYNC = "\x00passage:resync"
RECONNECT_FIRST_DELAY = 0.05
RECONNECT_MAX_DELAY = 2.0
# Silence longer than this on the subscription connection is answered with a PING;
# three times as long without any reply and the connection is taken for dead.
PING_AFTER_SECONDS = 5.0
CONFIRM_TIMEOUT = 5.0


class BusUnavailable(ConnectionError):
    """Redis is unreachable right now; the event relay publishes later."""


def client_name(namespace: str, role: str) -> str:
    """The name Redis shows for our connections (CLIENT LIST), e.g. `passage:prod:sub`."""
    return re.sub(r"[^\w.:-]", "_", f"passage:{namespace}:{role}")


class SupervisedRedis(BroadcastBackend):  # type: ignore[misc]
    """A broadcaster backend whose subscription connection is watched and restored."""

    def __init__(self, url: str, namespace: str = "passage") -> None:
        from redis import asyncio as aioredis
        from redis.asyncio.retry import Retry
        from redis.backoff import ExponentialBackoff, NoBackoff

        self._url = url
        self._name = client_name(namespace, "sub")
        # Publishing retries a little; subscribing never retries behind our back.
        self._publisher = aioredis.Redis.from_url(
            url,
            client_name=client_name(namespace, "pub"),
            socket_connect_timeout=2,
            socket_timeout=5,
            retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), 2),
        )
        self._no_retry = Retry(NoBackoff(), 0, supported_errors=())
        self._channels: set[str] = set()
        self._confirming: dict[str, asyncio.Future[None]] = {}
        self._resync: set[str] = set()
        self._queue: asyncio.Queue[BroadcastEvent] = asyncio.Queue()
        self._pubsub: Any = None
        self._client: Any = None
        self._task: asyncio.Task[None] | None = None
        self._first_attempt = asyncio.Event()
        # `live`: subscriptions flow. `reachable`: the last attempt to connect did not fail.
        self.live = False
        self.reachable = True

    async def connect(self) -> None:
        self._task = asyncio.create_task(self._supervise(), name="bus-redis")
        # Start live when Redis answers; when it does not, start anyway: /readyz says so.
        await self._first_attempt.wait()

    async def disconnect(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._drop_connection()
        await self._publisher.aclose()

    async def subscribe(self, channel: str) -> None:
        """Returns once Redis confirms, or at once when it is down (it resyncs later)."""
        self._channels.add(channel)
        pubsub = self._pubsub
        if not self.live or pubsub is None:
            self._resync.add(channel)
            return
        confirmed = asyncio.get_running_loop().create_future()
        self._confirming[channel] = confirmed
        try:
            await pubsub.subscribe(channel)
            async with asyncio.timeout(CONFIRM_TIMEOUT):  # not wait_for: services/waiting.py
                await asyncio.shield(confirmed)
        except Exception:
            # Lost or slow: whenever the confirmation comes, readers are told to resync.
            self._resync.add(channel)
        finally:
            if self._confirming.get(channel) is confirmed:
                del self._confirming[channel]

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        self._resync.discard(channel)
        pubsub = self._pubsub
        if self.live and pubsub is not None:
            with contextlib.suppress(Exception):  # a new connection will not subscribe it
                await pubsub.unsubscribe(channel)

    async def publish(self, channel: str, message: Any) -> None:
        if not self.reachable:
            # Fail at once rather than make every change wait on a dead Redis.
            raise BusUnavailable("Redis is unreachable")
        await self._publisher.publish(channel, message)

    async def publish_many(self, channel: str, messages: list[str]) -> None:
        """`messages` on `channel`, in order, in one round trip (a pipeline, no MULTI)."""
        if not self.reachable:
            raise BusUnavailable("Redis is unreachable")
        async with self._publisher.pipeline(transaction=False) as pipe:
            for message in messages:
                pipe.publish(channel, message)
            await pipe.execute()

    async def next_published(self) -> BroadcastEvent:
        return await self._queue.get()

    async def ping(self) -> bool:
        if not self.live:
            return False
        try:
            async with asyncio.timeout(2):
                return bool(await self._publisher.ping())
        except Exception:
            return False

    async def _supervise(self) -> None:
        delay = RECONNECT_FIRST_DELAY
        lost_at: float | None = None
        loop = asyncio.get_running_loop()
        while True:
            try:
                try:
                    await self._open()
                except Exception:
                    self.reachable = False
                    raise
                self.reachable = True
                self._first_attempt.set()
                if lost_at is not None:
                    log.warning("bus reconnected to Redis after %.1f s", loop.time() - lost_at)
                lost_at = None
                delay = RECONNECT_FIRST_DELAY
                await self._read()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if lost_at is None:
                    lost_at = loop.time()
                    log.warning("bus lost Redis (%s); reconnecting", type(exc).__name__)
            self._first_attempt.set()
            await self._drop_connection()
            # Jitter, so that many processes do not all come back in the same instant.
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))  # noqa: S311
            delay = min(delay * 2, RECONNECT_MAX_DELAY)

    async def _open(self) -> None:
        from redis import asyncio as aioredis

        self._client = aioredis.Redis.from_url(
            self._url,
            client_name=self._name,
            socket_connect_timeout=2,
            retry=self._no_retry,
        )
        self._pubsub = self._client.pubsub()
        await self._pubsub.connect()
        # From here `subscribe()` sends its own SUBSCRIBE; what was asked before is sent
        # now, and whatever was subscribed before this connection may have missed messages.
        self.live = True
        channels = sorted(self._channels)
        self._resync.update(channels)
        if channels:
            await self._pubsub.subscribe(*channels)

    async def _read(self) -> None:
        loop = asyncio.get_running_loop()
        heard = loop.time()
        pinged = False
        while True:
            message = await self._pubsub.get_message(timeout=PING_AFTER_SECONDS)
            now = loop.time()
            if message is None:
                if now - heard > 3 * PING_AFTER_SECONDS:
                    raise ConnectionError("no answer from Redis on the subscription connection")
                if not pinged:
                    await self._pubsub.ping()
                    pinged = True
                continue
            heard, pinged = now, False
            kind = message["type"]
            if kind == "message":
                channel = message["channel"].decode()
                await self._queue.put(BroadcastEvent(channel, message["data"].decode()))
            elif kind == "subscribe":
                self._confirmed(message["channel"].decode())

    def _confirmed(self, channel: str) -> None:
        waiting = self._confirming.pop(channel, None)
        if waiting is not None and not waiting.done():
            waiting.set_result(None)
        if channel in self._resync and channel in self._channels:
            self._resync.discard(channel)
            self._queue.put_nowait(BroadcastEvent(channel, RESYNC))

    async def _drop_connection(self) -> None:
        self.live = False
        pubsub, client = self._pubsub, self._client
        self._pubsub = self._client = None
        for waiting in self._confirming.values():
            if not waiting.done():
                waiting.set_result(None)
        self._confirming.clear()
        self._resync.update(self._channels)
        with contextlib.suppress(Exception):
            if pubsub is not None:
                await pubsub.aclose()
        with contextlib.suppress(Exception):
            if client is not None:
                await client.aclose()
