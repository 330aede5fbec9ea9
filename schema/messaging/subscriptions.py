"""Live messages: `messageEvents`, from the one event log.

The subscription takes its own event types (models.enums MESSAGE_EVENT_TYPES) through
`resolvers.core.live.events_for`, so the audience rules and the replay with `since` are the
ones `interventionEvents` has: a client sees its own conversation, staff those of their
agency, and CONVERSATION_OVERDUE is for staff only (its event has no client audience).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from enum import StrEnum

import strawberry

from models.enums import MESSAGE_EVENT_TYPES
from models.enums import EventType as EventTypeEnum
from resolvers.messaging import conversations
from schema.core.context import Info
from schema.core.ids import cursor_for
from schema.core.live import viewer_events
from schema.messaging.types import Conversation, Message


@strawberry.enum
class MessageEventType(StrEnum):
    MESSAGE_SENT = EventTypeEnum.MESSAGE_SENT.value
    CONVERSATION_READ = EventTypeEnum.CONVERSATION_READ.value
    CONVERSATION_OVERDUE = EventTypeEnum.CONVERSATION_OVERDUE.value


@strawberry.type
class MessageEvent:
    cursor: str
    type: MessageEventType
    occurred_at: datetime
    message: Message | None = strawberry.field(description="The message sent (MESSAGE_SENT).")
    conversation: Conversation | None


@strawberry.type
class MessageSubscriptions:
    @strawberry.subscription(
        description="Messages of the conversations you may see, read receipts, and (staff) "
        "missed reply promises. With `since`, missed events are replayed first; none is sent twice."
    )
    async def message_events(
        self, info: Info, since: str | None = None
    ) -> AsyncGenerator[MessageEvent, None]:
        async for event in await viewer_events(info, since, MESSAGE_EVENT_TYPES):
            # Each event is read fresh: the per-request loaders would cache for the socket's life.
            info.context.forget_loaded()
            message = conversation = None
            if event.type == EventTypeEnum.MESSAGE_SENT and event.subject_id is not None:
                found = (await conversations.messages_by_ids([int(event.subject_id)]))[0]
                if found is not None:
                    message = Message.from_model(found)
                    conversation_id = found.conversation_id
                else:
                    continue
            elif event.subject_id is not None:
                conversation_id = int(event.subject_id)
            else:
                continue
            row = (await conversations.conversations_by_ids([conversation_id]))[0]
            conversation = Conversation.from_model(row) if row else None
            yield MessageEvent(
                cursor=cursor_for(event.id),
                type=MessageEventType(event.type),
                occurred_at=datetime.fromisoformat(event.occurred_at),
                message=message,
                conversation=conversation,
            )
