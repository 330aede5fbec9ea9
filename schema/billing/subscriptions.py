"""Live billing events: invoices and credit notes issued, payments, certificates published."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from enum import Enum

import strawberry

from models.enums import BILLING_EVENT_TYPES
from schema.core.context import Info
from schema.core.ids import cursor_for, to_global_id
from schema.core.live import viewer_events


@strawberry.enum(name="BillingEventType")
class BillingEventType(Enum):
    INVOICE_ISSUED = "INVOICE_ISSUED"
    CREDIT_NOTE_ISSUED = "CREDIT_NOTE_ISSUED"
    PAYMENT_RECORDED = "PAYMENT_RECORDED"
    CERTIFICATE_PUBLISHED = "CERTIFICATE_PUBLISHED"
    ADVANCE_STATUS_CHANGED = "ADVANCE_STATUS_CHANGED"
    CERTIFICATE_CORRECTED = "CERTIFICATE_CORRECTED"


CERTIFICATE_EVENTS = {"CERTIFICATE_PUBLISHED", "CERTIFICATE_CORRECTED"}


@strawberry.type
class BillingEvent:
    cursor: str
    type: BillingEventType
    occurred_at: datetime
    invoice_id: strawberry.ID | None = strawberry.field(
        description="The invoice or credit note concerned (null for a certificate); for "
        "ADVANCE_STATUS_CHANGED, the invoice whose advance moved."
    )


@strawberry.type
class BillingSubscriptions:
    @strawberry.subscription(
        description="Billing events the viewer may see (a household its own, staff their "
        "agency's). With `since`, missed events are replayed first, in order."
    )
    async def billing_events(
        self, info: Info, since: str | None = None
    ) -> AsyncGenerator[BillingEvent, None]:
        async for event in await viewer_events(info, since, BILLING_EVENT_TYPES):
            certificate = event.type in CERTIFICATE_EVENTS
            yield BillingEvent(
                cursor=cursor_for(event.id),
                type=BillingEventType(event.type),
                occurred_at=datetime.fromisoformat(event.occurred_at),
                invoice_id=strawberry.ID(to_global_id("Invoice", event.subject_id))
                if event.subject_id is not None and not certificate
                else None,
            )
