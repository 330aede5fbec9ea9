"""Premium phone support: the dedicated line, call-back requests and the staff queue."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from enum import StrEnum
from typing import Any

import strawberry

from models.enums import CALLBACK_EVENT_TYPES
from models.enums import CallbackOutcome as CallbackOutcomeEnum
from models.enums import CallbackTopic as CallbackTopicEnum
from models.enums import CallbackUrgency as CallbackUrgencyEnum
from models.enums import EventType as EventTypeEnum
from resolvers.care import callbacks, callbacks_read
from resolvers.core import guards
from schema.core import nodes
from schema.core.common import Node, UserErrorType, user_errors
from schema.core.context import Info
from schema.core.ids import cursor_for, expect_id, to_global_id
from schema.core.live import viewer_events

CallbackTopic = strawberry.enum(CallbackTopicEnum, name="CallbackTopic")
CallbackUrgency = strawberry.enum(CallbackUrgencyEnum, name="CallbackUrgency")
CallbackOutcome = strawberry.enum(CallbackOutcomeEnum, name="CallbackOutcome")


@strawberry.type
class ReachableSlot:
    start: datetime
    end: datetime


@strawberry.type(description="A premium household's request to be called back.")
class CallbackRequest(Node):
    client_id: strawberry.ID
    client_name: str
    topic: CallbackTopic  # type: ignore[valid-type]
    urgency: CallbackUrgency  # type: ignore[valid-type]
    slots: list[ReachableSlot] = strawberry.field(description="When the household is reachable.")
    note: str
    phone: str = strawberry.field(description="Where to call (E.164).")
    created_at: datetime
    due_at: datetime = strawberry.field(
        description="The promise: the premium reply time (half when urgent) in working hours."
    )
    overdue: bool = strawberry.field(description="Still waiting past its due time.")
    outcome: CallbackOutcome | None  # type: ignore[valid-type]
    outcome_note: str
    handled_at: datetime | None

    @classmethod
    def from_view(cls, view: callbacks_read.CallbackView) -> CallbackRequest:
        return cls(
            id=strawberry.ID(to_global_id("CallbackRequest", view.id)),
            client_id=strawberry.ID(to_global_id("Client", view.client_id)),
            client_name=view.client_name,
            topic=view.topic,
            urgency=view.urgency,
            slots=[ReachableSlot(start=s, end=e) for s, e in view.slots],
            note=view.note,
            phone=view.phone,
            created_at=view.created_at,
            due_at=view.due_at,
            overdue=view.overdue,
            outcome=view.outcome,
            outcome_note=view.outcome_note,
            handled_at=view.handled_at,
        )


@strawberry.type
class PremiumSupport:
    premium: bool
    phone: str | None = strawberry.field(
        description="The agency's dedicated line (premium households only)."
    )


@strawberry.input
class ReachableSlotInput:
    start: datetime
    end: datetime


@strawberry.input
class RequestCallbackInput:
    topic: CallbackTopic  # type: ignore[valid-type]
    urgency: CallbackUrgency  # type: ignore[valid-type]
    slots: list[ReachableSlotInput] = strawberry.field(
        description="1 to 5 coming slots of at most 12 hours, within 14 days."
    )
    note: str = strawberry.field(default="", description="500 characters at most.")
    phone: str | None = strawberry.field(
        default=None, description="Where to call; the urgent or account number otherwise."
    )


@strawberry.input
class LogCallbackInput:
    request_id: strawberry.ID
    outcome: CallbackOutcome  # type: ignore[valid-type]
    note: str = strawberry.field(default="", description="500 characters at most.")


@strawberry.type
class CallbackPayload:
    request: CallbackRequest | None
    user_errors: list[UserErrorType]


async def _payload(result: callbacks.CallbackResult) -> CallbackPayload:
    views = await callbacks_read.views([result.request]) if result.request else []
    return CallbackPayload(
        request=CallbackRequest.from_view(views[0]) if views else None,
        user_errors=user_errors(result.user_errors),
    )


@strawberry.type
class CallbackQueries:
    @strawberry.field(description="The premium line and whether the household may use it.")
    async def premium_support(self, info: Info) -> PremiumSupport:
        found = await callbacks_read.premium_support(info.context.viewer)
        return PremiumSupport(premium=found.premium, phone=found.phone)

    @strawberry.field(description="Call-backs waiting: urgent first, then soonest due (staff).")
    async def callback_queue(self, info: Info, first: int = 20) -> list[CallbackRequest]:
        rows = await callbacks_read.queue(info.context.viewer, first)
        return [CallbackRequest.from_view(v) for v in rows]

    @strawberry.field(description="The household's call-back requests, newest first (CLIENT).")
    async def my_callback_requests(self, info: Info) -> list[CallbackRequest]:
        return [
            CallbackRequest.from_view(v) for v in await callbacks_read.mine(info.context.viewer)
        ]


@strawberry.type
class CallbackMutations:
    @strawberry.mutation(description="Asks the agency to call back (premium CLIENT).")
    async def request_callback(self, info: Info, input: RequestCallbackInput) -> CallbackPayload:
        data = callbacks.RequestData(
            topic=input.topic,
            urgency=input.urgency,
            slots=tuple((slot.start, slot.end) for slot in input.slots),
            note=input.note,
            phone=input.phone,
        )
        return await _payload(
            await callbacks.request(info.context.runtime, info.context.viewer, data)
        )

    @strawberry.mutation(description="Logs the outcome of a call-back (ADVISOR, ADMIN).")
    async def log_callback(self, info: Info, input: LogCallbackInput) -> CallbackPayload:
        result = await callbacks.log_call(
            info.context.runtime,
            info.context.viewer,
            expect_id(input.request_id, "CallbackRequest"),
            input.outcome,
            input.note,
        )
        return await _payload(result)


@strawberry.enum
class CallbackEventType(StrEnum):
    CALLBACK_REQUESTED = EventTypeEnum.CALLBACK_REQUESTED.value
    CALLBACK_LOGGED = EventTypeEnum.CALLBACK_LOGGED.value
    CALLBACK_OVERDUE = EventTypeEnum.CALLBACK_OVERDUE.value


@strawberry.type
class CallbackEvent:
    cursor: str
    type: CallbackEventType
    occurred_at: datetime
    request: CallbackRequest | None = strawberry.field(description="The request as it is now.")


@strawberry.type
class CallbackSubscriptions:
    @strawberry.subscription(
        description="Call-backs requested, logged and (staff) overdue. With `since`, missed "
        "events are replayed first."
    )
    async def callback_events(
        self, info: Info, since: str | None = None
    ) -> AsyncGenerator[CallbackEvent, None]:
        events = await viewer_events(info, since, CALLBACK_EVENT_TYPES)
        viewer = guards.signed_in(info.context.viewer)
        async for event in events:
            view = await callbacks_read.visible(viewer, int(event.subject_id or 0))
            yield CallbackEvent(
                cursor=cursor_for(event.id),
                type=CallbackEventType(event.type),
                occurred_at=datetime.fromisoformat(event.occurred_at),
                request=CallbackRequest.from_view(view) if view else None,
            )


async def _node(viewer: Any, pk: int) -> CallbackRequest | None:
    view = await callbacks_read.visible(viewer, pk)
    return CallbackRequest.from_view(view) if view else None


nodes.register("CallbackRequest", _node)
