"""Attendance anomalies for staff: flagged on the visit, counted, filtered, live."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from enum import StrEnum

import strawberry

from models.enums import ANOMALY_EVENT_TYPES
from models.enums import EventType as EventTypeEnum
from resolvers.core import guards
from resolvers.visits import anomalies
from schema.core.context import Info
from schema.core.ids import cursor_for, to_global_id
from schema.core.live import viewer_events
from schema.visits.anomaly_types import AnomalyKind, AttendanceAnomaly


@strawberry.type
class AnomalyCount:
    kind: AnomalyKind  # type: ignore[valid-type]
    label: str
    count: int


@strawberry.type
class AnomalyQueries:
    @strawberry.field(description="The agency's attendance anomalies, newest first (staff).")
    async def attendance_anomalies(
        self,
        info: Info,
        kind: AnomalyKind | None = None,  # type: ignore[valid-type]
        open_only: bool = True,
        since: datetime | None = None,
    ) -> list[AttendanceAnomaly]:
        rows = await anomalies.listed(info.context.viewer, kind, open_only, since)
        return [AttendanceAnomaly.from_view(row) for row in rows]

    @strawberry.field(description="Open anomalies by kind, for the dashboard (staff).")
    async def attendance_anomaly_counts(
        self, info: Info, since: datetime | None = None
    ) -> list[AnomalyCount]:
        found = await anomalies.counts(info.context.viewer, since)
        return [
            AnomalyCount(kind=kind, label=anomalies.LABELS[kind], count=n)
            for kind, n in found.items()
        ]


@strawberry.enum
class AnomalyEventType(StrEnum):
    ANOMALY_FLAGGED = EventTypeEnum.ANOMALY_FLAGGED.value
    ANOMALY_RESOLVED = EventTypeEnum.ANOMALY_RESOLVED.value


@strawberry.type
class AnomalyEvent:
    cursor: str
    type: AnomalyEventType
    occurred_at: datetime
    intervention_id: strawberry.ID | None


@strawberry.type
class AnomalySubscriptions:
    @strawberry.subscription(
        description="Anomalies flagged and resolved (staff). With `since`, missed events are "
        "replayed first."
    )
    async def anomaly_events(
        self, info: Info, since: str | None = None
    ) -> AsyncGenerator[AnomalyEvent, None]:
        events = await viewer_events(info, since, ANOMALY_EVENT_TYPES)
        guards.staff(info.context.viewer)
        async for event in events:
            visit = event.intervention_id
            yield AnomalyEvent(
                cursor=cursor_for(event.id),
                type=AnomalyEventType(event.type),
                occurred_at=datetime.fromisoformat(event.occurred_at),
                intervention_id=strawberry.ID(to_global_id("Intervention", visit))
                if visit
                else None,
            )
