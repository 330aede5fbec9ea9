"""Enrolling a household for the immediate advance with URSSAF (POST /particulier).

Staff of the household's agency, or the household itself, enter the identity URSSAF
needs. Everything is checked before anything is sent; the IBAN is sealed at rest like
the access codes. The enrolment is ENROLLED only once URSSAF answered with the
household's id; URSSAF's coded errors come back as French userErrors.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise.transactions import in_transaction

from models.accounts.people import Client
from models.billing.tax_credit import ClientBillingProfile
from models.billing.urssaf import UrssafEnrolment
from models.enums import UrssafEnrolmentStatus
from resolvers.billing.invoices import household, today_for
from resolvers.core.errors import UserError, user_error
from resolvers.core.runtime import Runtime, Viewer
from resolvers.households.notes import sealer
from services.clock import utcnow
from services.urssaf import identity, payloads
from services.urssaf.client import UrssafError, UrssafRefused
from services.urssaf.codes import error_text

log = logging.getLogger("passage.urssaf")

CIVILITIES = {"MONSIEUR": "1", "MADAME": "2"}
LIMITS = {"birthCommuneLabel": 50, "communeLabel": 50, "accountHolder": 100, "email": 254}


@dataclass(frozen=True)
class EnrolmentData:
    client_id: int | None
    civility: str
    birth_name: str
    first_names: str
    birth_date: date
    birth_country_code: str
    email: str
    mobile: str
    postal_code: str
    commune_code: str
    commune_label: str
    iban: str
    bic: str
    account_holder: str
    usage_name: str = ""
    birth_commune_code: str = ""
    birth_commune_label: str = ""
    street_number: str = ""
    street_name: str = ""
    address_complement: str = ""


@dataclass(frozen=True)
class EnrolmentResult:
    enrolment: UrssafEnrolment | None
    user_errors: list[UserError]


def _problems(data: EnrolmentData) -> tuple[list[UserError], str, str, str]:
    """userErrors, and the normalised mobile, IBAN and BIC."""
    found: list[identity.Problem] = []
    if data.civility not in CIVILITIES:
        found.append(identity.Problem("civility", "Civilité : MONSIEUR ou MADAME.", "INVALID"))
    for field, value, required in (
        ("birthName", data.birth_name, True),
        ("usageName", data.usage_name, False),
        ("firstNames", data.first_names, True),
    ):
        problem = identity.check_name(field, value, required)
        if problem:
            found.append(problem)
    found += identity.check_birth(
        data.birth_date,
        data.birth_country_code,
        data.birth_commune_code,
        data.birth_commune_label,
        today_for(),
    )
    found += identity.check_address(
        data.street_number,
        data.street_name,
        data.address_complement,
        data.postal_code,
        data.commune_code,
        data.commune_label,
    )
    email_problem = identity.check_email(data.email)
    if email_problem:
        found.append(email_problem)
    mobile = identity.french_mobile(data.mobile) or ""
    if not mobile:
        found.append(
            identity.Problem("mobile", "Un numéro de mobile français (06 ou 07).", "INVALID_PHONE")
        )
    iban = identity.compact_iban(data.iban) or ""
    if not iban:
        found.append(identity.Problem("iban", "IBAN invalide (clé de contrôle).", "INVALID_IBAN"))
    bic = identity.compact_bic(data.bic) or ""
    if not bic:
        found.append(identity.Problem("bic", "BIC invalide (8 ou 11 caractères).", "INVALID_BIC"))
    if not 1 <= len(data.account_holder.strip()) <= LIMITS["accountHolder"]:
        found.append(
            identity.Problem(
                "accountHolder", "Titulaire du compte : 1 à 100 caractères.", "INVALID"
            )
        )
    for field, value in (
        ("birthCommuneLabel", data.birth_commune_label),
        ("communeLabel", data.commune_label),
        ("email", data.email),
    ):
        if len(value) > LIMITS[field]:
            found.append(identity.Problem(field, "Trop long.", "TOO_LONG"))
    errors = [user_error(p.field, p.message, p.code) for p in found]
    return errors, mobile, iban, bic


def _refusal(error: dict[str, object]) -> UserError:
    code = str(error.get("code") or "ERR_UNKNOWN")
    field, message = error_text(code, str(error.get("message") or ""))
    return user_error(field, message, code)


async def enrol(rt: Runtime, viewer: Viewer | None, data: EnrolmentData) -> EnrolmentResult:
    client = await household(viewer, data.client_id)
    if client is None:
        return EnrolmentResult(None, [user_error("clientId", "Client inconnu.", "NOT_FOUND")])
    current = await UrssafEnrolment.get_or_none(client_id=client.id)
    if current is not None and current.status == UrssafEnrolmentStatus.ENROLLED:
        message = "Ce foyer est déjà inscrit à l'avance immédiate."
        return EnrolmentResult(current, [user_error(None, message, "ALREADY_ENROLLED")])
    if not rt.urssaf.configured:
        message = "L'agence n'a pas encore ouvert l'avance immédiate (accès URSSAF à configurer)."
        return EnrolmentResult(None, [user_error(None, message, "URSSAF_NOT_CONFIGURED")])
    errors, mobile, iban, bic = _problems(data)
    if errors:
        return EnrolmentResult(None, errors)
    row = await _store(rt, viewer, client, data, mobile, iban, bic, current)
    try:
        urssaf_id = await rt.urssaf.register_household(payloads.household(row, iban), client.id)
    except UrssafRefused as exc:
        await UrssafEnrolment.filter(id=row.id).update(
            status=UrssafEnrolmentStatus.REFUSED,
            error_code=exc.code[:60],
            error_message=error_text(exc.code, exc.message)[1][:300],
            updated_at=utcnow(),
        )
        await row.refresh_from_db()
        return EnrolmentResult(row, [_refusal(e) for e in exc.errors])
    except UrssafError as exc:
        log.warning("URSSAF enrolment of client %s not sent: %s", client.id, exc)
        message = "L'URSSAF ne répond pas pour le moment : réessayez dans quelques minutes."
        return EnrolmentResult(row, [user_error(None, message, "URSSAF_UNAVAILABLE")])
    if await UrssafEnrolment.filter(urssaf_id=urssaf_id).exclude(id=row.id).exists():
        message = "URSSAF connaît déjà cette personne comme membre d'un autre foyer."
        return EnrolmentResult(row, [user_error("identity", message, "ENROLLED_ELSEWHERE")])
    async with in_transaction():
        now = utcnow()
        await UrssafEnrolment.filter(id=row.id).update(
            status=UrssafEnrolmentStatus.ENROLLED,
            urssaf_id=urssaf_id,
            error_code="",
            error_message="",
            enrolled_at=now,
            updated_at=now,
        )
        profile, _ = await ClientBillingProfile.get_or_create(client_id=client.id)
        await ClientBillingProfile.filter(id=profile.id).update(advance_enrolled=True)
    await row.refresh_from_db()
    return EnrolmentResult(row, [])


async def _store(
    rt: Runtime,
    viewer: Viewer | None,
    client: Client,
    data: EnrolmentData,
    mobile: str,
    iban: str,
    bic: str,
    current: UrssafEnrolment | None,
) -> UrssafEnrolment:
    values: dict[str, Any] = {
        "agency_id": client.agency_id,
        "status": UrssafEnrolmentStatus.PENDING,
        "civility": CIVILITIES[data.civility],
        "birth_name": data.birth_name.strip(),
        "usage_name": data.usage_name.strip(),
        "first_names": data.first_names.strip(),
        "birth_date": data.birth_date,
        "birth_country_code": data.birth_country_code,
        "birth_commune_code": data.birth_commune_code.upper(),
        "birth_commune_label": data.birth_commune_label.strip(),
        "street_number": data.street_number,
        "street_name": data.street_name.strip(),
        "address_complement": data.address_complement.strip(),
        "postal_code": data.postal_code,
        "commune_code": data.commune_code.upper(),
        "commune_label": data.commune_label.strip(),
        "email": data.email.strip(),
        "mobile": mobile,
        "iban_sealed": sealer(rt).seal(iban),
        "iban_last4": iban[-4:],
        "bic": bic,
        "account_holder": data.account_holder.strip(),
        "error_code": "",
        "error_message": "",
        "entered_by_id": viewer.account_id if viewer else None,
        "updated_at": utcnow(),
    }
    if current is None:
        return await UrssafEnrolment.create(client_id=client.id, **values)
    await UrssafEnrolment.filter(id=current.id).update(**values)
    await current.refresh_from_db()
    return current


async def enrolment_of(viewer: Viewer | None, client_id: int | None) -> UrssafEnrolment | None:
    """The household's enrolment, for the household itself or its agency's staff."""
    client = await household(viewer, client_id)
    if client is None:
        return None
    return await UrssafEnrolment.get_or_none(client_id=client.id)
