"""French texts of the e-mails about a household's data. No personal data in subjects."""

from __future__ import annotations

from notifications.emails import SIGNATURE


def email_change(first_name: str, link: str) -> tuple[str, str]:
    return (
        "Confirmez votre nouvelle adresse e-mail",
        f"Bonjour {first_name},\n\nPour que cette adresse remplace l'actuelle sur votre espace "
        f"client, ouvrez ce lien (valable 24 heures, utilisable une seule fois) :\n\n{link}\n\n"
        "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message." + SIGNATURE,
    )


def email_changed_notice(first_name: str) -> tuple[str, str]:
    return (
        "Votre adresse e-mail a été modifiée",
        f"Bonjour {first_name},\n\nL'adresse e-mail de votre espace client vient d'être "
        "remplacée : les prochains messages iront à la nouvelle adresse. Si ce n'est pas vous, "
        "contactez immédiatement votre agence." + SIGNATURE,
    )


def export_ready(first_name: str, link: str, hours: int) -> tuple[str, str]:
    return (
        "Votre export de données est prêt",
        f"Bonjour {first_name},\n\nL'archive de vos données demandée sur votre espace client est "
        f"prête. Connectez-vous pour la télécharger (disponible {hours} heures) :\n\n{link}"
        + SIGNATURE,
    )


def deletion_confirm(first_name: str, link: str) -> tuple[str, str]:
    return (
        "Confirmez la suppression de votre compte",
        f"Bonjour {first_name},\n\nVous avez demandé la suppression de votre compte. Pour la "
        f"confirmer, ouvrez ce lien (valable 24 heures) :\n\n{link}\n\nSans confirmation, rien "
        "ne sera supprimé." + SIGNATURE,
    )


def deletion_scheduled(first_name: str, when: str, link: str) -> tuple[str, str]:
    return (
        "Suppression de votre compte programmée",
        f"Bonjour {first_name},\n\nVotre compte sera supprimé le {when}. Jusque-là, vous pouvez "
        f"changer d'avis : connectez-vous ici et annulez la suppression :\n\n{link}\n\nLes "
        "factures, paiements et attestations fiscales sont conservés par l'agence pendant la "
        "durée légale (10 ans), en accès restreint." + SIGNATURE,
    )


def deletion_cancelled(first_name: str) -> tuple[str, str]:
    return (
        "Suppression de votre compte annulée",
        f"Bonjour {first_name},\n\nLa suppression de votre compte est annulée : votre espace "
        "client reste ouvert." + SIGNATURE,
    )


def inactivity_warning(first_name: str, when: str, link: str) -> tuple[str, str]:
    return (
        "Votre compte inactif va être supprimé",
        f"Bonjour {first_name},\n\nVotre espace client n'a pas été utilisé depuis longtemps. "
        f"Sans connexion de votre part, il sera supprimé le {when}. Pour le garder, il suffit "
        f"de vous connecter :\n\n{link}" + SIGNATURE,
    )
