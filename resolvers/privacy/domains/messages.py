"""Messages with the agency, and their attachments (put in the ZIP as files)."""

from __future__ import annotations

import re
from datetime import datetime

from models.events import Event
from models.messaging import Message, MessageAttachment
from resolvers.privacy.registry import ExportPart, Household, iso, register

ERASED_BODY = "[message supprimé]"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


async def export(h: Household) -> ExportPart:
    rows = (
        await Message.filter(conversation__client_id=h.client_id)
        .order_by("id")
        .values("id", "from_client", "body", "sent_at", "client_read_at", "intervention_id")
    )
    files: list[tuple[str, bytes]] = []
    attached: dict[int, list[str]] = {}
    for a in await MessageAttachment.filter(message__conversation__client_id=h.client_id):
        name = f"messages/{a.message_id}-{a.id}-{_UNSAFE.sub('_', a.filename)[:80]}"
        files.append((name, bytes(a.data)))
        attached.setdefault(a.message_id, []).append(name)
    messages = [
        {
            "fromHousehold": row["from_client"],
            "body": row["body"],
            "sentAt": iso(row["sent_at"]),
            "readAt": iso(row["client_read_at"]),
            "attachments": attached.get(row["id"], []),
        }
        for row in rows
    ]
    return ExportPart({"messages": messages}, files)


async def erase(h: Household, now: datetime) -> list[Event]:
    await MessageAttachment.filter(message__conversation__client_id=h.client_id).delete()
    await Message.filter(conversation__client_id=h.client_id).update(body=ERASED_BODY)
    return []


register("messages", export=export, erase=erase)
