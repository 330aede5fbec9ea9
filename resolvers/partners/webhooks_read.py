"""What an ADMIN sees of a webhook: its deliveries, newest first, as plain rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.webhooks import WebhookDelivery, WebhookDeliveryStatus
from resolvers.core.runtime import Viewer
from resolvers.partners.webhooks import endpoint_of


@dataclass(frozen=True)
class DeliveryView:
    id: int
    endpoint_id: int
    event_id: int
    event_type: str
    status: WebhookDeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None


@dataclass(frozen=True)
class DeliveryPage:
    views: list[DeliveryView]  # `size + 1` at most: the extra one says there is more
    size: int
    has_previous: bool


async def deliveries(
    viewer: Viewer | None, endpoint_id: int, size: int, after_id: int | None
) -> DeliveryPage:
    endpoint = await endpoint_of(viewer, endpoint_id)
    query = WebhookDelivery.filter(endpoint_id=endpoint.id)
    if after_id is not None:
        query = query.filter(id__lt=after_id)
    rows = await query.order_by("-id").limit(size + 1)
    views = [
        DeliveryView(
            id=row.id,
            endpoint_id=row.endpoint_id,
            event_id=row.event_id,
            event_type=row.event_type,
            status=WebhookDeliveryStatus(row.status),
            attempts=row.attempts,
            last_status_code=row.last_status_code,
            last_error=row.last_error,
            created_at=row.created_at,
            last_attempt_at=row.last_attempt_at,
            next_attempt_at=row.next_attempt_at,
            delivered_at=row.delivered_at,
        )
        for row in rows
    ]
    return DeliveryPage(views, size, after_id is not None)
