"""What a household is told when the agency decides on one of its requests (French)."""

from __future__ import annotations

from dataclasses import dataclass

from models.enums import ChangeRequestKind, NotificationTopic
from notifications.emails import SIGNATURE

TOPIC = NotificationTopic.REQUEST_DECISION

WHAT = {
    ChangeRequestKind.EXTRA_VISIT: "d'intervention supplémentaire",
    ChangeRequestKind.SERVICE_CHANGE: "de changement de prestation",
    ChangeRequestKind.NEW_SLOT: "de changement de créneau",
    ChangeRequestKind.NEW_DURATION: "de changement de durée",
    ChangeRequestKind.CANCELLATION: "d'annulation",
    ChangeRequestKind.PLAN_CHANGE: "de changement de planning",
}


@dataclass(frozen=True)
class Notice:
    kind: str
    subject: str
    body: str
    sms: str


def decision(first_name: str, kind: ChangeRequestKind, approved: bool, reason: str) -> Notice:
    what = WHAT[kind]
    if approved:
        sentence = f"Votre demande {what} a été acceptée."
        detail = "Votre planning est à jour dans votre espace client."
    else:
        sentence = f"Votre demande {what} n'a pas pu être acceptée."
        detail = f"Motif : {reason}" if reason else ""
    return Notice(
        kind="request_approved" if approved else "request_rejected",
        subject="Réponse à votre demande",
        body=f"Bonjour {first_name},\n\n{sentence}\n{detail}".rstrip() + SIGNATURE,
        sms=f"{sentence} {detail}".strip(),
    )
