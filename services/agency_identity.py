"""An agency's legal identity: SIRET checksum, and what invoicing needs before it runs.

The mentions an invoice of services à la personne must carry (Code du travail D.7233-1,
arrêté du 17 mars 2015) include the provider's name, address, SAP declaration number and
date; the SIRET identifies the business (Code de commerce R.123-237).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# La Poste's establishments share one SIREN whose SIRETs fail Luhn: INSEE checks them
# with the sum of the digits, a multiple of 5.
LA_POSTE_SIREN = "356000000"


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def siret_ok(siret: str) -> bool:
    """14 digits whose SIREN (first 9) and whole number pass the Luhn checksum."""
    if len(siret) != 14 or not siret.isascii() or not siret.isdigit():
        return False
    if siret.startswith(LA_POSTE_SIREN):
        return sum(int(c) for c in siret) % 5 == 0
    return luhn_ok(siret[:9]) and luhn_ok(siret)


@dataclass(frozen=True)
class Identity:
    """What an agency's row says, as far as invoices are concerned."""

    name: str
    address_line1: str
    postal_code: str
    city: str
    siret: str
    sap_number: str
    sap_declared_on: date | None


# Field name in the API → how an invoice reader calls it.
REQUIRED = (
    ("name", "raison sociale"),
    ("address_line1", "adresse postale"),
    ("postal_code", "code postal"),
    ("city", "ville"),
    ("siret", "SIRET"),
    ("sap_number", "numéro de déclaration SAP"),
    ("sap_declared_on", "date de déclaration SAP"),
)


def missing_for_invoicing(identity: Identity, today: date) -> list[str]:
    """The French names of what is missing or wrong; empty when invoices may be issued."""
    missing = [label for name, label in REQUIRED if not getattr(identity, name)]
    if identity.siret and not siret_ok(identity.siret):
        missing.append("SIRET valide")
    if identity.sap_declared_on and identity.sap_declared_on > today:
        missing.append("date de déclaration SAP passée")
    return missing
