"""What a household is told when the agency decides on one of its requests (French)."""

from __future__ import annotations

from models.enums import ChangeRequestKind, NotificationTopic
from notifications.texts.notice import Notice, letter

TOPIC = NotificationTopic.REQUEST_DECISION

WHAT = {
    ChangeRequestKind.EXTRA_VISIT: "d'intervention supplémentaire",
    ChangeRequestKind.SERVICE_CHANGE: "de changement de prestation",
    ChangeRequestKind.NEW_SLOT: "de changement de créneau",
    ChangeRequestKind.NEW_DURATION: "de changement de durée",
    ChangeRequestKind.CANCELLATION: "d'annulation",
    ChangeRequestKind.PLAN_CHANGE: "de changement de planning",
}


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
        body=letter(first_name, f"{sentence}\n{detail}".rstrip()),
        sms=f"{sentence} {detail}".strip(),
    )
