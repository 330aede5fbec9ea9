"""Queueing an invoice's payment request, in the invoice's own transaction.

One row per invoice (unique): an invoice can never be queued twice, whichever process
issues it. resolvers/billing/urssaf/sending.py delivers the rows.
"""

from __future__ import annotations

from models.billing.invoices import Invoice
from models.billing.urssaf import UrssafEnrolment, UrssafPaymentRequest
from models.enums import ServiceMode, UrssafEnrolmentStatus
from services.clock import utcnow


async def queue(invoice: Invoice) -> UrssafPaymentRequest | None:
    """The invoice's payment request, when its household is enrolled with URSSAF. Call
    inside the invoice's transaction."""
    if invoice.advance_cents <= 0 or invoice.service_mode != ServiceMode.PRESTATAIRE:
        return None
    enrolled = await UrssafEnrolment.exists(
        client_id=invoice.client_id,
        status=UrssafEnrolmentStatus.ENROLLED,
        urssaf_id__not_isnull=True,
    )
    if not enrolled:
        return None
    now = utcnow()
    return await UrssafPaymentRequest.create(
        invoice_id=invoice.id,
        agency_id=invoice.agency_id,
        client_id=invoice.client_id,
        invoice_number=invoice.number,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
