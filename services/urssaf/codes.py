"""URSSAF's codes: payment request statuses, rejection reasons, error codes, service natures.

Sources: URSSAF's "Documentation API Tiers de prestation" (v1.1.7, section 4.3 for the
statuses, 3.3.3 for the answers) as quoted by the CAERP/enDI `sap_urssaf3p` plugin, and
the published list of error codes (docs/urssaf.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from models.enums import AdvanceStatus


@dataclass(frozen=True)
class RequestStatus:
    code: str
    label: str
    advance: AdvanceStatus
    final: bool = False


# Section 4.3 of the API documentation: what a payment request goes through.
STATUSES = {
    s.code: s
    for s in (
        RequestStatus("10", "Intégrée", AdvanceStatus.SENT),
        RequestStatus("20", "En attente de validation", AdvanceStatus.AWAITING_VALIDATION),
        # Validated by the household, or by its silence 48 h after it was told.
        RequestStatus("30", "Validée", AdvanceStatus.VALIDATED),
        RequestStatus("40", "Refusée", AdvanceStatus.REFUSED, final=True),
        RequestStatus("50", "Prélevée", AdvanceStatus.VALIDATED),
        # The household's bank refused the debit: the advance is disputed, not paid.
        RequestStatus("60", "En refus de prélèvement", AdvanceStatus.CONTESTED),
        RequestStatus("70", "Payée", AdvanceStatus.PAID, final=True),
        RequestStatus("110", "Annulée", AdvanceStatus.CANCELLED, final=True),
        RequestStatus("111", "Annulée après impayé", AdvanceStatus.CANCELLED, final=True),
        RequestStatus("112", "Annulée après recouvrement", AdvanceStatus.CANCELLED, final=True),
        RequestStatus("120", "Recouvrée", AdvanceStatus.CANCELLED, final=True),
    )
}

# Why a request was refused, contested or cancelled ("infoRejet.code").
REJECTIONS = {
    "REGUL_MNT_FACT": "Régularisation : montant facturé ou tarif erroné",
    "REGUL_NB_QTE_FACT": "Régularisation : nombre d'heures ou quantités erronés",
    "REGUL_PRESTA_FACT": "Régularisation : prestations facturées erronées",
    "REGUL_AUTRE": "Régularisation : autre motif",
    "CONTEST_ERR_FACT": "Contestation : la facture comporte une erreur",
    "CONTEST_FACT_REGLEE": "Contestation : la facture a déjà été réglée",
    "CONTEST_AUTRE": "Contestation : autre motif",
    "ANNUL_DBL": "Annulation : demande de paiement en doublon",
    "ANNUL_ERR_MNT": "Annulation : montant facturé erroné",
    "ANNUL_ERR_TECH": "Annulation : erreur technique",
    "ANNUL_AUTRE": "Annulation : autre motif",
}

# URSSAF's coded errors, as the person entering the data should read them.
ERRORS = {
    # Enrolment (POST /particulier).
    "ERR_DGFIP_R2P_INCONNU": (
        "identity",
        "L'administration fiscale ne retrouve pas cette personne : vérifiez l'état civil "
        "(nom de naissance, prénoms, date et lieu de naissance).",
    ),
    "ERR_DGFIP_IMPOTPART_INCONNU": (
        "identity",
        "La situation fiscale ne permet pas d'activer l'avance immédiate : le particulier "
        "doit avoir déjà fait une déclaration de revenus.",
    ),
    "ERR_COMPTE_BLOQUE": (
        "identity",
        "Le compte URSSAF de ce particulier est bloqué : l'inscription ne peut pas aboutir.",
    ),
    "ERREUR_REFERENCE_PARTICULIER_EXISTANTE_TYPE": (
        "email",
        "Un autre particulier est déjà inscrit avec ce couple e-mail et téléphone.",
    ),
    "ERR_LIEN_TIERS_PRESTATION_PARTICULIER_EXISTE": (
        "identity",
        "Ce particulier est déjà rattaché à l'agence auprès de l'URSSAF.",
    ),
    "ERR_COORDONNEES_BANCAIRES": ("iban", "L'URSSAF refuse ces coordonnées bancaires (IBAN/BIC)."),
    "ERR_CONTACT": ("mobile", "Téléphone, e-mail ou adresse incomplets ou invalides."),
    "ERR_CONTACT_ADRESSE_COMMUNE": ("communeCode", "La commune de l'adresse est introuvable."),
    "ERR_DATE_NAISSANCE_FUTUR": ("birthDate", "La date de naissance est dans le futur."),
    "ERR_LIEU_NAISSANCE_COMN": (
        "birthCommuneCode",
        "Le code INSEE de la commune de naissance est obligatoire pour une naissance en France.",
    ),
    "ERREUR_LIEU_NAISSANCE_PAYS": (
        "birthCountryCode",
        "Département ou commune de naissance donnés pour une naissance à l'étranger.",
    ),
    "ERREUR_VALIDATION": ("input", "L'URSSAF refuse le format de ces informations."),
    # Payment requests (POST /demandePaiement).
    "ERR_PARTICULIER_INCONNU": (
        "client",
        "L'URSSAF ne reconnaît pas ce particulier (identifiant ou date de naissance).",
    ),
    "ERR_LIEN_PARTICULIER_PRESTATAIRE": (
        "client",
        "Le particulier n'a pas activé son compte URSSAF ou n'est pas rattaché à l'agence.",
    ),
    "ERR_CMPT_BLOQUE": ("client", "Le compte URSSAF du particulier est bloqué."),
    "ERR_FACTURE_DOUBLON": ("invoice", "Une demande existe déjà pour ce numéro de facture."),
    "ERR_TOTAL_PRESTATIONS": ("invoice", "Le total des prestations diffère du total facturé."),
    "ERR_MNT_PREST_HT_TVA": ("invoice", "Montant HT + TVA différent du montant TTC."),
    "ERR_MNT_PREST_TTC": ("invoice", "Montant TTC différent de quantité × prix unitaire."),
    "ERR_CODE_NATURE": ("invoice", "Code nature de prestation inconnu de l'URSSAF."),
    "ERR_PERIODE_EMPLOI_MOIS_NON_UNIQUE": ("invoice", "La période couvre deux mois."),
    "ERR_DATE_FUTUR": ("invoice", "La période d'emploi est dans le futur."),
}


def error_text(code: str, fallback: str = "") -> tuple[str, str]:
    """(field, French message) for an URSSAF error code."""
    known = ERRORS.get(code)
    if known is not None:
        return known
    return "input", f"L'URSSAF a refusé la demande ({code}){': ' + fallback if fallback else ''}."


def rejection_text(code: str, comment: str = "") -> str:
    label = REJECTIONS.get(code, f"Motif {code}" if code else "Motif non précisé")
    return f"{label} – {comment}" if comment else label


# Nature of a service type's SAP activity in URSSAF's referential (article D7231-1 of the
# labour code): "entretien de la maison et travaux ménagers" covers cleaning, ironing
# and windows alike. An activity not listed here is sent as household tasks.
NATURE_OF_ACTIVITY = {"ENTRETIEN_MAISON": "10"}
DEFAULT_NATURE = "10"


def nature_of(sap_activity_code: str) -> str:
    return NATURE_OF_ACTIVITY.get(sap_activity_code, DEFAULT_NATURE)
