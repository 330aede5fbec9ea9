"""Invoices, payments and tax certificates: exported with their PDFs; on erasure, kept.

Code de commerce L123-22 and the tax code make the agency keep them (ten years): the
invoice rows carry their own copy of the household's name and address, and certificates,
drawn from live data, are frozen as PDFs in the archive before the household is erased.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from models.accounts.people import Client
from models.billing.invoices import Invoice, InvoiceLine, Payment
from models.billing.tax_credit import TaxCertificate
from models.privacy import ArchivedDocument
from resolvers.billing.certificate_document import certificate_document
from resolvers.billing.invoice_document import invoice_document
from resolvers.privacy.registry import ExportPart, Household, iso, register
from services.documents import Document, to_pdf

INVOICE_FIELDS = (
    "id",
    "number",
    "kind",
    "issued_on",
    "due_on",
    "period_start",
    "period_end",
    "total_excl_cents",
    "vat_cents",
    "total_incl_cents",
    "advance_cents",
    "amount_due_cents",
    "advance_status",
    "status",
    "paid_cents",
    "client_name",
    "client_address",
)


async def export(h: Household) -> ExportPart:
    invoices = await Invoice.filter(client_id=h.client_id).order_by("id").values(*INVOICE_FIELDS)
    lines: dict[int, list[dict[str, object]]] = {}
    for line in (
        await InvoiceLine.filter(invoice__client_id=h.client_id)
        .order_by("invoice_id", "position")
        .values("invoice_id", "label", "service_date", "minutes", "incl_cents", "worker_name")
    ):
        lines.setdefault(int(line.pop("invoice_id")), []).append(line)
    for invoice in invoices:
        invoice["lines"] = lines.get(invoice["id"], [])
    payments = (
        await Payment.filter(client_id=h.client_id)
        .order_by("id")
        .values("invoice__number", "method", "amount_cents", "received_on", "reference")
    )
    certificates = (
        await TaxCertificate.filter(client_id=h.client_id)
        .order_by("year")
        .values("year", "amount_paid_cents", "published_at")
    )
    documents_ = [
        (f"invoices/{row.number}.pdf", await invoice_document(row))
        for row in await Invoice.filter(client_id=h.client_id).order_by("id")
    ]
    documents_ += await _certificate_documents(h.client_id)
    # fpdf2 takes ~0.2 s a page of CPU: off the event loop, so the server keeps answering.
    files = await asyncio.to_thread(lambda: [(name, to_pdf(doc)) for name, doc in documents_])
    return ExportPart(
        {
            "invoices": invoices,
            "payments": payments,
            "taxCertificates": [
                {**c, "published_at": iso(c["published_at"])} for c in certificates
            ],
        },
        files,
    )


async def _certificate_documents(client_id: int) -> list[tuple[str, Document]]:
    client = await Client.get(id=client_id)
    years = await TaxCertificate.filter(client_id=client_id).values_list("year", flat=True)
    return [
        (
            f"certificates/attestation-fiscale-{year}.pdf",
            await certificate_document(client, int(year)),  # type: ignore[call-overload]
        )
        for year in sorted(years)  # type: ignore[type-var]
    ]


async def archive(h: Household, now: datetime, keep_years: int) -> None:
    """Freezes the certificates as printed today; invoice rows keep their own copy."""
    keep_until = now.date().replace(year=now.year + keep_years, day=1)
    for name, document in await _certificate_documents(h.client_id):
        content = await asyncio.to_thread(to_pdf, document)
        await ArchivedDocument.create(
            agency_id=h.agency_id,
            client_id=h.client_id,
            filename=name.rsplit("/", 1)[-1],
            content=content,
            archived_at=now,
            keep_until=keep_until,
        )


register("billing", export=export, erase=None)
