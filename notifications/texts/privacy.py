"""What a household is told about its data: a change of e-mail address, exports, deletion
of its account, inactivity.

These go straight out as plain text (notifications.notify.email_now), whatever the
contact preferences.
"""

from __future__ import annotations

from datetime import date

from notifications.texts.notice import Notice, day, letter


def email_change(first_name: str, link: str) -> Notice:
    """Sent to the new address, whether or not it is taken."""
    return Notice(
        "email_change",
        "Confirmez votre nouvelle adresse e-mail",
        letter(
            first_name,
            "Pour que cette adresse remplace l'actuelle sur votre espace client, ouvrez ce lien "
            f"(valable 24 heures, utilisable une seule fois) :\n\n{link}\n\n"
            "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.",
        ),
    )


def email_changed(first_name: str) -> Notice:
    """Sent to the old address once the new one is confirmed."""
    return Notice(
        "email_changed",
        "Votre adresse e-mail a été modifiée",
        letter(
            first_name,
            "L'adresse e-mail de votre espace client vient d'être remplacée : les prochains "
            "messages iront à la nouvelle adresse. Si ce n'est pas vous, contactez immédiatement "
            "votre agence.",
        ),
    )


def export_ready(first_name: str, link: str, hours: int) -> Notice:
    return Notice(
        "data_export_ready",
        "Votre export de données est prêt",
        letter(
            first_name,
            "L'archive de vos données demandée sur votre espace client est prête. Connectez-vous "
            f"pour la télécharger (disponible {hours} heures) :\n\n{link}",
        ),
    )


def deletion_confirm(first_name: str, link: str) -> Notice:
    return Notice(
        "deletion_confirm",
        "Confirmez la suppression de votre compte",
        letter(
            first_name,
            "Vous avez demandé la suppression de votre compte. Pour la confirmer, ouvrez ce lien "
            f"(valable 24 heures) :\n\n{link}\n\nSans confirmation, rien ne sera supprimé.",
        ),
    )


def deletion_scheduled(first_name: str, on: date, link: str) -> Notice:
    when = day(on)
    return Notice(
        "deletion_scheduled",
        "Suppression de votre compte programmée",
        letter(
            first_name,
            f"Votre compte sera supprimé le {when}. Jusque-là, vous pouvez changer d'avis : "
            f"connectez-vous ici et annulez la suppression :\n\n{link}\n\nLes factures, "
            "paiements et attestations fiscales sont conservés par l'agence pendant la durée "
            "légale (10 ans), en accès restreint.",
        ),
    )


def deletion_cancelled(first_name: str) -> Notice:
    return Notice(
        "deletion_cancelled",
        "Suppression de votre compte annulée",
        letter(
            first_name,
            "La suppression de votre compte est annulée : votre espace client reste ouvert.",
        ),
    )


def inactivity_warning(first_name: str, on: date, link: str) -> Notice:
    when = day(on)
    return Notice(
        "inactivity_warning",
        "Votre compte inactif va être supprimé",
        letter(
            first_name,
            "Votre espace client n'a pas été utilisé depuis longtemps. Sans connexion de votre "
            f"part, il sera supprimé le {when}. Pour le garder, il suffit de vous connecter :"
            f"\n\n{link}",
        ),
    )
