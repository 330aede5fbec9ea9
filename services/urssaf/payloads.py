"""The JSON bodies of the API Tiers de prestation, built from our rows.

Field names and formats follow URSSAF's InputParticulierDTO and InputDemandePaiement
(see docs/urssaf.md): dates as `YYYY-MM-DDT00:00:00Z`, amounts in euros with two
decimals, the unit price with three so that quantity × unit price gives the line's
amount including tax.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from models.billing.urssaf import UrssafEnrolment
from services.urssaf.codes import nature_of
from services.urssaf.identity import FRANCE, national_mobile


def urssaf_date(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def euros(cents: int) -> float:
    return float(Decimal(cents) / 100)


def birth_department(commune: str) -> str:
    """The department on three characters: 75056 → 075, 2A004 → 02A, 97411 → 974."""
    commune = commune.upper()
    return commune[:3] if commune.startswith("97") else f"0{commune[:2]}"


def birth_commune(commune: str) -> str:
    """The commune's three-digit part. Overseas, URSSAF's documented workaround: the
    commune part of 97411 is sent as 011 (its first digit replaced by 0)."""
    commune = commune.upper()
    return f"0{commune[3:]}" if commune.startswith("97") else commune[2:]


def household(enrolment: UrssafEnrolment, iban: str) -> dict[str, Any]:
    """POST /particulier."""
    birth_place: dict[str, Any] = {"codePaysNaissance": enrolment.birth_country_code}
    if enrolment.birth_country_code == FRANCE:
        birth_place["departementNaissance"] = birth_department(enrolment.birth_commune_code)
        birth_place["communeNaissance"] = {
            "codeCommune": birth_commune(enrolment.birth_commune_code),
            "libelleCommune": enrolment.birth_commune_label,
        }
    address: dict[str, Any] = {
        "codePays": FRANCE,
        "codePostal": enrolment.postal_code,
        "codeCommune": enrolment.commune_code.upper(),
        "libelleCommune": enrolment.commune_label,
    }
    if enrolment.street_number:
        address["numeroVoie"] = enrolment.street_number
    if enrolment.street_name:
        address["libelleVoie"] = enrolment.street_name
    if enrolment.address_complement:
        address["complement"] = enrolment.address_complement
    body: dict[str, Any] = {
        "civilite": enrolment.civility,
        "nomNaissance": enrolment.birth_name,
        "prenoms": enrolment.first_names,
        "dateNaissance": urssaf_date(enrolment.birth_date),
        "lieuNaissance": birth_place,
        "numeroTelephonePortable": national_mobile(enrolment.mobile),
        "adresseMail": enrolment.email,
        "adressePostale": address,
        "coordonneeBancaire": {
            "bic": enrolment.bic,
            "iban": iban,
            "titulaire": enrolment.account_holder,
        },
    }
    if enrolment.usage_name:
        body["nomUsage"] = enrolment.usage_name
    return body


@dataclass(frozen=True)
class ServiceLine:
    service_date: date
    minutes: int
    excl_cents: int
    vat_cents: int
    incl_cents: int
    sap_activity_code: str


@dataclass(frozen=True)
class RequestFacts:
    urssaf_client_id: str
    birth_date: date
    biller_id: str
    invoice_number: str
    issued_on: date
    lines: list[ServiceLine]


def _line(line: ServiceLine) -> dict[str, Any]:
    hours = (Decimal(line.minutes) / 60).quantize(Decimal("0.01"), ROUND_HALF_UP)
    incl = Decimal(line.incl_cents) / 100
    unit = (incl / hours).quantize(Decimal("0.001"), ROUND_HALF_UP) if hours else incl
    return {
        "codeNature": nature_of(line.sap_activity_code),
        "quantite": float(hours),
        "unite": "HEURE",
        "mntUnitaireTTC": float(unit),
        "mntPrestationTTC": euros(line.incl_cents),
        "mntPrestationHT": euros(line.excl_cents),
        "mntPrestationTVA": euros(line.vat_cents),
        "dateDebutEmploi": urssaf_date(line.service_date),
        "dateFinEmploi": urssaf_date(line.service_date),
    }


def payment_request(facts: RequestFacts) -> dict[str, Any]:
    """One element of POST /demandePaiement: the services of the invoice that open the
    right to the advance, with their totals."""
    lines = facts.lines
    return {
        # URSSAF: required by the contract but not used; the agency's SIRET is sent.
        "idTiersFacturation": facts.biller_id,
        "idClient": facts.urssaf_client_id,
        "dateNaissanceClient": urssaf_date(facts.birth_date),
        "numFactureTiers": facts.invoice_number,
        "dateFacture": urssaf_date(facts.issued_on),
        "dateDebutEmploi": urssaf_date(min(li.service_date for li in lines)),
        "dateFinEmploi": urssaf_date(max(li.service_date for li in lines)),
        "mntFactureTTC": euros(sum(li.incl_cents for li in lines)),
        "mntFactureHT": euros(sum(li.excl_cents for li in lines)),
        "inputPrestations": [_line(li) for li in lines],
    }
