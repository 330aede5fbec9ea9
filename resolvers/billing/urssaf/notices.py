"""What a household is told when its invoice's immediate advance moves."""

from __future__ import annotations

from models.billing.invoices import Invoice
from models.enums import AdvanceStatus
from notifications.notify import Notification
from services import billing

_TEXTS = {
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


def advance_notification(
    invoice: Invoice, status: AdvanceStatus, first_name: str, reason: str = ""
) -> Notification | None:
    """The message for `status`, or None when the household need not hear of it."""
    text = _TEXTS.get(status)
    if text is None:
        return None
    values = {
        "number": invoice.number,
        "advance": billing.money_fr(invoice.advance_cents),
        "due": billing.money_fr(invoice.amount_due_cents),
        "reason": f" ({reason})" if reason else "",
    }
    subject, body, sms = (part.format(**values) for part in text)
    return Notification(
        kind=f"advance_{status.lower()}",
        subject=subject,
        body=f"Bonjour {first_name},\n\n{body}\n",
        sms=sms,
    )
