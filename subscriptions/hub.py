"""Per-process fan-out from bus channels to bounded subscriber queues.

broadcaster gives every subscriber an unbounded queue; a dashboard that stops
reading would grow without limit. Here each channel has one bus subscription
per process, and each subscriber a bounded queue: when it overflows the
subscriber is told to resume from its last cursor instead.

The bus may also deliver out of order (two processes commit events 10 and 11 and
publish 11 first) or lose messages (Redis dropped the connection). The log is the
truth, so each channel keeps the newest id it has handed out: an event past a gap
brings the missing ones from the log first, in order; a late or repeated one is
dropped; and after a reconnection the channel's subscribers are told to re-read
the log from their last event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import cast

from tortoise.expressions import Q

from models.events import Event
from subscriptions.bus import Bus
from subscriptions.events import EventRecord

log = logging.getLogger("passage.hub")


class Overflowed(Exception):
    """The subscriber fell too far behind; it must resume with `since`."""


def scope_of(channel: str) -> Q:
    """The events of the log a channel carries (see `EventRecord.channels`)."""
    kind, _, raw = channel.partition(":")
    pk = int(raw)
    if kind == "agency":
        return Q(agency_id=pk)
    if kind == "client":
        return Q(client_id=pk)
    if kind == "worker":
        return Q(worker_id=pk) | Q(previous_worker_id=pk)
    raise ValueError(f"no log scope for channel {channel!r}")


async def newest_id(scope: Q) -> int:
    """The id of the newest event in `scope`, 0 if none."""
    last = await Event.filter(scope).order_by("-id").limit(1).values_list("id", flat=True)
    return int(last[0]) if last else 0  # type: ignore[call-overload]


class Subscriber:
    __slots__ = ("behind", "channels", "overflowed", "queue")

    def __init__(self, channels: list[str], size: int) -> None:
        self.channels = channels
        # `None` wakes the reader for something other than an event (see `_wake`).
        self.queue: asyncio.Queue[EventRecord | None] = asyncio.Queue(maxsize=size)
        self.overflowed = False
        self.behind = False

    def offer(self, event: EventRecord) -> None:
        if self.overflowed or self.behind:
            return  # ending, or about to read it from the log anyway
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True
            self._wake()

    def offer_all(self, events: list[EventRecord]) -> None:
        """Events brought from the log to fill a gap: read there again if they do not fit."""
        if self.queue.maxsize - self.queue.qsize() < len(events):
            self.mark_behind()
            return
        for event in events:
            self.offer(event)

    def mark_behind(self) -> None:
        """Messages may have been lost: the reader re-reads the log after its last event."""
        if self.overflowed or self.behind:
            return
        self.behind = True
        self._wake()

    def _wake(self) -> None:
        # What is queued is in the log: drop it and make room for the wake-up.
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(None)

    async def get(self) -> EventRecord | None:
        """The next live event, or `None`: first re-read the log after the last one delivered.

        Raises `Overflowed` once the queue overflowed.
        """
        event = await self.queue.get()
        if self.overflowed:
            raise Overflowed
        if self.behind:
            self.behind = False
            return None
        return event


class Hub:
    def __init__(self, bus: Bus, queue_size: int = 256) -> None:
        self.bus = bus
        self.queue_size = queue_size
        self._subscribers: dict[str, set[Subscriber]] = {}
        self._listeners: dict[str, asyncio.Task[None]] = {}
        self._ready: dict[str, asyncio.Event] = {}

    def members(self, channel: str) -> list[Subscriber]:
        """The subscribers of `channel` in this process."""
        return list(self._subscribers.get(channel, ()))

    async def _listen(self, channel: str) -> None:
        scope = scope_of(channel)
        high: int | None = None  # the newest event id handed to this channel's subscribers
        while True:
            try:
                async with self.bus.subscribe(channel) as batches:
                    async for batch in batches:
                        records: list[EventRecord] = []
                        for message in batch:
                            if message is not None:
                                records.append(EventRecord.from_json(message))
                                continue
                            if high is not None:
                                high = await self._deliver(channel, scope, high, records)
                            records = []
                            high = await self._resync(channel, scope, high)
                            self._ready[channel].set()
                        if high is not None:
                            high = await self._deliver(channel, scope, high, records)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("listener on %s failed; resubscribing", channel)
                await asyncio.sleep(0.5)

    async def _resync(self, channel: str, scope: Q, high: int | None) -> int:
        """Live (again): from now on every message arrives; what came before is in the log."""
        newest = await newest_id(scope)
        if high is None:
            return newest  # first time: subscribers read the log themselves from their cursor
        if newest > high:
            for subscriber in self.members(channel):
                subscriber.mark_behind()
        return max(high, newest)

    async def _deliver(self, channel: str, scope: Q, high: int, records: list[EventRecord]) -> int:
        fresh = sorted({r.id: r for r in records if r.id > high}.values(), key=lambda r: r.id)
        if not fresh:
            return high  # relayed twice, or already brought from the log
        top = fresh[-1].id
        # Ids commit in order, so every event up to `top` is in the log by now: one look
        # tells whether the bus lost or reordered any (two processes publish 10 after 11).
        limit = len(fresh) + self.queue_size + 1
        in_log = cast(
            list[int],
            await Event.filter(scope, id__gt=high, id__lte=top)
            .order_by("id")
            .limit(limit)
            .values_list("id", flat=True),
        )
        members = self.members(channel)
        if len(in_log) >= limit:
            for subscriber in members:
                subscriber.mark_behind()
            return top
        known = {r.id for r in fresh}
        missing = [pk for pk in in_log if pk not in known]
        if not missing:
            for subscriber in members:
                for record in fresh:
                    subscriber.offer(record)
            return top
        rows = await Event.filter(id__in=missing)
        merged = sorted([*fresh, *map(EventRecord.from_model, rows)], key=lambda r: r.id)
        for subscriber in members:
            subscriber.offer_all(merged)
        return top

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
