"""What a person is told about their account: sign-up, password, sign-ins.

These go straight out as plain text (notifications.notify.email_now), whatever the
contact preferences: they carry single-use links or warn of a risk.
"""

from __future__ import annotations

from datetime import UTC, datetime

from notifications.texts.notice import Notice, letter


def verification(first_name: str, link: str) -> Notice:
    return Notice(
        "verify_email",
        "Confirmez votre adresse e-mail",
        letter(
            first_name,
            "Pour activer votre espace client, confirmez votre adresse e-mail en ouvrant ce lien "
            f"(valable 24 heures, utilisable une seule fois) :\n\n{link}\n\n"
            "Si vous n'êtes pas à l'origine de cette inscription, ignorez ce message.",
        ),
    )


def signup_existing(first_name: str, login_link: str) -> Notice:
    """Someone signed up with an address that has an account: only its owner is told."""
    return Notice(
        "signup_existing",
        "Tentative d'inscription avec votre adresse",
        letter(
            first_name,
            "Quelqu'un a tenté de créer un espace client avec votre adresse e-mail, qui a déjà "
            "un compte. Si c'était vous, connectez-vous ou utilisez « mot de passe oublié » : "
            f"{login_link}",
        ),
    )


def welcome_staff_created(first_name: str, agency: str) -> Notice:
    return Notice(
        "welcome_worker",
        "Votre compte Passage a été créé",
        letter(
            first_name,
            f"L'agence {agency} vient de vous créer un compte Passage. Connectez-vous avec cette "
            "adresse e-mail et le mot de passe qui vous a été remis, puis changez-le dès la "
            "première connexion.",
        ),
    )


def password_reset(first_name: str, link: str) -> Notice:
    return Notice(
        "password_reset",
        "Réinitialisation de votre mot de passe",
        letter(
            first_name,
            "Une réinitialisation du mot de passe de votre espace client a été demandée. Ce lien "
            f"est valable 1 heure et ne sert qu'une fois :\n\n{link}\n\n"
            "Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste inchangé.",
        ),
    )


def password_changed(first_name: str) -> Notice:
    return Notice(
        "password_changed",
        "Votre mot de passe a été modifié",
        letter(
            first_name,
            "Le mot de passe de votre espace client vient d'être modifié et vos autres appareils "
            "ont été déconnectés. Si ce n'est pas vous, réinitialisez immédiatement votre mot de "
            "passe et contactez votre agence.",
        ),
    )


def password_age(first_name: str, days: int) -> Notice:
    return Notice(
        "password_age",
        "Pensez à renouveler votre mot de passe",
        letter(
            first_name,
            f"Votre mot de passe a {days} jours. Nous recommandons de le changer tous les six "
            "mois. Votre accès n'est pas bloqué : vous pouvez le faire quand vous le souhaitez "
            "depuis votre espace.",
        ),
    )


def new_device(first_name: str, device: str, network: str, at: datetime) -> Notice:
    when = at.astimezone(UTC).strftime("%d/%m/%Y à %H:%M UTC")
    return Notice(
        "new_device",
        "Nouvelle connexion à votre espace client",
        letter(
            first_name,
            f"Une connexion depuis un appareil ou un réseau inhabituel a eu lieu le {when} :\n\n"
            f"  Appareil : {device}\n  Réseau : {network}\n\nSi c'est vous, aucune action n'est "
            "nécessaire. Sinon, changez votre mot de passe et déconnectez cet appareil depuis la "
            "page « Sécurité » de votre espace.",
        ),
    )


def failed_login_burst(first_name: str, count: int) -> Notice:
    return Notice(
        "failed_login_burst",
        "Tentatives de connexion échouées",
        letter(
            first_name,
            f"{count} tentatives de connexion à votre espace client ont échoué en quelques "
            "minutes. Les connexions sont ralenties temporairement. Si ce n'est pas vous, nous "
            "vous conseillons de changer votre mot de passe.",
        ),
    )
