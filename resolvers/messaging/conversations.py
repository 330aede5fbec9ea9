"""Reading conversations: the client's own, the agency's list and queue, history, unread.

Batch reads (`*_by_*`) back the per-request DataLoaders, so lists make a fixed
number of queries whatever their length. The staff's list and queue, and the last
messages and their authors, are read as plain rows (`columns`: only those a planned query
selects, schema/engine/planner.py; None: every one), with SQL written once per shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.functions import Count, Max
from tortoise.queryset import QuerySet

from models.accounts.people import Client
from models.enums import Role
from models.messaging import ClientPremium, Conversation, Message, MessageAttachment
from resolvers.core import guards
from resolvers.core.lookups import client_id_for
from resolvers.core.prepared import (
    TRUTH,
    PreparedRows,
    add_position,
    listed,
    numbered,
    past,
    rows_by_ids,
    truth,
)
from resolvers.core.runtime import Viewer
from resolvers.messaging.messages import visible_conversation
from services.clock import utcnow

CONVERSATION_FIELDS = (
    "id",
    "client_id",
    "agency_id",
    "created_at",
    "last_message_at",
    "waiting_since",
    "response_due_at",
)
MESSAGE_FIELDS = (
    "id",
    "conversation_id",
    "author_id",
    "from_client",
    "body",
    "sent_at",
    "client_read_at",
    "agency_read_at",
    "intervention_id",
    "response_due_at",
)
AUTHOR_FIELDS = ("id", "first_name", "last_name", "role")
# A message's author read with it (one join): `author__id` is null when there is none.
JOINED_AUTHOR = tuple(f"author__{name}" for name in AUTHOR_FIELDS)
_CONVERSATIONS = PreparedRows(Conversation, CONVERSATION_FIELDS)
_MESSAGES = PreparedRows(Message, MESSAGE_FIELDS)
# Unread messages per conversation, on one side (resolvers' and planned `unreadCount`).
_UNREAD = PreparedRows(Message, ("conversation_id", "n"))
# Which households are premium, and their advisors (`premium`, `assignedToMe`): with SQL
# written once, so that a planned panel sends them with its other reads of that level.
_PREMIUM = PreparedRows(ClientPremium, ("client_id",))
_ADVISORS = PreparedRows(Client, ("id", "advisor_id"))


def _fields(
    known: tuple[str, ...], columns: Sequence[str] | None, *always: str
) -> tuple[str, ...] | None:
    """The columns of `known` among `columns` (None: all), with `always` first."""
    if columns is None:
        return None
    return tuple(dict.fromkeys((*always, *(c for c in columns if c in known))))


async def my_conversation(viewer: Viewer | None) -> Conversation | None:
    viewer = guards.signed_in(viewer)
    if viewer.role is not Role.CLIENT:
        return None
    return await Conversation.get_or_none(client_id=await client_id_for(viewer) or 0)


async def agency_conversations(
    viewer: Viewer | None,
    first: int,
    after: tuple[datetime, int] | None,
    columns: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """The agency's conversations, latest activity first (staff): `first + 1` rows, each
    with its `id` and `last_message_at` (the cursor)."""
    staff = guards.staff(viewer)
    inputs: dict[str, Any] = {"agency": staff.agency_id, "limit": first + 1}
    if after is not None:
        add_position(inputs, after)

    def build(v: Mapping[str, Any]) -> QuerySet[Conversation]:
        query = Conversation.filter(agency_id=v["agency"])
        if "after" in v:
            query = query.filter(past(v, "last_message_at", descending=True))
        return query.order_by("-last_message_at", "-id").limit(v["limit"])

    fields = _fields(CONVERSATION_FIELDS, columns, "id", "last_message_at")
    return await _CONVERSATIONS.fetch(("agency", after is not None), build, inputs, fields)


async def awaiting_reply(
    viewer: Viewer | None, first: int, mine: bool, columns: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Waiting conversations: premium clients first, then the earliest promise (staff).

    With `mine`, only the clients the viewer advises. Each row also holds `premium` and
    `overdue` (its promise is missed).
    """
    staff = guards.staff(viewer)
    if first < 1:
        return []
    inputs: dict[str, Any] = {
        "agency": staff.agency_id,
        "of_agency": staff.agency_id,
        **TRUTH,
        "limit": first,
    }
    if mine:
        inputs["advisor"] = staff.account_id

    def build(v: Mapping[str, Any]) -> QuerySet[Conversation]:
        query = Conversation.filter(agency_id=v["agency"], waiting_since__isnull=False)
        if "advisor" in v:
            query = query.filter(client__advisor_id=v["advisor"])
        clients = ClientPremium.filter(client__agency_id=v["of_agency"]).values("client_id")
        premium = truth(Q(client_id__in=Subquery(clients)), v)
        # Premium clients first, then the earliest promise: one statement.
        return (
            query.annotate(premium_rank=premium)
            .order_by("-premium_rank", "response_due_at", "id")
            .limit(v["limit"])
        )

    chosen = _fields(CONVERSATION_FIELDS, columns, "id", "response_due_at")
    fields = (*(chosen or CONVERSATION_FIELDS), "premium_rank")
    now = utcnow()
    rows = await _CONVERSATIONS.fetch(("waiting", mine), build, inputs, fields)
    for row in rows:
        due = row["response_due_at"]
        row["premium"] = int(row.pop("premium_rank")) == 1
        row["overdue"] = due is not None and due <= now
    return rows


async def history(
    viewer: Viewer | None, conversation_id: int, first: int, before_id: int | None
) -> list[Message]:
    """Messages of a conversation, newest first, `first + 1` rows."""
    viewer = guards.signed_in(viewer)
    conversation = await visible_conversation(viewer, conversation_id)
    if conversation is None:
        return []
    query = Message.filter(conversation_id=conversation.id)
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    return await query.order_by("-id").limit(first + 1)


async def unread_count(viewer: Viewer) -> int:
    """Messages of the other side the viewer's side has not read."""
    if viewer.is_staff:
        return await Message.filter(
            conversation__agency_id=viewer.agency_id, from_client=True, agency_read_at=None
        ).count()
    if viewer.role is Role.CLIENT:
        return await Message.filter(
            conversation__client__account_id=viewer.account_id,
            from_client=False,
            client_read_at=None,
        ).count()
    return 0


async def visible_message(viewer: Viewer, pk: int) -> Message | None:
    message = await Message.get_or_none(id=pk)
    if message is None or await visible_conversation(viewer, message.conversation_id) is None:
        return None
    return message


# Batch reads behind DataLoaders.


async def conversations_by_ids(ids: Sequence[int]) -> list[Conversation | None]:
    rows = {row.id: row for row in await Conversation.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def messages_by_ids(ids: Sequence[int]) -> list[Message | None]:
    rows = {row.id: row for row in await Message.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def last_message_by_conversation_ids(ids: Sequence[int]) -> list[dict[str, Any] | None]:
    rows = await last_message_rows(ids)
    return [rows.get(i) for i in ids]


async def last_message_rows(
    conversation_ids: Sequence[int], columns: Sequence[str] | None = None
) -> dict[int, dict[str, Any]]:
    """The newest message of each conversation that has one, as a row, in one statement;
    with `columns` of `JOINED_AUTHOR`, its author's are read with it."""
    inputs = {f"id{i}": pk for i, pk in enumerate(conversation_ids)}

    def build(v: Mapping[str, Any]) -> QuerySet[Message]:
        wanted = [v[f"id{i}"] for i in range(len(conversation_ids))]
        newest = (
            Message.filter(conversation_id__in=wanted)
            .annotate(newest=Max("id"))
            .group_by("conversation_id")
            .values("newest")
        )
        return Message.filter(id__in=Subquery(newest))

    fields = _fields(MESSAGE_FIELDS + JOINED_AUTHOR, columns, "conversation_id")
    rows = await _MESSAGES.fetch(("newest", len(inputs)), build, inputs, fields)
    return {row["conversation_id"]: row for row in rows}


async def premium_by_client_ids(ids: Sequence[int]) -> list[bool]:
    count = len(ids)
    rows = await _PREMIUM.fetch(
        ("premium", count),
        lambda v: ClientPremium.filter(client_id__in=listed(v, "client", count)),
        numbered("client", ids),
    )
    found = {int(row["client_id"]) for row in rows}
    return [i in found for i in ids]


async def advisor_by_client_ids(ids: Sequence[int]) -> list[int | None]:
    advisors = {row["id"]: row["advisor_id"] for row in await rows_by_ids(_ADVISORS, ids)}
    return [advisors.get(i) for i in ids]


async def attachments_by_message_ids(ids: Sequence[int]) -> list[list[dict[str, Any]]]:
    """File descriptions without their bytes."""
    rows = (
        await MessageAttachment.filter(message_id__in=list(ids))
        .order_by("id")
        .values("id", "message_id", "filename", "content_type", "size")
    )
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["message_id"], []).append(row)
    return [grouped.get(i, []) for i in ids]


async def _unread_on_side(ids: Sequence[int], staff_side: bool) -> list[dict[str, Any]]:
    """Unread messages per conversation of `ids`: the client's for staff, else the agency's."""
    count = len(ids)
    unread = "agency_read_at" if staff_side else "client_read_at"
    return await _UNREAD.fetch(
        ("unread", unread, count),
        lambda v: (
            Message.filter(
                conversation_id__in=listed(v, "conversation", count),
                from_client=v["from_client"],
                **{unread: None},
            )
            .annotate(n=Count("id"))
            .group_by("conversation_id")
        ),
        {**numbered("conversation", ids), "from_client": staff_side},
    )


async def unread_by_conversation_ids(
    keys: Sequence[tuple[bool, int]],
) -> list[int]:
    """Unread counts per (staff side?, conversation id)."""
    result: dict[tuple[bool, int], int] = {}
    for staff_side in (True, False):
        ids = sorted({pk for side, pk in keys if side is staff_side})
        if ids:
            for row in await _unread_on_side(ids, staff_side):
                result[(staff_side, row["conversation_id"])] = row["n"]
    return [result.get(key, 0) for key in keys]
