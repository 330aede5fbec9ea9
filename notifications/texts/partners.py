"""What an agency's ADMINs are told about its partners' webhooks (French).

The URL is not quoted whole: it may carry a partner's token in its query string.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from notifications.texts.notice import Notice, letter


def endpoint_disabled(first_name: str, application: str, url: str, hours: float) -> Notice:
    host = urlsplit(url).hostname or "?"
    span = f"{hours:g} heures" if hours != 24 else "une journée"
    return Notice(
        kind="webhook_disabled",
        subject="Un webhook partenaire a été désactivé",
        body=letter(
            first_name,
            f"Les envois de l'application « {application} » vers l'adresse {host} échouent "
            f"depuis {span}. Ce webhook a été désactivé : plus aucun événement ne lui est "
            "envoyé.\n\nUne fois le service du partenaire rétabli, réactivez-le depuis "
            "l'espace d'administration (updateWebhook) ; le partenaire pourra demander le "
            "renvoi des événements manqués à partir de son dernier curseur (replayWebhook).",
        ),
    )
