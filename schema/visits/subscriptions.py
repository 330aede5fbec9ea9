"""Live intervention events: the subscription and what each event carries."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from models.enums import INTERVENTION_EVENT_TYPES
from schema.core.context import Info
from schema.core.ids import cursor_for, to_global_id
from schema.core.live import viewer_events
from schema.visits.types import EventType, InterventionStatus


@strawberry.type
class InterventionEvent:
    cursor: str
    type: EventType
    occurred_at: datetime
    intervention: InterventionStatusView | None


@strawberry.type(description="The visit as it was right after the event.")
class InterventionStatusView:
    id: strawberry.ID
    status: InterventionStatus  # type: ignore[valid-type]


@strawberry.type
class InterventionSubscriptions:
    @strawberry.subscription(
        description="Events on the visits the viewer may see. With `since`, missed events are "
        "replayed first, in order; no event is sent twice."
    )
    async def intervention_events(
        self, info: Info, since: str | None = None
    ) -> AsyncGenerator[InterventionEvent, None]:
        async for event in await viewer_events(info, since, INTERVENTION_EVENT_TYPES):
            yield InterventionEvent(
                cursor=cursor_for(event.id),
                type=EventType(event.type),
                occurred_at=datetime.fromisoformat(event.occurred_at),
                intervention=InterventionStatusView(
                    id=strawberry.ID(to_global_id("Intervention", event.intervention_id)),
                    status=event.status,  # type: ignore[arg-type]
                )
                if event.intervention_id is not None
                else None,
            )
