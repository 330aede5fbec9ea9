"""Reading conversations: the client's own, the agency's list and queue, history, unread.

Batch reads (`*_by_*`) back the per-request DataLoaders, so lists make a fixed
number of queries whatever their length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count, Max

from models.accounts.people import Client
from models.enums import Role
from models.messaging import ClientPremium, Conversation, Message, MessageAttachment
from resolvers.core import guards
from resolvers.core.lookups import client_id_of
from resolvers.core.runtime import Viewer
from resolvers.messaging.messages import visible_conversation
from services.clock import utcnow


@dataclass(frozen=True)
class QueueEntry:
    conversation: Conversation
    premium: bool
    overdue: bool


async def my_conversation(viewer: Viewer | None) -> Conversation | None:
    viewer = guards.signed_in(viewer)
    if viewer.role is not Role.CLIENT:
        return None
    return await Conversation.get_or_none(client_id=await client_id_of(viewer.account_id) or 0)


async def agency_conversations(
    viewer: Viewer | None, first: int, after: tuple[datetime, int] | None
) -> list[Conversation]:
    """The agency's conversations, latest activity first (staff)."""
    staff = guards.staff(viewer)
    query = Conversation.filter(agency_id=staff.agency_id)
    if after is not None:
        at, pk = after
        query = query.filter(Q(last_message_at__lt=at) | Q(last_message_at=at, id__lt=pk))
    return await query.order_by("-last_message_at", "-id").limit(first + 1)


async def awaiting_reply(viewer: Viewer | None, first: int, mine: bool) -> list[QueueEntry]:
    """Waiting conversations: premium clients first, then the earliest promise (staff).

    With `mine`, only the clients the viewer advises.
    """
    staff = guards.staff(viewer)
    if first < 1:
        return []
    query = Conversation.filter(agency_id=staff.agency_id, waiting_since__isnull=False)
    if mine:
        query = query.filter(client__advisor_id=staff.account_id)
    premium_ids = await _premium_ids(client__agency_id=staff.agency_id)
    now = utcnow()
    # Premium first needs both groups in due order: read each, premium one first.
    premium_rows = (
        await query.filter(client_id__in=list(premium_ids) or [0])
        .order_by("response_due_at", "id")
        .limit(first)
    )
    rest: list[Conversation] = []
    if len(premium_rows) < first:
        rest = (
            await query.filter(~Q(client_id__in=list(premium_ids) or [0]))
            .order_by("response_due_at", "id")
            .limit(first - len(premium_rows))
        )
    return [
        QueueEntry(
            row,
            row.client_id in premium_ids,
            row.response_due_at is not None and row.response_due_at <= now,
        )
        for row in [*premium_rows, *rest]
    ]


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


async def last_message_by_conversation_ids(ids: Sequence[int]) -> list[Message | None]:
    newest = dict(
        await Message.filter(conversation_id__in=list(ids))
        .annotate(newest=Max("id"))
        .group_by("conversation_id")
        .values_list("conversation_id", "newest")
    )
    rows = {row.conversation_id: row for row in await Message.filter(id__in=list(newest.values()))}
    return [rows.get(i) for i in ids]


async def premium_by_client_ids(ids: Sequence[int]) -> list[bool]:
    found = await _premium_ids(client_id__in=list(ids))
    return [i in found for i in ids]


async def _premium_ids(**where: Any) -> set[int]:
    rows = await ClientPremium.filter(**where).values_list("client_id", flat=True)
    return {int(pk) for pk in rows}  # type: ignore[call-overload]


async def advisor_by_client_ids(ids: Sequence[int]) -> list[int | None]:
    rows = dict(await Client.filter(id__in=list(ids)).values_list("id", "advisor_id"))
    return [rows.get(i) for i in ids]


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


async def unread_by_conversation_ids(
    keys: Sequence[tuple[bool, int]],
) -> list[int]:
    """Unread counts per (staff side?, conversation id)."""
    result: dict[tuple[bool, int], int] = {}
    for staff_side in (True, False):
        ids = [pk for side, pk in keys if side is staff_side]
        if not ids:
            continue
        unread = {"agency_read_at": None} if staff_side else {"client_read_at": None}
        rows = (
            await Message.filter(conversation_id__in=ids, from_client=staff_side, **unread)
            .annotate(n=Count("id"))
            .group_by("conversation_id")
            .values_list("conversation_id", "n")
        )
        for pk, n in rows:
            result[(staff_side, pk)] = n
    return [result.get(key, 0) for key in keys]
