"""What the URSSAF stand-in remembers and decides: households, payment requests, statuses.

It follows the published contract of the API Tiers de prestation (docs/urssaf.md): a
request is integrated (10), the household is told and has 48 h (20), validates or
refuses, or by silence counts as validated (30); URSSAF debits the household (50) and
pays the provider (70); a request can be cancelled (110), the debit refused (60). Time
is the ledger's own clock, which a test or a demo moves forward.

Some identities are refused on purpose, so that every coded error can be played:
a birth name of INCONNU (ERR_DGFIP_R2P_INCONNU), NONDECLARANT (ERR_DGFIP_IMPOTPART_INCONNU)
or BLOQUE (ERR_COMPTE_BLOQUE); a BIC whose country differs from the IBAN's
(ERR_COORDONNEES_BANCAIRES); the same e-mail and mobile as another household
(ERREUR_REFERENCE_PARTICULIER_EXISTANTE_TYPE).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

VALIDATION_DELAY = timedelta(hours=48)
DEBIT_AFTER = timedelta(days=1)  # after validation
PAID_AFTER = timedelta(days=3)  # after validation
NATURES = frozenset({"10", "20", "30", "40", "50", "60", "70", "80", "90", "100"})
REFUSED_NAMES = {
    "INCONNU": "ERR_DGFIP_R2P_INCONNU",
    "NONDECLARANT": "ERR_DGFIP_IMPOTPART_INCONNU",
    "BLOQUE": "ERR_COMPTE_BLOQUE",
}
LABELS = {
    "10": "Intégrée",
    "20": "En attente de validation",
    "30": "Validée",
    "40": "Refusée",
    "50": "Prélevée",
    "60": "En refus de prélèvement",
    "70": "Payée",
    "110": "Annulée",
}


def _key(body: dict[str, Any]) -> tuple[str, str]:
    """A request's identity: the invoice number, per household (each agency numbers its
    own invoices; the stand-in serves several agencies at once)."""
    return str(body.get("idClient", "")), str(body.get("numFactureTiers", ""))


def error(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message, "description": message}


class Clock:
    """The stand-in's time: real time plus an offset that `advance` moves forward."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


@dataclass
class Request:
    id: str
    client_id: str
    number: str
    body: dict[str, Any]
    created_at: datetime
    status: str = "10"
    told_at: datetime | None = None
    validated_at: datetime | None = None
    rejection: dict[str, str] | None = None
    settled: bool = False  # a final status set by an action, not by time


@dataclass
class Ledger:
    clock: Clock = field(default_factory=Clock)
    client_ids: set[str] = field(default_factory=set)
    households: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: dict[str, Request] = field(default_factory=dict)
    by_number: dict[tuple[str, str], str] = field(default_factory=dict)
    credentials: dict[str, str] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)

    # Enrolment.

    def register(self, body: dict[str, Any]) -> tuple[str | None, list[dict[str, str]]]:
        missing = [
            key
            for key in (
                "civilite",
                "nomNaissance",
                "prenoms",
                "dateNaissance",
                "lieuNaissance",
                "numeroTelephonePortable",
                "adresseMail",
                "adressePostale",
                "coordonneeBancaire",
            )
            if not body.get(key)
        ]
        if missing:
            return None, [error("ERREUR_VALIDATION", f"Champs manquants : {', '.join(missing)}")]
        name = str(body["nomNaissance"]).upper()
        if name in REFUSED_NAMES:
            return None, [error(REFUSED_NAMES[name], "Particulier refusé")]
        bank = body["coordonneeBancaire"]
        if str(bank.get("bic", ""))[4:6].upper() != str(bank.get("iban", ""))[:2].upper():
            return None, [error("ERR_COORDONNEES_BANCAIRES", "Le BIC ou l'IBAN est invalide.")]
        contact = (str(body["adresseMail"]).lower(), str(body["numeroTelephonePortable"]))
        person = (name, str(body["prenoms"]).upper(), str(body["dateNaissance"])[:10])
        for known_id, known in self.households.items():
            if known["contact"] == contact and known["person"] != person:
                return None, [
                    error("ERREUR_REFERENCE_PARTICULIER_EXISTANTE_TYPE", "Couple déjà utilisé")
                ]
            if known["person"] == person:
                return known_id, []  # the same person registered again: the same id
        client_id = f"11{secrets.randbelow(10**12):012d}"
        self.households[client_id] = {
            "contact": contact,
            "person": person,
            "birth": person[2],
        }
        return client_id, []

    # Payment requests.

    def submit(self, body: dict[str, Any]) -> dict[str, Any]:
        number = str(body.get("numFactureTiers", ""))
        problems = self._check(body)
        if problems:
            return {"numFactureTiers": number, "errors": problems}
        request = Request(
            id=str(uuid.uuid4()),
            client_id=str(body["idClient"]),
            number=number,
            body=body,
            created_at=self.clock.now(),
        )
        self.requests[request.id] = request
        self.by_number[_key(body)] = request.id
        return {"idDemandePaiement": request.id, "statut": "10", "numFactureTiers": number}

    def _check(self, body: dict[str, Any]) -> list[dict[str, str]]:
        household = self.households.get(str(body.get("idClient", "")))
        if household is None or household["birth"] != str(body.get("dateNaissanceClient"))[:10]:
            return [error("ERR_PARTICULIER_INCONNU", "Particulier inconnu")]
        if _key(body) in self.by_number:
            return [error("ERR_FACTURE_DOUBLON", "La référence de la facture existe déjà.")]
        lines = body.get("inputPrestations") or []
        if not lines:
            return [error("ERREUR_VALIDATION", "Aucune prestation")]
        cents = Decimal("0.01")
        total = sum(Decimal(str(li["mntPrestationTTC"])) for li in lines)
        if abs(total - Decimal(str(body["mntFactureTTC"]))) >= cents:
            return [error("ERR_TOTAL_PRESTATIONS", "Total des prestations ≠ total facture")]
        for li in lines:
            ttc, ht = Decimal(str(li["mntPrestationTTC"])), Decimal(str(li["mntPrestationHT"]))
            if li.get("codeNature") not in NATURES:
                return [error("ERR_CODE_NATURE", "Code nature inconnu")]
            if abs(ht + Decimal(str(li["mntPrestationTVA"])) - ttc) >= cents:
                return [error("ERR_MNT_PREST_HT_TVA", "HT + TVA ≠ TTC")]
            unit, qty = Decimal(str(li["mntUnitaireTTC"])), Decimal(str(li["quantite"]))
            if abs(unit * qty - ttc) > cents:
                return [error("ERR_MNT_PREST_TTC", "TTC ≠ quantité × prix unitaire")]
        start, end = str(body["dateDebutEmploi"])[:7], str(body["dateFinEmploi"])[:7]
        if start != end:
            return [error("ERR_PERIODE_EMPLOI_MOIS_NON_UNIQUE", "Période sur deux mois")]
        if str(body["dateFinEmploi"])[:10] > self.clock.now().date().isoformat():
            return [error("ERR_DATE_FUTUR", "Période dans le futur")]
        return []

    def settle_by_time(self, request: Request) -> None:
        """What happened since the last look, by the clock alone."""
        now = self.clock.now()
        if request.status == "10":
            request.status, request.told_at = "20", now
        if request.status == "20" and request.told_at and now >= request.told_at + VALIDATION_DELAY:
            request.status = "30"  # silence for 48 h counts as validation
            request.validated_at = request.told_at + VALIDATION_DELAY
        if request.status in ("30", "50") and request.validated_at and not request.settled:
            if now >= request.validated_at + PAID_AFTER:
                request.status = "70"
            elif now >= request.validated_at + DEBIT_AFTER:
                request.status = "50"

    def info(self, request: Request) -> dict[str, Any]:
        self.settle_by_time(request)
        body = request.body
        info: dict[str, Any] = {
            "idDemandePaiement": request.id,
            "idClient": request.client_id,
            "numFactureTiers": request.number,
            "mntFactureTTC": body["mntFactureTTC"],
            "statut": {"code": request.status, "libelle": LABELS.get(request.status, "")},
        }
        if request.rejection:
            info["infoRejet"] = dict(request.rejection)
        if request.status == "70" and request.validated_at:
            paid_on = (request.validated_at + PAID_AFTER).date().isoformat()
            advance = Decimal(str(body["mntFactureTTC"])) / 2
            info["infoVirement"] = {"dateVirement": paid_on, "mntVirement": float(advance)}
        return info

    def search(self, body: dict[str, Any]) -> tuple[int, Any]:
        ids = body.get("idDemandePaiements")
        if ids:
            if len(ids) > 10:
                return 400, [error("ERR_NBRE_MAX_RESULTAT", "10 identifiants au plus")]
            found = [self.requests[i] for i in ids if i in self.requests]
        elif body.get("dateDebut") and body.get("dateFin"):
            start, end = str(body["dateDebut"])[:10], str(body["dateFin"])[:10]
            found = [
                r for r in self.requests.values() if start <= str(r.body["dateFacture"])[:10] <= end
            ][:10]
        else:
            return 400, [error("ERR_CRITERE_RECHERCHE_VIDE", "Aucun critère de recherche")]
        if not found:
            return 404, [error("ERR_RECHERCHE_VIDE", "Aucune demande de paiement")]
        return 200, {"infoDemandePaiements": [self.info(r) for r in found]}

    # What the household (in its URSSAF space) and URSSAF's back office do.

    def act(self, request_id: str, action: str, code: str = "", comment: str = "") -> str | None:
        """Applies an action; returns an error text when it is not possible now."""
        request = self.requests.get(request_id)
        if request is None:
            return "demande inconnue"
        self.settle_by_time(request)
        now, status = self.clock.now(), request.status
        allowed = {
            "validate": {"20"},
            "refuse": {"20"},
            "contest": {"30", "50"},
            "cancel": {"10", "20", "30"},
            "unpaid": {"50"},
            "pay": {"30", "50"},
        }[action]
        if status not in allowed:
            return f"action {action} impossible au statut {status}"
        if action == "validate":
            request.status, request.validated_at = "30", now
            return None
        if action == "pay":
            request.status, request.settled = "70", True
            return None
        request.status = {
            "refuse": "40",
            "contest": "40",
            "cancel": "110",
            "unpaid": "60",
        }[action]
        request.settled = True
        default = {"refuse": "REGUL_AUTRE", "contest": "CONTEST_AUTRE", "cancel": "ANNUL_AUTRE"}
        if action in default:
            request.rejection = {"code": code or default[action], "commentaire": comment}
        return None
