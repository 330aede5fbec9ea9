"""What a household is told about its money: invoices, payments, tax certificates and the
immediate advance (French). Amounts as on the documents (services.billing.money_fr).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models.billing.invoices import Invoice
from models.enums import AdvanceStatus
from notifications.texts.notice import Notice, greeted
from services.billing import money_fr


def invoice_issued(
    first_name: str, number: str, month: str, total_cents: int, advance_cents: int, due_cents: int
) -> Notice:
    """`month` as the invoice names it ("mars 2026")."""
    return Notice(
        kind="invoice_issued",
        subject=f"Votre facture {number} est disponible",
        body=greeted(
            first_name,
            f"Votre facture {number} pour {month} est disponible dans votre espace client.\n"
            f"Montant TTC : {money_fr(total_cents)} €\n"
            f"Avance immédiate : {money_fr(advance_cents)} €\n"
            f"Reste à payer : {money_fr(due_cents)} €\n",
        ),
    )


@dataclass(frozen=True)
class Paid:
    """One line of a payment recap."""

    received_on: date
    method: str  # as on the payment statement ("Virement", "CESU préfinancé"…)
    amount_cents: int
    invoice_number: str


def payment_recap(first_name: str, amount_cents: int, month: date, paid: list[Paid]) -> Notice:
    """A payment was received: it and the month's others (`paid`, oldest first)."""
    lines = [
        f"- {row.received_on:%d/%m/%Y} · {row.method} · {money_fr(row.amount_cents)} € · "
        f"facture {row.invoice_number}"
        for row in paid
    ]
    total = sum(row.amount_cents for row in paid)
    return Notice(
        kind="payment_recap",
        subject=f"Paiement reçu : {money_fr(amount_cents)} €",
        body=greeted(
            first_name,
            f"Nous avons bien reçu votre paiement de {money_fr(amount_cents)} €.\n"
            f"Récapitulatif de vos paiements de {month:%m/%Y} :\n"
            + "\n".join(lines)
            + f"\nTotal du mois : {money_fr(total)} €\n",
        ),
    )


def certificate_published(
    first_name: str, year: int, declarable_cents: int, advance_cents: int
) -> Notice:
    return Notice(
        kind="tax_certificate",
        subject=f"Votre attestation fiscale {year} est disponible",
        body=greeted(
            first_name,
            f"Votre attestation fiscale {year} est disponible dans votre espace client. "
            f"Montant payé ouvrant droit au crédit d'impôt : {money_fr(declarable_cents)} €, "
            f"dont avance immédiate reçue : {money_fr(advance_cents)} €.\n",
        ),
    )


def certificate_corrected(
    first_name: str, year: int, version: int, declarable_cents: int, advance_cents: int
) -> Notice:
    return Notice(
        kind="tax_certificate_corrected",
        subject=f"Votre attestation fiscale {year} est rectifiée",
        body=greeted(
            first_name,
            f"Une facture de {year} a changé après la publication de votre attestation fiscale : "
            f"sa version rectifiée (n° {version}) remplace la précédente. Montant ouvrant droit "
            f"au crédit d'impôt : {money_fr(declarable_cents)} €, dont avance immédiate reçue : "
            f"{money_fr(advance_cents)} €. Si vous avez déjà déclaré vos revenus, corrigez votre "
            "déclaration en ligne.\n",
        ),
    )


# The steps of an invoice's immediate advance a household hears of, as URSSAF reports them:
# subject, body and SMS ("" for none).
_ADVANCE_STEPS = {
    AdvanceStatus.AWAITING_VALIDATION: (
        "Avance immédiate : validez la demande de la facture {number}",
        "L'URSSAF vous a transmis la demande de paiement de la facture {number} "
        "({advance} € d'avance immédiate).\nValidez la demande dans votre espace URSSAF "
        "sous 48 h ; sans réponse de votre part, elle sera validée automatiquement.",
        "Passage : validez la demande dans votre espace URSSAF sous 48 h (facture {number}).",
    ),
    AdvanceStatus.VALIDATED: (
        "Avance immédiate validée : facture {number}",
        "La demande de paiement de la facture {number} est validée : l'URSSAF règle "
        "{advance} € pour vous, il vous reste {due} € à payer.",
        "",
    ),
    AdvanceStatus.REFUSED: (
        "Avance immédiate refusée : facture {number}",
        "La demande de paiement de la facture {number} a été refusée{reason}.\n"
        "Le montant de l'avance ({advance} €) reste à votre charge ; votre conseiller "
        "revient vers vous.",
        "Passage : l'avance immédiate de la facture {number} a été refusée.",
    ),
    AdvanceStatus.CONTESTED: (
        "Avance immédiate contestée : facture {number}",
        "La demande de paiement de la facture {number} est contestée{reason}.\n"
        "Votre conseiller revient vers vous.",
        "",
    ),
    AdvanceStatus.CANCELLED: (
        "Avance immédiate annulée : facture {number}",
        "La demande de paiement de la facture {number} a été annulée{reason}.\n"
        "Le montant de l'avance ({advance} €) reste à votre charge.",
        "",
    ),
    AdvanceStatus.PAID: (
        "Avance immédiate versée : facture {number}",
        "L'URSSAF a versé l'avance immédiate de la facture {number} ({advance} €).",
        "",
    ),
}
# How a refused, cancelled or contested advance is named, in a notice and on the
# corrective invoice that bills it to the household.
ADVANCE_WORDS = {
    AdvanceStatus.REFUSED: "refusée",
    AdvanceStatus.CANCELLED: "annulée",
    AdvanceStatus.CONTESTED: "contestée",
}


def advance_step(
    first_name: str, invoice: Invoice, status: AdvanceStatus, reason: str = ""
) -> Notice | None:
    """The advance moved without a document: the URSSAF step itself, or None when the
    household need not hear of it."""
    text = _ADVANCE_STEPS.get(status)
    if text is None:
        return None
    values = {
        "number": invoice.number,
        "advance": money_fr(invoice.advance_cents),
        "due": money_fr(invoice.amount_due_cents),
        "reason": f" ({reason})" if reason else "",
    }
    subject, body, sms = (part.format(**values) for part in text)
    return Notice(
        kind=f"advance_{status.lower()}",
        subject=subject,
        body=greeted(first_name, f"{body}\n"),
        sms=sms,
    )


def advance_billed(
    first_name: str, invoice: Invoice, status: AdvanceStatus, correction: Invoice
) -> Notice:
    """URSSAF will not pay the advance: a corrective invoice bills it to the household."""
    subject = f"Avance immédiate {ADVANCE_WORDS[status]} : facture {correction.number}"
    reason = f" ({invoice.advance_reason})" if invoice.advance_reason else ""
    body = (
        f"L'avance immédiate de {money_fr(invoice.advance_cents)} € de votre facture "
        f"{invoice.number} a été {ADVANCE_WORDS[status]}{reason}. Ce montant est désormais à "
        f"votre charge : facture rectificative {correction.number}, à régler avant le "
        f"{correction.due_on:%d/%m/%Y}."
    )
    return Notice("advance_status", subject, greeted(first_name, f"{body}\n"), sms=subject)


def advance_refunded(first_name: str, invoice: Invoice, closing: Invoice) -> Notice:
    """URSSAF paid after all: a credit note cancels the corrective invoice."""
    subject = f"Avance immédiate versée : avoir {closing.number}"
    body = (
        f"L'URSSAF a finalement versé l'avance immédiate de {money_fr(invoice.advance_cents)} € "
        f"de votre facture {invoice.number}. L'avoir {closing.number} annule la facture "
        "rectificative."
    )
    return Notice("advance_status", subject, greeted(first_name, f"{body}\n"), sms=subject)
