"""French texts of the e-mails Passage sends. Plain text; no personal data in subjects."""

from __future__ import annotations

SIGNATURE = (
    "\n\n— Votre agence, via Passage\nCet e-mail est automatique : merci de ne pas y répondre."
)


def verification(first_name: str, link: str) -> tuple[str, str]:
    return (
        "Confirmez votre adresse e-mail",
        f"Bonjour {first_name},\n\nPour activer votre espace client, confirmez votre adresse "
        f"e-mail en ouvrant ce lien (valable 24 heures, utilisable une seule fois) :\n\n{link}\n\n"
        "Si vous n'êtes pas à l'origine de cette inscription, ignorez ce message." + SIGNATURE,
    )


def password_reset(first_name: str, link: str) -> tuple[str, str]:
    return (
        "Réinitialisation de votre mot de passe",
        f"Bonjour {first_name},\n\nUne réinitialisation du mot de passe de votre espace client a "
        f"été demandée. Ce lien est valable 1 heure et ne sert qu'une fois :\n\n{link}\n\n"
        "Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste inchangé."
        + SIGNATURE,
    )


def password_changed(first_name: str) -> tuple[str, str]:
    return (
        "Votre mot de passe a été modifié",
        f"Bonjour {first_name},\n\nLe mot de passe de votre espace client vient d'être modifié "
        "et vos autres appareils ont été déconnectés. Si ce n'est pas vous, réinitialisez "
        "immédiatement votre mot de passe et contactez votre agence." + SIGNATURE,
    )


def new_device(first_name: str, device: str, network: str, when: str) -> tuple[str, str]:
    return (
        "Nouvelle connexion à votre espace client",
        f"Bonjour {first_name},\n\nUne connexion depuis un appareil ou un réseau inhabituel a eu "
        f"lieu le {when} :\n\n  Appareil : {device}\n  Réseau : {network}\n\nSi c'est vous, "
        "aucune action n'est nécessaire. Sinon, changez votre mot de passe et déconnectez cet "
        "appareil depuis la page « Sécurité » de votre espace." + SIGNATURE,
    )


def failed_login_burst(first_name: str, count: int) -> tuple[str, str]:
    return (
        "Tentatives de connexion échouées",
        f"Bonjour {first_name},\n\n{count} tentatives de connexion à votre espace client ont "
        "échoué en quelques minutes. Les connexions sont ralenties temporairement. Si ce n'est "
        "pas vous, nous vous conseillons de changer votre mot de passe." + SIGNATURE,
    )


def password_age(first_name: str, days: int) -> tuple[str, str]:
    return (
        "Pensez à renouveler votre mot de passe",
        f"Bonjour {first_name},\n\nVotre mot de passe a {days} jours. Nous recommandons de le "
        "changer tous les six mois. Votre accès n'est pas bloqué : vous pouvez le faire quand "
        "vous le souhaitez depuis votre espace." + SIGNATURE,
    )


def welcome_staff_created(first_name: str, agency: str) -> tuple[str, str]:
    return (
        "Votre compte Passage a été créé",
        f"Bonjour {first_name},\n\nL'agence {agency} vient de vous créer un compte Passage. "
        "Connectez-vous avec cette adresse e-mail et le mot de passe qui vous a été remis, "
        "puis changez-le dès la première connexion." + SIGNATURE,
    )
