"""Per-process fan-out from bus channels to bounded subscriber queues.

broadcaster gives every subscriber an unbounded queue; a dashboard that stops
reading would grow without limit. Here each channel has one bus subscription
per process, and each subscriber a bounded queue: when it overflows the
subscriber is told to resume from its last cursor instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from subscriptions.bus import Bus
from subscriptions.events import EventRecord

log = logging.getLogger("passage.hub")


class Overflowed(Exception):
    """The subscriber fell too far behind; it must resume with `since`."""


class Subscriber:
    __slots__ = ("channels", "overflowed", "queue")

    def __init__(self, channels: list[str], size: int) -> None:
        self.channels = channels
        self.queue: asyncio.Queue[EventRecord] = asyncio.Queue(maxsize=size)
        self.overflowed = False

    def offer(self, event: EventRecord) -> None:
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True
            # Wake the reader so it notices at once.
            with contextlib.suppress(asyncio.QueueEmpty):
                self.queue.get_nowait()
            self.queue.put_nowait(event)

    async def get(self) -> EventRecord:
        event = await self.queue.get()
        if self.overflowed:
            raise Overflowed
        return event


class Hub:
    def __init__(self, bus: Bus, queue_size: int = 256) -> None:
        self.bus = bus
        self.queue_size = queue_size
        self._subscribers: dict[str, set[Subscriber]] = {}
        self._listeners: dict[str, asyncio.Task[None]] = {}
        self._ready: dict[str, asyncio.Event] = {}

    async def _listen(self, channel: str) -> None:
        while True:
            try:
                async with self.bus.subscribe(channel) as messages:
                    self._ready[channel].set()
                    async for message in messages:
                        event = EventRecord.from_json(message)
                        for subscriber in list(self._subscribers.get(channel, ())):
                            subscriber.offer(event)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("listener on %s failed; resubscribing", channel)
                await asyncio.sleep(0.5)

    @contextlib.asynccontextmanager
    async def attach(self, channels: list[str]) -> AsyncIterator[Subscriber]:
        """A subscriber on `channels`; live once this returns."""
        subscriber = Subscriber(channels, self.queue_size)
        waits = []
        for channel in channels:
            self._subscribers.setdefault(channel, set()).add(subscriber)
            if channel not in self._listeners:
                self._ready[channel] = asyncio.Event()
                self._listeners[channel] = asyncio.create_task(
                    self._listen(channel), name=f"hub:{channel}"
                )
            waits.append(self._ready[channel].wait())
        try:
            await asyncio.gather(*waits)
            yield subscriber
        finally:
            for channel in channels:
                members = self._subscribers.get(channel)
                if members is None:
                    continue
                members.discard(subscriber)
                if not members:
                    del self._subscribers[channel]
                    task = self._listeners.pop(channel, None)
                    self._ready.pop(channel, None)
                    if task is not None:
                        task.cancel()

    async def close(self) -> None:
        tasks = list(self._listeners.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._listeners.clear()
        self._subscribers.clear()
