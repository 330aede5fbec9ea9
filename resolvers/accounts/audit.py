"""Security events: the audit log, and what each user sees of their own account."""

from __future__ import annotations

from models.accounts.security import SecurityEvent
from models.enums import SecurityEventKind
from resolvers.core.runtime import RequestMeta
from services.clock import utcnow
from services.devices import describe_device, network_of


async def record(
    kind: SecurityEventKind, account_id: int | None, meta: RequestMeta | None = None
) -> SecurityEvent:
    return await SecurityEvent.create(
        kind=kind,
        account_id=account_id,
        created_at=utcnow(),
        device=describe_device(meta.user_agent) if meta else "",
        network=network_of(meta.address) if meta else "",
    )
