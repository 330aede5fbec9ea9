"""Billing documents: what they say (legal mentions), their signed links, and serving them.

Links are minted only by fields that already checked the viewer (the invoice's client or
its agency's staff); the GET route then trusts the HMAC signature and the expiry alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.accounts.people import Agency, Client
from models.billing.invoices import Invoice
from models.billing.mandates import Payslip
from models.enums import PaymentMethod
from resolvers.billing import payments
from resolvers.billing.certificate_document import certificate_document
from resolvers.billing.invoice_document import invoice_document, sap_text
from resolvers.billing.invoicing import legal_mentions
from services import billing, tokens
from services.config import Settings
from services.documents import Document, to_csv, to_pdf

FORMATS = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}
PATH = re.compile(
    r"^/documents/(invoices|statements|certificates|payslips)/(\d{1,10})(?:-(\d{4}))?\.(pdf|csv)$"
)


def link(settings: Settings, path: str) -> str:
    return settings.public_url + tokens.sign_link(
        settings.secret_key, path, settings.document_link_seconds
    )


def invoice_links(settings: Settings, invoice_id: int) -> tuple[str, str]:
    base = f"/documents/invoices/{invoice_id}"
    return link(settings, f"{base}.pdf"), link(settings, f"{base}.csv")


def yearly_link(settings: Settings, kind: str, client_id: int, year: int, fmt: str) -> str:
    return link(settings, f"/documents/{kind}/{client_id}-{year}.{fmt}")


async def statement_document(client: Client, year: int) -> Document:
    mentions = await _mentions(client)
    received = await payments.payments_of(client.id, year)
    rows = [
        [
            f"{p.received_on:%d/%m/%Y}",
            payments.METHOD_LABELS[PaymentMethod(p.method)],
            p.invoice.number,
            p.reference,
            billing.money_fr(p.amount_cents),
        ]
        for p in received
    ]
    total = sum(p.amount_cents for p in received)
    return Document(
        title=f"Relevé de paiements {year}",
        filename=f"releve-paiements-{year}",
        header=mentions[0],
        parties=mentions[1],
        columns=["Date", "Moyen de paiement", "Facture", "Référence", "Montant (€)"],
        rows=rows,
        totals=[("Total payé (€)", billing.money_fr(total))],
    )


async def _mentions(client: Client) -> tuple[list[str], list[str]]:
    agency = await Agency.get(id=client.agency_id)
    m = legal_mentions(agency, client, await client.account)
    return (
        [
            str(m["agency_name"]),
            str(m["agency_address"]),
            sap_text(agency.sap_number, agency.sap_declared_on),
        ],
        [f"Client : {m['client_name']}", f"Adresse : {m['client_address']}"],
    )


@dataclass(frozen=True)
class Rendered:
    body: bytes
    media_type: str
    filename: str


async def render(settings: Settings, path: str, expires: str, signature: str) -> Rendered | None:
    """The document at a signed `path`, or None (bad signature, expired, unknown)."""
    match = PATH.match(path)
    if match is None or not tokens.check_link(settings.secret_key, path, expires, signature):
        return None
    kind, pk, year, fmt = match.groups()
    if kind == "payslips":
        payslip = await Payslip.get_or_none(id=int(pk))
        if payslip is None or year or fmt != "pdf":
            return None
        name = f"fiche-de-paie-{payslip.year}-{payslip.month:02d}-{payslip.id}.pdf"
        return Rendered(bytes(payslip.content), FORMATS["pdf"], name)
    if kind == "invoices":
        invoice = await Invoice.get_or_none(id=int(pk))
        if invoice is None or year:
            return None
        document = await invoice_document(invoice)
    else:
        client = await Client.get_or_none(id=int(pk))
        if client is None or not year:
            return None
        build = statement_document if kind == "statements" else certificate_document
        document = await build(client, int(year))
    body = to_pdf(document) if fmt == "pdf" else to_csv(document)
    return Rendered(body, FORMATS[fmt], f"{document.filename}.{fmt}")
