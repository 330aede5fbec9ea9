"""The advance's stored status, and the trail of who moved it (URSSAF's poll or staff)."""

from __future__ import annotations

from models.billing.invoices import Invoice
from models.billing.urssaf import AdvanceChange
from models.enums import AdvanceStatus
from services.clock import utcnow


async def advance_of(invoice_id: int, agency_id: int | None = None) -> AdvanceStatus | None:
    query = Invoice.filter(id=invoice_id)
    if agency_id is not None:
        query = query.filter(agency_id=agency_id)
    invoice = await query.only("id", "advance_status").first()
    if invoice is None or invoice.advance_status is None:
        return None
    return AdvanceStatus(invoice.advance_status)


async def record_change(
    invoice_id: int,
    before: AdvanceStatus | None,
    after: AdvanceStatus,
    source: str,
    reason: str = "",
    actor_id: int | None = None,
) -> None:
    await AdvanceChange.create(
        invoice_id=invoice_id,
        from_status=before,
        to_status=after,
        source=source,
        reason=reason[:500],
        actor_id=actor_id,
        created_at=utcnow(),
    )
