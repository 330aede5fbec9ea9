"""Editing an agency's legal identity (ADMIN, or `passage update-agency`) and checking it.

Invoicing reads `missing()` first: an agency whose identity is incomplete issues nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from models.accounts.people import Agency
from models.enums import VatRegime
from resolvers.core import guards
from resolvers.core.errors import BadInput, UserError, user_error
from resolvers.core.runtime import Viewer
from services import agency_identity, identity
from services.clock import today_in

# Field → (API name, longest text).
TEXTS = {
    "name": ("name", 200),
    "legal_name": ("legalName", 200),
    "address_line1": ("addressLine1", 200),
    "address_line2": ("addressLine2", 200),
    "city": ("city", 100),
    "sap_number": ("sapNumber", 40),
}
OLDEST_DECLARATION = date(1990, 1, 1)


@dataclass(frozen=True)
class IdentityData:
    """What to change; None leaves a field as it is, "" clears an optional one."""

    name: str | None = None
    legal_name: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    phone: str | None = None
    email: str | None = None
    siret: str | None = None
    sap_number: str | None = None
    sap_declared_on: date | None = None
    vat_regime: VatRegime | None = None


@dataclass(frozen=True)
class IdentityResult:
    agency: Agency | None
    user_errors: list[UserError]


def agency_today(agency: Agency) -> date:
    return today_in(agency.time_zone)


def _clean(data: IdentityData, today: date) -> tuple[dict[str, Any], list[UserError]]:
    values: dict[str, Any] = {}
    errors: list[UserError] = []
    for name, (api_name, longest) in TEXTS.items():
        raw = getattr(data, name)
        if raw is None:
            continue
        text = identity.clean_text(raw, longest) if raw.strip() else ""
        if text is None or (not text and name == "name"):
            errors.append(user_error(api_name, f"1 à {longest} caractères.", "INVALID"))
        else:
            values[name] = text
    if data.postal_code is not None:
        code = data.postal_code.strip()
        if code and not identity.is_french_postal_code(code):
            errors.append(user_error("postalCode", "Code postal invalide.", "INVALID"))
        values["postal_code"] = code
    if data.phone is not None:
        phone = identity.normalize_phone(data.phone) if data.phone.strip() else ""
        if phone is None:
            errors.append(user_error("phone", "Numéro de téléphone invalide.", "INVALID_PHONE"))
        values["phone"] = phone or ""
    if data.email is not None:
        email = identity.normalize_email(data.email) if data.email.strip() else ""
        if email is None:
            errors.append(user_error("email", "Adresse e-mail invalide.", "INVALID_EMAIL"))
        values["email"] = email or ""
    if data.siret is not None:
        siret = "".join(data.siret.split())
        if siret and not agency_identity.siret_ok(siret):
            message = "SIRET invalide (14 chiffres, clé de contrôle)."
            errors.append(user_error("siret", message, "INVALID_SIRET"))
        values["siret"] = siret
    if data.sap_declared_on is not None:
        if data.sap_declared_on > today:
            errors.append(
                user_error(
                    "sapDeclaredOn", "La date de déclaration ne peut être future.", "FUTURE_DATE"
                )
            )
        elif data.sap_declared_on < OLDEST_DECLARATION:
            errors.append(user_error("sapDeclaredOn", "Date invalide.", "INVALID_DATE"))
        values["sap_declared_on"] = data.sap_declared_on
    if data.vat_regime is not None:
        values["vat_regime"] = data.vat_regime
    return values, errors


def check(data: IdentityData, today: date) -> list[UserError]:
    """The user errors `update` would return, without a database (command-line set-up)."""
    return _clean(data, today)[1]


async def update(agency_id: int, data: IdentityData) -> IdentityResult:
    """Validates everything first; stores nothing unless every field is right."""
    agency = await Agency.get_or_none(id=agency_id)
    if agency is None:
        return IdentityResult(None, [user_error("agencyId", "Agence inconnue.", "NOT_FOUND")])
    values, errors = _clean(data, agency_today(agency))
    if errors:
        return IdentityResult(None, errors)
    if values:
        await Agency.filter(id=agency.id).update(**values)
        await agency.refresh_from_db()
    return IdentityResult(agency, [])


async def update_for_admin(viewer: Viewer | None, data: IdentityData) -> IdentityResult:
    admin = guards.admin(viewer)
    assert admin.agency_id is not None
    return await update(admin.agency_id, data)


def identity_of(agency: Agency) -> agency_identity.Identity:
    return agency_identity.Identity(
        name=agency.legal_name or agency.name,
        address_line1=agency.address_line1,
        postal_code=agency.postal_code,
        city=agency.city,
        siret=agency.siret,
        sap_number=agency.sap_number,
        sap_declared_on=agency.sap_declared_on,
    )


def missing(agency: Agency) -> list[str]:
    return agency_identity.missing_for_invoicing(identity_of(agency), agency_today(agency))


def require_complete(agency: Agency) -> None:
    """Refuses, naming what is missing, before anything is numbered or issued."""
    gaps = missing(agency)
    if gaps:
        raise IncompleteIdentity(
            "Identité légale de l'agence incomplète, aucune facture émise. À compléter : "
            + ", ".join(gaps)
            + "."
        )


class IncompleteIdentity(BadInput):
    """Invoicing refused: the agency's legal identity lacks a mention invoices must carry."""
