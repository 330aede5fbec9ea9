"""What staff see of an invoice's payment request: where it stands and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.billing.invoices import Invoice
from models.billing.urssaf import AdvanceChange, UrssafPaymentRequest
from models.enums import AdvanceStatus, UrssafRequestState
from resolvers.core import guards
from resolvers.core.runtime import Viewer
from services.urssaf.codes import STATUSES

MAX_CHANGES = 50


@dataclass(frozen=True)
class ChangeView:
    from_status: AdvanceStatus | None
    to_status: AdvanceStatus
    source: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class PaymentRequestView:
    invoice_id: int
    state: UrssafRequestState
    urssaf_id: str | None
    status_code: str
    status_label: str
    reason_code: str
    reason: str
    attempts: int
    last_error: str
    sent_at: datetime | None
    changes: list[ChangeView]


async def payment_request(viewer: Viewer | None, invoice_id: int) -> PaymentRequestView | None:
    """The invoice's request (staff of its agency only), None when there is none."""
    staff = guards.staff(viewer)
    if not await Invoice.exists(id=invoice_id, agency_id=staff.agency_id):
        return None
    row = await UrssafPaymentRequest.get_or_none(invoice_id=invoice_id)
    if row is None:
        return None
    changes = await AdvanceChange.filter(invoice_id=invoice_id).order_by("id").limit(MAX_CHANGES)
    status = STATUSES.get(row.status_code)
    return PaymentRequestView(
        invoice_id=invoice_id,
        state=UrssafRequestState(row.state),
        urssaf_id=row.urssaf_id,
        status_code=row.status_code,
        status_label=status.label if status else "",
        reason_code=row.reason_code,
        reason=row.reason,
        attempts=row.attempts,
        last_error=row.last_error,
        sent_at=row.sent_at,
        changes=[
            ChangeView(
                AdvanceStatus(c.from_status) if c.from_status else None,
                AdvanceStatus(c.to_status),
                c.source,
                c.reason,
                c.created_at,
            )
            for c in changes
        ],
    )
