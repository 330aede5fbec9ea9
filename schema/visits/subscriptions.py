"""Live intervention events: the subscription and what each event carries."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from resolvers.core import guards, live
from schema.core.context import Info
from schema.core.ids import after_pk, cursor_for, to_global_id
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


async def require_socket_viewer(info: Info) -> None:
    """Contract: a subscription that needs a viewer closes an anonymous socket with 4403."""
    context = info.context
    if context.maybe_viewer is None and context.websocket is not None:
        await context.websocket.close(code=4403, reason="Authentication required")
    guards.signed_in(context.viewer)


@strawberry.type
class InterventionSubscriptions:
    @strawberry.subscription(
        description="Events on the visits the viewer may see. With `since`, missed events are "
        "replayed first, in order; no event is sent twice."
    )
    async def intervention_events(
        self, info: Info, since: str | None = None
    ) -> AsyncGenerator[InterventionEvent, None]:
        since_id = after_pk(since)
        await require_socket_viewer(info)
        async for event in live.intervention_events(
            info.context.runtime, info.context.viewer, since_id
        ):
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
