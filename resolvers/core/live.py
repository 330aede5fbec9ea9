"""Live events for one viewer: replay from the log, then live, no duplicates.

One log carries every kind of event; each subscription takes the types it is
about (`intervention_events`: INTERVENTION_EVENT_TYPES).

The log is read after the subscriber is attached, so nothing falls between the
two; whenever the hub says messages may have been lost (the bus reconnected),
the log is read again after the last event delivered. Ids only grow, so anything
at or below the last one delivered is a duplicate.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing

from tortoise.expressions import Q

from models.enums import EventType, Role
from models.events import Event
from resolvers.core import guards
from resolvers.core.errors import DomainError
from resolvers.core.lookups import client_id_for, worker_id_for
from resolvers.core.prepared import PreparedRows
from resolvers.core.runtime import Runtime, Viewer
from subscriptions.events import EventRecord
from subscriptions.hub import Overflowed, scope_of

REPLAY_BATCH = 500


class TooSlow(DomainError):
    code = "SUBSCRIBER_TOO_SLOW"


async def audience(viewer: Viewer) -> tuple[list[str], Q]:
    """The channels a viewer listens to, and the same scope as a filter on the log."""
    if viewer.is_staff:
        channel = f"agency:{viewer.agency_id}"
    elif viewer.role is Role.CLIENT:
        channel = f"client:{await client_id_for(viewer) or 0}"
    else:
        channel = f"worker:{await worker_id_for(viewer) or 0}"
    return [channel], scope_of(channel)


async def head(viewer: Viewer | None) -> int:
    """The id of the last event the viewer may see (0 if none): where live starts."""
    viewer = guards.signed_in(viewer)
    channels, _ = await audience(viewer)
    return await newest_in(channels[0])


_NEWEST = PreparedRows(Event, ("id",))


async def newest_in(channel: str) -> int:
    """`newest_id(scope_of(channel))`, with SQL written once per kind of channel (the
    dashboard's first load asks for it)."""
    kind, _, raw = channel.partition(":")
    found = await _NEWEST.fetch(
        ("newest", kind),
        lambda v: Event.filter(scope_of(f"{kind}:{v['pk']}")).order_by("-id").limit(v["one"]),
        {"pk": int(raw), "one": 1},  # an input: SQLite's LIMIT is a parameter
    )
    return int(found[0]["id"]) if found else 0


async def _log_after(in_scope: Q, last: int) -> AsyncGenerator[EventRecord, None]:
    while True:
        batch = await Event.filter(in_scope, id__gt=last).order_by("id").limit(REPLAY_BATCH)
        for row in batch:
            last = row.id
            yield EventRecord.from_model(row)
        if len(batch) < REPLAY_BATCH:
            return


@functools.lru_cache(maxsize=64)
def _names(types: frozenset[EventType]) -> frozenset[str]:
    """The names of `types`, one set shared by every subscriber of a kind."""
    return frozenset(str(t) for t in types)


async def events_for(
    rt: Runtime, viewer: Viewer | None, since_id: int | None, types: frozenset[EventType]
) -> AsyncIterator[EventRecord]:
    """The events of `types` the viewer may see, after `since_id` (or from now)."""
    viewer = guards.signed_in(viewer)
    channels, in_scope = await audience(viewer)
    wanted = _names(types)
    # Without `since`, from the head as it is now: what commits while going live is kept.
    last = since_id if since_id is not None else await newest_in(channels[0])
    async with rt.hub.attach(channels) as subscriber:
        while True:
            # Live is on before the log is read, so nothing falls between the two.
            async with aclosing(_log_after(in_scope & Q(type__in=wanted), last)) as rows:
                async for record in rows:
                    last = record.id
                    yield record
            while True:
                try:
                    event = await subscriber.get()
                except Overflowed:
                    raise TooSlow(
                        "Trop d'événements en attente : reprenez avec `since` et le dernier "
                        "curseur reçu."
                    ) from None
                if event is None:
                    break  # messages may have been lost: read the log again
                if event.id <= last or event.type not in wanted:
                    continue  # already replayed, relayed twice, or for another subscription
                last = event.id
                yield event
