"""Message operations: sending, reading, the staff lists and queue, the premium flag.

The staff's list and queue are planned (schema/engine/planner.py): both the resolvers and
the planner read the same rows below.
"""

from __future__ import annotations

from typing import Any

import strawberry

from resolvers.messaging import attachments, conversations, messages, reply_promise
from resolvers.visits.calendar import decode_position, encode_position
from schema.core.common import Connection, Page, UserErrorType, page_size, user_errors
from schema.core.context import Context, Info
from schema.core.ids import expect_id, to_global_id
from schema.engine import plans
from schema.engine.row_fields import Part, column
from schema.engine.rows import RowType
from schema.messaging.types import CONVERSATION_ROWS, Conversation, Message


@strawberry.input
class MessageAttachmentInput:
    filename: str
    content_base64: str = strawberry.field(
        description="The file, base64: PNG, JPEG, WebP or PDF (checked on its first bytes)."
    )


@strawberry.input
class SendMessageInput:
    body: str
    conversation_id: strawberry.ID | None = strawberry.field(
        default=None, description="Required for staff; a client writes to its agency."
    )
    intervention_id: strawberry.ID | None = None
    attachments: list[MessageAttachmentInput] | None = None


@strawberry.input
class MarkConversationReadInput:
    conversation_id: strawberry.ID | None = None


@strawberry.input
class SetClientPremiumInput:
    client_id: strawberry.ID
    premium: bool


@strawberry.type
class SendMessagePayload:
    message: Message | None
    user_errors: list[UserErrorType]


@strawberry.type
class MarkConversationReadPayload:
    conversation: Conversation | None
    user_errors: list[UserErrorType]


@strawberry.type
class SetClientPremiumPayload:
    client_id: strawberry.ID | None
    premium: bool
    user_errors: list[UserErrorType]


@strawberry.type
class WaitingConversation:
    conversation: Conversation
    premium: bool
    overdue: bool


# A conversation of the queue: its row, with `premium` and `overdue` read with it.
WAITING_ROWS = RowType(
    WaitingConversation,
    {
        "conversation": Part(CONVERSATION_ROWS),
        "premium": column("premium"),
        "overdue": column("overdue"),
    },
)


async def _conversations_page(
    context: Context,
    columns: tuple[str, ...] | None,
    first: int | None = None,
    after: str | None = None,
) -> Page:
    size = page_size(first)
    rows = await conversations.agency_conversations(
        context.viewer, size, decode_position(after) if after else None, columns
    )
    cursors = [encode_position(r["last_message_at"], r["id"]) for r in rows]
    return Page(rows, cursors, size, after is not None)


async def _waiting(
    context: Context,
    columns: tuple[str, ...] | None,
    first: int | None = None,
    mine: bool = False,
) -> list[dict[str, Any]]:
    return await conversations.awaiting_reply(context.viewer, page_size(first), mine, columns)


@strawberry.type
class MessageQueries:
    @strawberry.field(description="The signed-in client's conversation with its agency.")
    async def my_conversation(self, info: Info) -> Conversation | None:
        row = await conversations.my_conversation(info.context.viewer)
        return Conversation.from_model(row) if row else None

    @strawberry.field(description="The agency's conversations, latest activity first (staff).")
    async def conversations(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Conversation]:
        page = await _conversations_page(info.context, None, first, after)
        return page.connection(CONVERSATION_ROWS)

    @strawberry.field(
        description="Conversations waiting for an answer: premium clients first, then the "
        "earliest promise; overdue ones flagged (staff). `mine`: only your clients."
    )
    async def conversations_awaiting_reply(
        self, info: Info, first: int | None = None, mine: bool = False
    ) -> list[WaitingConversation]:
        return WAITING_ROWS.build_all(await _waiting(info.context, None, first, mine))


@strawberry.type
class MessageMutations:
    @strawberry.mutation(
        description="A client writes to its agency (the conversation opens on the first "
        "message); staff answer in a conversation of their agency."
    )
    async def send_message(self, info: Info, input: SendMessageInput) -> SendMessagePayload:
        data = messages.SendData(
            body=input.body,
            conversation_id=expect_id(input.conversation_id, "Conversation")
            if input.conversation_id
            else None,
            intervention_id=expect_id(input.intervention_id, "Intervention")
            if input.intervention_id
            else None,
            attachments=tuple(
                attachments.Upload(a.filename, a.content_base64) for a in input.attachments or []
            ),
        )
        result = await messages.send(info.context.runtime, info.context.viewer, data)
        return SendMessagePayload(
            message=Message.from_model(result.message) if result.message else None,
            user_errors=user_errors(result.user_errors),
        )

    @strawberry.mutation(description="Your side has read the other side's messages.")
    async def mark_conversation_read(
        self, info: Info, input: MarkConversationReadInput
    ) -> MarkConversationReadPayload:
        row, errors = await messages.mark_read(
            info.context.runtime,
            info.context.viewer,
            expect_id(input.conversation_id, "Conversation") if input.conversation_id else None,
        )
        return MarkConversationReadPayload(
            conversation=Conversation.from_model(row) if row else None,
            user_errors=user_errors(errors),
        )

    @strawberry.mutation(description="Marks a client premium or not (ADVISOR, ADMIN).")
    async def set_client_premium(
        self, info: Info, input: SetClientPremiumInput
    ) -> SetClientPremiumPayload:
        result = await reply_promise.set_premium(
            info.context.viewer, expect_id(input.client_id, "Client"), input.premium
        )
        return SetClientPremiumPayload(
            client_id=strawberry.ID(to_global_id("Client", result.client_id))
            if result.client_id
            else None,
            premium=result.premium,
            user_errors=user_errors(result.user_errors),
        )


plans.plan_connection("conversations", CONVERSATION_ROWS, _conversations_page)
plans.plan_list("conversationsAwaitingReply", WAITING_ROWS, _waiting)
