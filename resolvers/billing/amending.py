"""What a document amending an issued invoice takes from it: credit notes, corrective invoices.

An issued invoice is never edited: another document, referring to it, corrects or
cancels it. That document repeats the invoice's legal mentions as they were at its
issue (parties, addresses, SAP declaration, period) and takes a number of its own from
the counter of the year it is issued in.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from models.billing.invoices import Invoice
from models.enums import InvoiceKind
from resolvers.billing import invoicing

LEGAL_MENTIONS = (
    "agency_id",
    "client_id",
    "service_mode",
    "period_start",
    "period_end",
    "agency_name",
    "agency_address",
    "sap_number",
    "sap_declared_on",
    "siret",
    "vat_exempt",
    "client_number",
    "client_name",
    "client_address",
)


def legal_mentions(invoice: Invoice) -> dict[str, Any]:
    """The mentions of the invoice amended, as they were at its issue."""
    return {name: getattr(invoice, name) for name in LEGAL_MENTIONS}


def numbered(kind: InvoiceKind, sequence: int, issued_on: date, now: datetime) -> dict[str, Any]:
    """The amending document's kind, number in its year, and issue."""
    return {
        "kind": kind,
        "year": issued_on.year,
        "sequence": sequence,
        "number": invoicing.invoice_number(kind, issued_on.year, sequence),
        "issued_at": now,
        "issued_on": issued_on,
    }
