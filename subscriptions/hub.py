"""Per-process fan-out from the bus to bounded subscribers, routed by audience.

Every event goes on one bus channel (`STREAM`); each process holds a single
subscription to it, and routes each event to the local subscribers of its
audience channels (`EventRecord.channels()`: its agency, its client, its
workers). Thousands of sockets then cost one listener, not one per client.

broadcaster gives every subscriber an unbounded queue; a dashboard that stops
reading would grow without limit. Here each subscriber has a bounded buffer:
when it overflows the subscriber is told to resume from its last cursor instead.

The bus may also deliver out of order (two processes commit events 10 and 11 and
publish 11 first) or lose messages (Redis dropped the connection). The log is the
truth, so the hub keeps the newest id it has handed out: an event past a gap
brings the missing ones from the log first, in order; a late or repeated one is
dropped; and after a reconnection the subscribers are told to re-read the log
from their last event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator
from typing import cast

from tortoise.expressions import Q

from models.events import Event
from subscriptions.bus import Bus
from subscriptions.events import STREAM, EventRecord

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


async def newest_id(scope: Q | None = None) -> int:
    """The id of the newest event in `scope` (the whole log by default), 0 if none."""
    query = Event.all() if scope is None else Event.filter(scope)
    last = await query.order_by("-id").limit(1).values_list("id", flat=True)
    return int(last[0]) if last else 0  # type: ignore[call-overload]


class Subscriber:
    """A bounded buffer of live events and a single waiter: what an idle socket costs."""

    __slots__ = ("_events", "_waiter", "behind", "channels", "overflowed", "size")

    def __init__(self, channels: list[str], size: int) -> None:
        self.channels = channels
        self.size = size
        self._events: deque[EventRecord] | None = None  # made on the first event
        self._waiter: asyncio.Future[None] | None = None
        self.overflowed = False
        self.behind = False

    def offer(self, event: EventRecord) -> None:
        if self.overflowed or self.behind:
            return  # ending, or about to read it from the log anyway
        events = self._events
        if events is None:
            events = self._events = deque()
        if len(events) >= self.size:
            self.overflowed = True
            events.clear()  # what is buffered is in the log
        else:
            events.append(event)
        self._wake()

    def offer_all(self, events: list[EventRecord]) -> None:
        """Events brought from the log to fill a gap: read there again if they do not fit."""
        if self.size - len(self._events or ()) < len(events):
            self.mark_behind()
            return
        for event in events:
            self.offer(event)

    def mark_behind(self) -> None:
        """Messages may have been lost: the reader re-reads the log after its last event."""
        if self.overflowed or self.behind:
            return
        self.behind = True
        if self._events:
            self._events.clear()  # what is buffered is in the log
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self) -> EventRecord | None:
        """The next live event, or `None`: first re-read the log after the last one delivered.

        Raises `Overflowed` once the buffer overflowed.
        """
        while True:
            if self.overflowed:
                raise Overflowed
            if self.behind:
                self.behind = False
                return None
            if self._events:
                return self._events.popleft()
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None


class Hub:
    def __init__(self, bus: Bus, queue_size: int = 256) -> None:
        self.bus = bus
        self.queue_size = queue_size
        self._subscribers: dict[str, set[Subscriber]] = {}
        self._count = 0
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    def members(self, channel: str) -> list[Subscriber]:
        """The subscribers of `channel` in this process."""
        return list(self._subscribers.get(channel, ()))

    def _everyone(self) -> set[Subscriber]:
        return {s for members in self._subscribers.values() for s in members}

    def _audience(self, record: EventRecord) -> set[Subscriber] | list[Subscriber]:
        found: list[set[Subscriber]] = []
        for channel in record.channels():
            members = self._subscribers.get(channel)
            if members:
                found.append(members)
        if len(found) == 1:
            return list(found[0])
        return set().union(*found)

    async def _listen(self) -> None:
        high: int | None = None  # the newest event id handed to subscribers
        while True:
            try:
                async with self.bus.subscribe(STREAM) as batches:
                    async for batch in batches:
                        records: list[EventRecord] = []
                        for message in batch:
                            if message is not None:
                                records.append(EventRecord.from_json(message))
                                continue
                            if high is not None:
                                high = await self._deliver(high, records)
                            records = []
                            high = await self._resync(high)
                            self._ready.set()
                        if high is not None:
                            high = await self._deliver(high, records)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("event listener failed; resubscribing")
                await asyncio.sleep(0.5)

    async def _resync(self, high: int | None) -> int:
        """Live (again): from now on every message arrives; what came before is in the log."""
        newest = await newest_id()
        if high is None:
            return newest  # first time: subscribers read the log themselves from their cursor
        if newest > high:
            for subscriber in self._everyone():
                subscriber.mark_behind()
        return max(high, newest)

    async def _deliver(self, high: int, records: list[EventRecord]) -> int:
        fresh = sorted({r.id: r for r in records if r.id > high}.values(), key=lambda r: r.id)
        if not fresh:
            return high  # relayed twice, or already brought from the log
        top = fresh[-1].id
        # Ids commit in order, so every event up to `top` is in the log by now: one look
        # tells whether the bus lost or reordered any (two processes publish 10 after 11).
        # When the ids are consecutive nothing can be missing: no look at all.
        if top - high == len(fresh):
            self._route(fresh)
            return top
        limit = len(fresh) + self.queue_size + 1
        in_log = cast(
            list[int],
            await Event.filter(id__gt=high, id__lte=top)
            .order_by("id")
            .limit(limit)
            .values_list("id", flat=True),
        )
        if len(in_log) >= limit:
            for subscriber in self._everyone():
                subscriber.mark_behind()
            return top
        known = {r.id for r in fresh}
        missing = [pk for pk in in_log if pk not in known]
        if not missing:
            self._route(fresh)
            return top
        rows = await Event.filter(id__in=missing)
        merged = sorted([*fresh, *map(EventRecord.from_model, rows)], key=lambda r: r.id)
        gap: dict[Subscriber, list[EventRecord]] = {}
        for record in merged:
            for subscriber in self._audience(record):
                gap.setdefault(subscriber, []).append(record)
        for subscriber, some in gap.items():
            subscriber.offer_all(some)
        return top

    def _route(self, records: list[EventRecord]) -> None:
        for record in records:
            for subscriber in self._audience(record):
                subscriber.offer(record)

    @contextlib.asynccontextmanager
    async def attach(self, channels: list[str]) -> AsyncIterator[Subscriber]:
        """A subscriber on `channels`; live once this returns."""
        subscriber = Subscriber(channels, self.queue_size)
        for channel in channels:
            self._subscribers.setdefault(channel, set()).add(subscriber)
        self._count += 1
        if self._listener is None:
            self._ready = asyncio.Event()
            self._listener = asyncio.create_task(self._listen(), name="hub")
        try:
            await self._ready.wait()
            yield subscriber
        finally:
            for channel in channels:
                members = self._subscribers.get(channel)
                if members is None:
                    continue
                members.discard(subscriber)
                if not members:
                    del self._subscribers[channel]
            self._count -= 1
            if not self._count and self._listener is not None:
                self._listener.cancel()
                self._listener = None

    async def close(self) -> None:
        task, self._listener = self._listener, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._subscribers.clear()
        self._count = 0
