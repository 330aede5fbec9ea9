"""What accounts tests share: the outbox seen from the database."""

from __future__ import annotations

from models.outbox import OutboundMessage


async def outbox_count(recipient: str, kind: str) -> int:
    return await OutboundMessage.filter(recipient=recipient, kind=kind).count()
