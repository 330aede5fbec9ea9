"""Lateness and no-shows, found by a loop that every app process runs.

Each change is a compare-and-set on the visit row (`late_at IS NULL`, `status =
SCHEDULED`), so however many processes run the loop, each visit gets one LATE
and one MISSED event at most.
"""

from __future__ import annotations

from datetime import timedelta

from tortoise.transactions import in_transaction

from models.enums import EventType, InterventionStatus
from models.events import Event
from models.visits.visits import Intervention
from resolvers.core.runtime import Runtime
from services.clock import utcnow
from subscriptions import events

BATCH = 200


async def sweep(rt: Runtime) -> int:
    """Marks what is late or missed now; returns how many events it wrote."""
    now = utcnow()
    late_after = timedelta(minutes=rt.settings.late_after_minutes)
    written: list[Event] = []
    late = await Intervention.filter(
        status=InterventionStatus.SCHEDULED,
        late_at=None,
        scheduled_start__lte=now - late_after,
        scheduled_end__gt=now,
    ).limit(BATCH)
    for visit in late:
        async with in_transaction():
            if await Intervention.filter(
                id=visit.id, status=InterventionStatus.SCHEDULED, late_at=None
            ).update(late_at=now):
                # Re-read under the change: the event's audience is the visit as it is now.
                await visit.refresh_from_db()
                written.append(await events.record(EventType.LATE, visit, now))
    missed = await Intervention.filter(
        status=InterventionStatus.SCHEDULED, scheduled_end__lte=now
    ).limit(BATCH)
    for visit in missed:
        async with in_transaction():
            if await Intervention.filter(id=visit.id, status=InterventionStatus.SCHEDULED).update(
                status=InterventionStatus.MISSED
            ):
                await visit.refresh_from_db()
                written.append(await events.record(EventType.MISSED, visit, now))
    if written:
        await events.publish(rt.bus, written)
    return len(written)
