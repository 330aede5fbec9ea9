"""Messages between a household and its agency, as the API shows them.

A conversation, a message and its author are declared once as rows (`*_ROWS`): objects
for graphql-core, JSON for planned queries (schema/engine/rows.py), where the per-viewer
fields (unread count, premium, assigned to me, last message and its author) are one more
statement each for a whole page, read with the rules of their resolvers.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import strawberry

from models.accounts.people import display_name
from models.messaging import Conversation as ConversationModel
from models.messaging import Message as MessageModel
from resolvers.core import guards
from resolvers.core.runtime import Viewer
from resolvers.messaging import attachments, conversations, messages
from schema.core import nodes
from schema.core.common import Connection, Node, connection_by_id, page_size
from schema.core.context import Info
from schema.core.ids import after_pk, to_global_id
from schema.engine.row_fields import Fetched, Part, column, columns, global_id
from schema.engine.rows import RowType
from services.clock import utcnow


@strawberry.type
class MessageAuthor:
    id: strawberry.ID = strawberry.field(description="The author's account.")
    display_name: str
    from_agency: bool


@strawberry.type
class LinkedIntervention:
    id: strawberry.ID


@strawberry.type
class ConversationClient:
    id: strawberry.ID


def signed_file_url(info: Info, pk: int, route: str, purpose: str) -> str:
    """A link to file `pk` for the viewer only, valid ATTACHMENT_LINK_SECONDS; `purpose`
    keeps a link to one kind of file from opening another (resolvers/messaging/attachments)."""
    viewer = guards.signed_in(info.context.viewer)
    settings = info.context.runtime.settings
    token = attachments.signed_token(
        settings.secret_key, pk, viewer.account_id, settings.attachment_link_seconds, purpose
    )
    return f"{settings.public_url}/{route}/{token}"


@strawberry.type
class MessageAttachment(Node):
    filename: str
    content_type: str = strawberry.field(description="From the file's first bytes.")
    size: int
    pk: strawberry.Private[int]

    @strawberry.field(description="A signed link for you, valid a few minutes.")
    def url(self, info: Info) -> str:
        return signed_file_url(info, self.pk, "attachments", "attachment")

    @classmethod
    def from_row(cls, r: dict[str, Any]) -> MessageAttachment:
        return cls(
            id=strawberry.ID(to_global_id("MessageAttachment", r["id"])),
            filename=r["filename"],
            content_type=r["content_type"],
            size=r["size"],
            pk=r["id"],
        )


@strawberry.type
class Message(Node):
    body: str = strawberry.field(description="Plain text as written: never render it as HTML.")
    sent_at: datetime
    from_agency: bool
    read_by_client_at: datetime | None
    read_by_agency_at: datetime | None
    response_due_at: datetime | None = strawberry.field(
        description="The reply promise made when this client message was sent."
    )
    intervention: LinkedIntervention | None
    _author_id: strawberry.Private[int | None]
    _conversation_id: strawberry.Private[int]
    _pk: strawberry.Private[int]

    @classmethod
    def from_model(cls, row: MessageModel) -> Message:
        return MESSAGE_ROWS.from_model(row)

    @strawberry.field
    async def author(self, info: Info) -> MessageAuthor | None:
        if self._author_id is None:
            return None
        account = await info.context.loaders.account_by_id.load(self._author_id)
        if account is None:
            return None
        return AUTHOR_ROWS.from_model(account)

    @strawberry.field
    async def conversation(self, info: Info) -> Conversation:
        row = await info.context.loaders.conversation_by_id.load(self._conversation_id)
        assert row is not None  # a message never outlives its conversation
        return Conversation.from_model(row)

    @strawberry.field
    async def attachments(self, info: Info) -> list[MessageAttachment]:
        rows: list[dict[str, Any]] = await info.context.loaders.attachments_by_message_id.load(
            self._pk
        )
        return [MessageAttachment.from_row(r) for r in rows]


@strawberry.type
class Conversation(Node):
    client: ConversationClient
    created_at: datetime
    last_message_at: datetime
    waiting_since: datetime | None = strawberry.field(
        description="The oldest client message the agency has not answered yet."
    )
    response_due_at: datetime | None = strawberry.field(
        description="The reply promise of that message (working hours of the agency)."
    )
    _pk: strawberry.Private[int]
    _client_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, row: ConversationModel) -> Conversation:
        return CONVERSATION_ROWS.from_model(row)

    @strawberry.field(description="The reply promise is missed.")
    def overdue(self) -> bool:
        return overdue(self.response_due_at)

    @strawberry.field(description="The client is premium: shorter promise, first in the queue.")
    async def premium(self, info: Info) -> bool:
        return await info.context.loaders.premium_by_client_id.load(self._client_id)

    @strawberry.field(description="The client's advisor is the viewer (staff).")
    async def assigned_to_me(self, info: Info) -> bool:
        viewer = guards.signed_in(info.context.viewer)
        advisor = await info.context.loaders.advisor_by_client_id.load(self._client_id)
        return _advised_by(advisor, viewer)

    @strawberry.field(description="Messages of the other side your side has not read.")
    async def unread_count(self, info: Info) -> int:
        viewer = guards.signed_in(info.context.viewer)
        return await info.context.loaders.unread_by_conversation.load((viewer.is_staff, self._pk))

    @strawberry.field(description="The newest message, for inbox lists (one query per page).")
    async def last_message(self, info: Info) -> Message | None:
        row = await info.context.loaders.last_message_by_conversation_id.load(self._pk)
        return MESSAGE_ROWS.build(row) if row else None

    @strawberry.field(
        description="The history, newest first; `after` goes back in time. For one "
        "conversation at a time: in lists, use lastMessage."
    )
    async def messages(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Message]:
        size = page_size(first)
        rows = await conversations.history(info.context.viewer, self._pk, size, after_pk(after))
        return connection_by_id(rows, Message.from_model, size, after)


def overdue(response_due_at: datetime | None) -> bool:
    """The reply promise is missed."""
    return response_due_at is not None and response_due_at <= utcnow()


def _advised_by(advisor: int | None, viewer: Viewer) -> bool:
    return advisor is not None and advisor == viewer.account_id


# What the per-viewer fields read in planned queries, for the conversations of a page
# (found visible by the root that read them, as for the resolvers): the same reads as the
# resolvers' loaders, with the same rules.


async def _unread(context: Any, _: Sequence[str], ids: list[int]) -> Mapping[int, Any]:
    viewer = guards.signed_in(context.viewer)
    counts = await conversations.unread_by_conversation_ids([(viewer.is_staff, pk) for pk in ids])
    return {pk: {"unread_count": n} for pk, n in zip(ids, counts, strict=True)}


async def _premium(context: Any, _: Sequence[str], client_ids: list[int]) -> Mapping[int, Any]:
    found = await conversations.premium_by_client_ids(client_ids)
    return {pk: {"premium": premium} for pk, premium in zip(client_ids, found, strict=True)}


async def _assigned(context: Any, _: Sequence[str], client_ids: list[int]) -> Mapping[int, Any]:
    viewer = guards.signed_in(context.viewer)
    advisors = await conversations.advisor_by_client_ids(client_ids)
    return {
        pk: {"assigned_to_me": _advised_by(advisor, viewer)}
        for pk, advisor in zip(client_ids, advisors, strict=True)
    }


async def _last_messages(context: Any, columns: Sequence[str], ids: list[int]) -> Mapping[int, Any]:
    return await conversations.last_message_rows(ids, columns)


def _author_rows(prefix: str) -> RowType[MessageAuthor]:
    """An author read from an account's columns, named `prefix` + column."""
    return RowType(
        MessageAuthor,
        {
            "id": global_id(f"{prefix}id", "Account"),
            "display_name": columns(f"{prefix}first_name", f"{prefix}last_name", read=display_name),
            "from_agency": column(f"{prefix}role", lambda role: role.is_staff),
        },
    )


# From an account (graphql-core's resolver), and from a message's row joined to its author.
AUTHOR_ROWS = _author_rows("")
JOINED_AUTHOR_ROWS = _author_rows("author__")

MESSAGE_ROWS = RowType(
    Message,
    {
        "id": global_id("id", "Message"),
        "body": column("body"),
        "sent_at": column("sent_at"),
        "from_agency": column("from_client", operator.not_),
        "read_by_client_at": column("client_read_at"),
        "read_by_agency_at": column("agency_read_at"),
        "response_due_at": column("response_due_at"),
        "intervention": Part(
            RowType(LinkedIntervention, {"id": global_id("intervention_id", "Intervention")}),
            unless_null="intervention_id",
        ),
        "_author_id": column("author_id"),
        "_conversation_id": column("conversation_id"),
        "_pk": column("id"),
    },
    # The author is read by the message's statement (a join): a planned inbox reads its
    # last messages and their authors at once.
    computed={"author": Part(JOINED_AUTHOR_ROWS, unless_null="author__id")},
)

CONVERSATION_ROWS = RowType(
    Conversation,
    {
        "id": global_id("id", "Conversation"),
        "client": Part(RowType(ConversationClient, {"id": global_id("client_id", "Client")})),
        "created_at": column("created_at"),
        "last_message_at": column("last_message_at"),
        "waiting_since": column("waiting_since"),
        "response_due_at": column("response_due_at"),
        "_pk": column("id"),
        "_client_id": column("client_id"),
    },
    computed={"overdue": column("response_due_at", overdue)},
    fetched={
        "unread_count": Fetched(column("unread_count"), key="id", fetch=_unread, absent=0),
        "premium": Fetched(column("premium"), key="client_id", fetch=_premium, absent=False),
        "assigned_to_me": Fetched(
            column("assigned_to_me"), key="client_id", fetch=_assigned, absent=False
        ),
        "last_message": Fetched(MESSAGE_ROWS, key="id", fetch=_last_messages),
    },
)


async def _message_node(viewer: Viewer, pk: int) -> Message | None:
    row = await conversations.visible_message(viewer, pk)
    return Message.from_model(row) if row else None


async def _attachment_node(viewer: Viewer, pk: int) -> MessageAttachment | None:
    message_id = await attachments.visible_attachment_message_id(pk)
    if message_id is None or await conversations.visible_message(viewer, message_id) is None:
        return None
    row = (await conversations.attachments_by_message_ids([message_id]))[0]
    return next((MessageAttachment.from_row(r) for r in row if r["id"] == pk), None)


nodes.register_rows("Conversation", CONVERSATION_ROWS, messages.visible_conversation_row)
nodes.register("MessageAttachment", _attachment_node)
nodes.register("Message", _message_node)
