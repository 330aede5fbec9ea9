"""What an invoice, a credit note or a corrective invoice says, mention by mention.

Mentions of an invoice of services à la personne (Code du travail art. D.7233-1 and the
arrêté du 17 mars 2015 on the invoices of SAP providers): the provider's name, address,
SAP declaration number and date; the household's name and address; the exact nature of
each service; the worker's identification number; the time spent; the hourly price
including tax (or the flat price); travel costs when billed, on their own line; the VAT
rate; in mandataire mode, the agency's fees apart; the sums actually paid.
"""

from __future__ import annotations

from models.billing.invoices import Invoice, InvoiceLine
from models.enums import InvoiceKind, ServiceMode
from services import billing
from services.documents import Document

MODE_LABELS = {
    ServiceMode.PRESTATAIRE: "Mode prestataire : l'agence est l'employeur de l'intervenant et "
    "vous facture la prestation.",
    ServiceMode.MANDATAIRE: "Mode mandataire : vous êtes l'employeur de l'intervenant (salaire "
    "et cotisations à votre charge) ; l'agence, votre mandataire, facture ses seuls frais de "
    "gestion.",
}
LATE_NOTICE = (
    "Annulation tardive : une intervention annulée dans le délai de prévenance est facturée "
    "selon sa durée prévue. Aucun service n'ayant été rendu, ce montant n'ouvre pas droit "
    "au crédit d'impôt ni à l'avance immédiate."
)
TRAVEL_NOTICE = (
    "Frais de déplacement facturés avec une prestation ouvrant droit au crédit d'impôt : ils "
    "en suivent le régime (BOI-IR-RICI-150-20)."
)
TAX_CREDIT_NOTICE = (
    "Les sommes versées au titre des services à la personne ouvrent droit à un crédit "
    "d'impôt de 50 % (article 199 sexdecies du CGI), dans la limite des plafonds annuels."
)
VAT_EXEMPT_NOTICE = "TVA non applicable, art. 293 B du CGI."
COLUMNS = [
    "Date",
    "Horaires",
    "Prestation",
    "Lieu",
    "Intervenant",
    "Heures",
    "Prix HT/h",
    "Prix TTC/h",
    "TVA",
    "Montant HT",
    "Montant TTC",
]
WIDTHS = (18, 18, 34, 46, 38, 16, 16, 16, 12, 18, 18)
TITLES = {
    InvoiceKind.INVOICE: "Facture",
    InvoiceKind.CREDIT_NOTE: "Avoir",
    InvoiceKind.CORRECTION: "Facture rectificative",
}


def sap_text(number: str, declared_on: object) -> str:
    when = f" du {declared_on:%d/%m/%Y}" if declared_on else ""
    return f"Déclaration SAP n° {number or 'non renseigné'}{when}"


def incl_rate(line: InvoiceLine) -> int:
    return billing.div_half_up(line.hourly_rate_cents * (10_000 + line.vat_rate_bp), 10_000)


def row_of(line: InvoiceLine) -> list[str]:
    flat = line.travel
    hours = "forfait" if flat else billing.hours_text(line.minutes)
    return [
        f"{line.service_date:%d/%m/%Y}",
        f"{line.start_time}-{line.end_time}",
        line.label,
        line.place,
        f"{line.worker_name} (matricule {line.employee_number})",
        hours + (" (prévu)" if line.planned_duration else ""),
        billing.money_fr(line.hourly_rate_cents),
        billing.money_fr(incl_rate(line)),
        f"{billing.money_fr(line.vat_rate_bp)} %",
        billing.money_fr(line.excl_cents),
        billing.money_fr(line.incl_cents),
    ]


def header_of(invoice: Invoice) -> list[str]:
    header = [
        invoice.agency_name,
        invoice.agency_address,
        sap_text(invoice.sap_number, invoice.sap_declared_on),
    ]
    if invoice.siret:
        header.append(f"SIRET {invoice.siret}")
    return header


def totals_of(invoice: Invoice, lines: list[InvoiceLine]) -> list[tuple[str, str]]:
    money = billing.money_fr
    totals = [
        ("Total HT (€)", money(invoice.total_excl_cents)),
        ("TVA (€)", money(invoice.vat_cents)),
        ("Total TTC (€)", money(invoice.total_incl_cents)),
    ]
    travel = sum(line.incl_cents for line in lines if line.travel)
    if travel:
        totals.append(("dont frais de déplacement TTC (€)", money(travel)))
    totals += [
        ("Montant éligible au crédit d'impôt (€)", money(invoice.eligible_cents)),
        ("Avance immédiate du crédit d'impôt (€)", money(invoice.advance_cents)),
        ("Montant à votre charge (€)", money(invoice.amount_due_cents)),
        ("Déjà payé (€)", money(invoice.paid_cents)),
        ("Reste à payer (€)", money(invoice.amount_due_cents - invoice.paid_cents)),
    ]
    return totals


def notices_of(invoice: Invoice, lines: list[InvoiceLine]) -> list[str]:
    notices = [invoice.advance_note] if invoice.advance_note else []
    notices.append(TAX_CREDIT_NOTICE)
    if invoice.vat_exempt:
        notices.append(VAT_EXEMPT_NOTICE)
    if any(line.travel and line.tax_credit_eligible for line in lines):
        notices.append(TRAVEL_NOTICE)
    if any(line.late_cancellation for line in lines):
        notices.append(LATE_NOTICE)
    return notices


async def invoice_document(invoice: Invoice) -> Document:
    kind = InvoiceKind(invoice.kind)
    parties = [
        f"Date : {invoice.issued_on:%d/%m/%Y}",
        f"Client : {invoice.client_name} (n° {invoice.client_number})",
        f"Adresse : {invoice.client_address}",
        f"Période : du {invoice.period_start:%d/%m/%Y} au {invoice.period_end:%d/%m/%Y}",
        MODE_LABELS[ServiceMode(invoice.service_mode)],
    ]
    if kind is not InvoiceKind.INVOICE:
        original = await Invoice.get(id=invoice.credited_invoice_id)
        if kind is InvoiceKind.CREDIT_NOTE:
            parties.append(f"Avoir sur la facture {original.number} : {invoice.credit_reason}")
        else:
            parties.append(f"Rectifie la facture {original.number} : {invoice.credit_reason}")
    if kind is not InvoiceKind.CREDIT_NOTE:
        parties.append(f"Échéance : {invoice.due_on:%d/%m/%Y}")
    later = await Invoice.filter(credited_invoice_id=invoice.id).order_by("id")
    for document in later:
        what = TITLES[InvoiceKind(document.kind)].lower()
        parties.append(f"Voir la {what} {document.number} du {document.issued_on:%d/%m/%Y}.")
    lines = list(await InvoiceLine.filter(invoice_id=invoice.id).order_by("position"))
    return Document(
        title=f"{TITLES[kind]} {invoice.number}",
        filename=invoice.number,
        header=header_of(invoice),
        parties=parties,
        columns=COLUMNS if lines else [],
        rows=[row_of(line) for line in lines],
        totals=totals_of(invoice, lines),
        notices=notices_of(invoice, lines),
        widths=WIDTHS,
    )
