"""Live request and absence events: `requestEvents(since:)` on the shared event log."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from enum import StrEnum

import strawberry

from models.enums import REQUEST_EVENT_TYPES
from models.enums import EventType as EventTypeEnum
from resolvers.core import guards
from resolvers.requests import review as change_review
from schema.core.context import Info
from schema.core.ids import cursor_for, to_global_id
from schema.core.live import viewer_events
from schema.requests.change_requests import ChangeRequest, service_codes


@strawberry.enum(name="RequestEventType")
class RequestEventType(StrEnum):
    REQUEST_CREATED = EventTypeEnum.REQUEST_CREATED.value
    REQUEST_APPROVED = EventTypeEnum.REQUEST_APPROVED.value
    REQUEST_REJECTED = EventTypeEnum.REQUEST_REJECTED.value
    REQUEST_WITHDRAWN = EventTypeEnum.REQUEST_WITHDRAWN.value
    ABSENCE_DECLARED = EventTypeEnum.ABSENCE_DECLARED.value


@strawberry.type
class RequestEvent:
    cursor: str
    type: RequestEventType
    occurred_at: datetime
    request: ChangeRequest | None = strawberry.field(
        description="The request as it is now (null for an absence)."
    )
    subject_id: strawberry.ID | None = strawberry.field(
        description="The request or absence the event is about."
    )


def _subject(event_type: str, pk: int | None) -> strawberry.ID | None:
    if pk is None:
        return None
    absence = event_type == EventTypeEnum.ABSENCE_DECLARED
    return strawberry.ID(to_global_id("Absence" if absence else "ChangeRequest", pk))


@strawberry.type
class ChangeRequestSubscriptions:
    @strawberry.subscription(
        description="Requests and absences the viewer may see: made, decided, withdrawn. With "
        "`since`, missed events are replayed first, in order."
    )
    async def request_events(
        self, info: Info, since: str | None = None
    ) -> AsyncGenerator[RequestEvent, None]:
        events = await viewer_events(info, since, REQUEST_EVENT_TYPES)
        viewer = guards.signed_in(info.context.viewer)
        async for event in events:
            request = None
            if event.type != EventTypeEnum.ABSENCE_DECLARED and event.subject_id is not None:
                row = await change_review.visible(viewer, int(event.subject_id))
                request = ChangeRequest.from_model(row, await service_codes([row])) if row else None
            yield RequestEvent(
                cursor=cursor_for(event.id),
                type=RequestEventType(event.type),
                occurred_at=datetime.fromisoformat(event.occurred_at),
                request=request,
                subject_id=_subject(event.type, event.subject_id),
            )
