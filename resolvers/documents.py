"""Billing documents: what they say (legal mentions), their signed links, and serving them.

Links are minted only by fields that already checked the viewer (the invoice's client or
its agency's staff); the GET route then trusts the HMAC signature and the expiry alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.accounts import Agency, Client
from models.billing import Invoice
from models.enums import InvoiceKind, PaymentMethod, ServiceMode
from models.mandates import Payslip
from resolvers import certificates, payments
from resolvers.invoices import lines_of
from resolvers.invoicing import legal_mentions
from services import billing, tokens
from services.config import Settings
from services.documents import Document, to_csv, to_pdf

FORMATS = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}
PATH = re.compile(
    r"^/documents/(invoices|statements|certificates|payslips)/(\d{1,10})(?:-(\d{4}))?\.(pdf|csv)$"
)
MODE_LABELS = {
    ServiceMode.PRESTATAIRE: "Mode prestataire : l'agence est l'employeur de l'intervenant.",
    ServiceMode.MANDATAIRE: "Mode mandataire : vous êtes l'employeur de l'intervenant, "
    "l'agence facture ses frais de gestion.",
}

LATE_NOTICE = (
    "Annulation tardive : une intervention annulée dans le délai de prévenance est facturée "
    "selon sa durée prévue. Aucun service n'ayant été rendu, ce montant n'ouvre pas droit "
    "au crédit d'impôt ni à l'avance immédiate."
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


def _sap(number: str, declared_on: object) -> str:
    when = f" du {declared_on:%d/%m/%Y}" if declared_on else ""
    return f"Déclaration SAP n° {number or 'non renseigné'}{when}"


async def invoice_document(invoice: Invoice) -> Document:
    credit = invoice.kind == InvoiceKind.CREDIT_NOTE
    title = f"{'Avoir' if credit else 'Facture'} {invoice.number}"
    header = [
        invoice.agency_name,
        invoice.agency_address,
        _sap(invoice.sap_number, invoice.sap_declared_on),
    ]
    if invoice.siret:
        header.append(f"SIRET {invoice.siret}")
    parties = [
        f"Date : {invoice.issued_on:%d/%m/%Y}",
        f"Client : {invoice.client_name} (n° {invoice.client_number})",
        f"Adresse : {invoice.client_address}",
        f"Période : du {invoice.period_start:%d/%m/%Y} au {invoice.period_end:%d/%m/%Y}",
        MODE_LABELS[ServiceMode(invoice.service_mode)],
    ]
    if credit:
        original = await Invoice.get(id=invoice.credited_invoice_id)
        parties.append(f"Avoir sur la facture {original.number} : {invoice.credit_reason}")
    else:
        parties.append(f"Échéance : {invoice.due_on:%d/%m/%Y}")
    lines = await lines_of(invoice.id)
    rows = [
        [
            f"{line.service_date:%d/%m/%Y}",
            f"{line.start_time}-{line.end_time}",
            line.label,
            line.place,
            f"{line.worker_name} (matricule {line.employee_number})",
            billing.hours_text(line.minutes) + (" (prévu)" if line.planned_duration else ""),
            billing.money_fr(line.hourly_rate_cents),
            f"{billing.money_fr(line.vat_rate_bp)} %",
            billing.money_fr(line.excl_cents),
            billing.money_fr(line.incl_cents),
        ]
        for line in lines
    ]
    totals = [
        ("Total HT (€)", billing.money_fr(invoice.total_excl_cents)),
        ("TVA (€)", billing.money_fr(invoice.vat_cents)),
        ("Total TTC (€)", billing.money_fr(invoice.total_incl_cents)),
        ("Montant éligible au crédit d'impôt (€)", billing.money_fr(invoice.eligible_cents)),
        ("Avance immédiate du crédit d'impôt (€)", billing.money_fr(invoice.advance_cents)),
        ("Reste à payer (€)", billing.money_fr(invoice.amount_due_cents)),
    ]
    notices = [invoice.advance_note] if invoice.advance_note else []
    notices.append(
        "Les sommes versées au titre des services à la personne ouvrent droit à un crédit "
        "d'impôt de 50 % (article 199 sexdecies du CGI), dans la limite des plafonds annuels."
    )
    if any(line.late_cancellation for line in lines):
        notices.append(LATE_NOTICE)
    return Document(
        title=title,
        filename=invoice.number,
        header=header,
        parties=parties,
        columns=[
            "Date",
            "Horaires",
            "Prestation",
            "Lieu",
            "Intervenant",
            "Heures",
            "Prix HT/h",
            "TVA",
            "Montant HT",
            "Montant TTC",
        ],
        rows=rows,
        totals=totals,
        notices=notices,
        widths=(18, 20, 34, 50, 40, 16, 16, 12, 18, 18),
    )


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


async def certificate_document(client: Client, year: int) -> Document:
    cert = await certificates.compute(client, year)
    rows = []
    for worker in cert.workers:
        for month, (dates, minutes) in worker.months.items():
            rows.append(
                [
                    f"{worker.name} (matricule {worker.employee_number})",
                    month,
                    ", ".join(f"{d:%d/%m}" for d in dates),
                    billing.hours_text(minutes),
                ]
            )
    return Document(
        title=f"Attestation fiscale {year}",
        filename=f"attestation-fiscale-{year}",
        header=[cert.agency_name, cert.agency_address, _sap(cert.sap_number, cert.sap_declared_on)],
        parties=[
            f"Client : {cert.client_name}",
            f"Adresse : {cert.client_address}",
            f"Année : {year}",
        ],
        columns=["Intervenant", "Mois", "Dates", "Heures"],
        rows=rows,
        totals=[
            (
                "Montant payé ouvrant droit au crédit d'impôt (€)",
                billing.money_fr(cert.amount_paid_cents),
            ),
            ("Avance immédiate versée par l'URSSAF (€)", billing.money_fr(cert.advance_cents)),
            ("CESU préfinancés (€)", billing.money_fr(cert.cesu_cents)),
            ("Aides APA / PCH (€)", billing.money_fr(cert.aid_cents)),
        ],
        notices=[
            "Montant effectivement payé par vous, déduction faite de l'avance immédiate du "
            "crédit d'impôt et des aides perçues (APA, PCH, CESU préfinancés).",
            *cert.notices,
        ],
    )


async def _mentions(client: Client) -> tuple[list[str], list[str]]:
    agency = await Agency.get(id=client.agency_id)
    m = legal_mentions(agency, client, await client.account)
    return (
        [
            str(m["agency_name"]),
            str(m["agency_address"]),
            _sap(agency.sap_number, agency.sap_declared_on),
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
