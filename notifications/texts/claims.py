"""What a household is told at each step of its damage claim, and of its call-back (French).

No description of the damage is sent: e-mail is read on shared screens; the link
leads to the household's space.
"""

from __future__ import annotations

from models.enums import CallbackOutcome, ClaimStatus
from notifications.emails import SIGNATURE
from notifications.texts.requests import Notice
from services.billing import money_fr

STEP = {
    ClaimStatus.REPORTED: "Nous avons bien reçu votre déclaration de sinistre.",
    ClaimStatus.ACKNOWLEDGED: "Votre agence a pris en charge votre déclaration de sinistre.",
    ClaimStatus.INVESTIGATING: "Votre déclaration de sinistre est en cours d'examen.",
    ClaimStatus.REPAIRED: "Votre sinistre est clos : le dommage a été réparé.",
    ClaimStatus.REIMBURSED: "Votre sinistre est clos par un remboursement.",
    ClaimStatus.DECLINED: "Votre déclaration de sinistre n'a pas été acceptée.",
}


def claim_step(
    first_name: str,
    status: ClaimStatus,
    link: str,
    *,
    insurer_reference: str = "",
    reimbursed_cents: int | None = None,
    reason: str = "",
) -> Notice:
    lines = [STEP[status]]
    if insurer_reference:
        lines.append(f"Référence de l'assureur : {insurer_reference}.")
    if reimbursed_cents is not None:
        lines.append(f"Montant remboursé : {money_fr(reimbursed_cents)} €.")
    if reason:
        lines.append(f"Motif : {reason}")
    text = "\n".join(lines)
    return Notice(
        kind=f"claim_{status.value.lower()}",
        subject="Votre déclaration de sinistre",
        body=f"Bonjour {first_name},\n\n{text}\n\nLe détail est dans votre espace client :\n"
        f"{link}{SIGNATURE}",
        sms=f"{STEP[status]} Détail dans votre espace client.",
    )


OUTCOME = {
    CallbackOutcome.RESOLVED: "Merci pour cet échange : votre demande est traitée.",
    CallbackOutcome.FOLLOW_UP: "Merci pour cet échange : votre conseiller revient vers vous.",
    CallbackOutcome.NO_ANSWER: "Votre conseiller a tenté de vous rappeler, sans succès.",
}


def callback_taken(first_name: str, due: str) -> Notice:
    sentence = f"Votre demande de rappel est enregistrée : un conseiller vous appelle d'ici {due}."
    return Notice(
        kind="callback_requested",
        subject="Votre demande de rappel",
        body=f"Bonjour {first_name},\n\n{sentence}{SIGNATURE}",
        sms=sentence,
    )


def callback_logged(first_name: str, outcome: CallbackOutcome) -> Notice:
    return Notice(
        kind=f"callback_{outcome.value.lower()}",
        subject="Votre demande de rappel",
        body=f"Bonjour {first_name},\n\n{OUTCOME[outcome]}{SIGNATURE}",
        sms=OUTCOME[outcome],
    )
