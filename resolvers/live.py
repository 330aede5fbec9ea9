"""Live intervention events for one viewer: replay from the log, then live, no duplicates."""

from __future__ import annotations

from collections.abc import AsyncIterator

from tortoise.expressions import Q

from models.enums import Role
from models.events import Event
from resolvers import guards
from resolvers.errors import DomainError
from resolvers.lookups import client_id_of, worker_id_of
from resolvers.runtime import Runtime, Viewer
from subscriptions.events import EventRecord
from subscriptions.hub import Overflowed

REPLAY_BATCH = 500


class TooSlow(DomainError):
    code = "SUBSCRIBER_TOO_SLOW"


async def audience(viewer: Viewer) -> tuple[list[str], Q]:
    """The channels a viewer listens to, and the same scope as a filter on the log."""
    if viewer.is_staff:
        return [f"agency:{viewer.agency_id}"], Q(agency_id=viewer.agency_id)
    if viewer.role is Role.CLIENT:
        client_id = await client_id_of(viewer.account_id) or 0
        return [f"client:{client_id}"], Q(client_id=client_id)
    worker_id = await worker_id_of(viewer.account_id) or 0
    return [f"worker:{worker_id}"], Q(worker_id=worker_id) | Q(previous_worker_id=worker_id)


async def head(viewer: Viewer | None) -> int:
    """The id of the last event the viewer may see (0 if none): where live starts."""
    viewer = guards.signed_in(viewer)
    _, in_scope = await audience(viewer)
    last = await Event.filter(in_scope).order_by("-id").limit(1).values_list("id", flat=True)
    return int(last[0]) if last else 0  # type: ignore[call-overload]


async def intervention_events(
    rt: Runtime, viewer: Viewer | None, since_id: int | None
) -> AsyncIterator[EventRecord]:
    viewer = guards.signed_in(viewer)
    channels, in_scope = await audience(viewer)
    last = since_id or 0
    async with rt.hub.attach(channels) as subscriber:
        # Live is on before the log is read, so nothing falls between the two.
        if since_id is not None:
            while True:
                batch = await Event.filter(in_scope, id__gt=last).order_by("id").limit(REPLAY_BATCH)
                for row in batch:
                    last = row.id
                    yield EventRecord.from_model(row)
                if len(batch) < REPLAY_BATCH:
                    break
        while True:
            try:
                event = await subscriber.get()
            except Overflowed:
                raise TooSlow(
                    "Trop d'événements en attente : reprenez avec `since` et le dernier "
                    "curseur reçu."
                ) from None
            if event.id <= last:
                continue  # already replayed, or relayed twice
            last = event.id
            yield event
