"""Setting up an agency: agencies, staff and workers, and the client list staff see."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.accounts.people import Account, Agency, AgencyPostalPrefix, Client, Worker
from models.enums import Role, SecurityEventKind
from notifications import emails, mailer
from resolvers.accounts import audit
from resolvers.accounts.signup import validate_person
from resolvers.core import guards
from resolvers.core.errors import UserError, user_error
from resolvers.core.runtime import RequestMeta, Runtime, Viewer
from services import agency_identity, identity
from services.clock import utcnow

EMPLOYEE_NUMBER_MAX = 20
# Matricule: ASCII letters and digits, hyphens inside; printed on invoices as is.
EMPLOYEE_NUMBER_RE = re.compile(
    rf"^[A-Za-z0-9](?:[A-Za-z0-9-]{{0,{EMPLOYEE_NUMBER_MAX - 2}}}[A-Za-z0-9])?$"
)
SAP_NUMBER_MAX = 40
# How `create_user` names its inputs in messages: they are the command-line options.
_OPTIONS = {
    "firstName": "--first-name",
    "lastName": "--last-name",
    "email": "--email",
    "phone": "--phone",
    "password": "--password",
    "employeeNumber": "--employee-number",
}


class SetupError(ValueError):
    """A command-line set-up step was refused; the message says why."""


@dataclass(frozen=True)
class WorkerData:
    first_name: str
    last_name: str
    email: str
    phone: str
    password: str
    employee_number: str


@dataclass(frozen=True)
class CreateWorkerResult:
    worker: Worker | None
    user_errors: list[UserError]


async def create_agency(
    name: str,
    postal_prefixes: list[str],
    sap_number: str = "",
    sap_declared_on: date | None = None,
    siret: str = "",
    time_zone: str = "Europe/Paris",
) -> Agency:
    clean_name = identity.clean_text(name, 200)
    if clean_name is None:
        raise SetupError("the agency name must have 1 to 200 characters")
    prefixes = sorted({p.strip() for p in postal_prefixes if p.strip()})
    if not prefixes or any(not p.isascii() or not p.isdigit() or len(p) > 5 for p in prefixes):
        raise SetupError("postal prefixes must be 1 to 5 digits, comma-separated, e.g. 75,92")
    sap_number = sap_number.strip()
    if len(sap_number) > SAP_NUMBER_MAX:
        raise SetupError(f"the SAP number must have at most {SAP_NUMBER_MAX} characters")
    siret = siret.strip()
    if siret and not agency_identity.siret_ok(siret):
        raise SetupError("the SIRET must have 14 digits and a valid checksum (Luhn)")
    try:
        async with in_transaction():
            taken = await _served(prefixes)
            if taken:
                raise SetupError(f"postal prefixes already served by another agency: {taken}")
            agency = await Agency.create(
                name=clean_name,
                sap_number=sap_number,
                sap_declared_on=sap_declared_on,
                siret=siret,
                time_zone=time_zone,
            )
            for prefix in prefixes:
                await AgencyPostalPrefix.create(agency=agency, prefix=prefix)
    except IntegrityError as exc:  # another process took a prefix meanwhile
        raise SetupError(
            f"postal prefixes already served by another agency: {await _served(prefixes)}"
        ) from exc
    return agency


async def _served(prefixes: list[str]) -> list[str]:
    rows = await AgencyPostalPrefix.filter(prefix__in=prefixes).values_list("prefix", flat=True)
    return sorted(str(row) for row in rows)


def valid_employee_number(raw: str) -> str | None:
    number = raw.strip()
    return number if EMPLOYEE_NUMBER_RE.fullmatch(number) else None


async def create_user(
    rt: Runtime,
    agency_id: int,
    role: Role,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    phone: str = "",
    employee_number: str | None = None,
) -> Account:
    """Command-line account creation: staff and workers are verified by whoever runs it."""
    agency = await Agency.get_or_none(id=agency_id)
    if agency is None:
        raise SetupError("no agency has this id (use the id create-agency printed)")
    if role is Role.CLIENT:
        raise SetupError("clients sign up themselves (signUp); create ADMIN, ADVISOR or WORKER")
    clean, errors = validate_person(first_name, last_name, email, phone or "+33100000000", password)
    number = None
    if employee_number is not None:
        number = valid_employee_number(employee_number)
        if role is not Role.WORKER:
            errors.append(user_error("employeeNumber", "only workers have one", "INVALID"))
        elif number is None:
            errors.append(
                user_error("employeeNumber", "1 to 20 letters, digits or inner hyphens", "INVALID")
            )
    if errors:
        raise SetupError(
            "; ".join(f"{_OPTIONS.get('.'.join(e.field or []), '')}: {e.message}" for e in errors)
        )
    if await Account.filter(email=clean["email"]).exists():
        raise SetupError(f"--email: an account already uses {clean['email']}")
    if number and await Worker.filter(agency_id=agency.id, employee_number=number).exists():
        raise SetupError(f"--employee-number: {number} is already used in this agency")
    password_hash = await rt.passwords.hash(password)
    now = utcnow()
    try:
        async with in_transaction():
            account = await Account.create(
                email=clean["email"],
                password_hash=password_hash,
                role=role,
                first_name=clean["firstName"],
                last_name=clean["lastName"],
                phone=clean["phone"] if phone else "",
                agency=agency,
                password_changed_at=now,
                email_verified_at=now,
            )
            if role is Role.WORKER:
                await Worker.create(
                    account=account,
                    agency=agency,
                    employee_number=number or f"W{account.id:05d}",
                )
            await audit.record(SecurityEventKind.ACCOUNT_CREATED_BY_STAFF, account.id)
    except IntegrityError as exc:
        raise SetupError("this e-mail (or employee number) is already in use") from exc
    return account


async def create_worker(
    rt: Runtime, viewer: Viewer | None, data: WorkerData, meta: RequestMeta
) -> CreateWorkerResult:
    admin = guards.admin(viewer)
    clean, errors = validate_person(
        data.first_name, data.last_name, data.email, data.phone, data.password
    )
    number = valid_employee_number(data.employee_number)
    if number is None:
        errors.append(
            user_error(
                "employeeNumber",
                "Matricule invalide (1 à 20 lettres ou chiffres).",
                "INVALID_EMPLOYEE_NUMBER",
            )
        )
    if errors or number is None:
        return CreateWorkerResult(None, errors)
    taken = await _worker_taken(admin.agency_id, clean["email"], number)
    if taken:
        return CreateWorkerResult(None, [taken])
    password_hash = await rt.passwords.hash(data.password)
    agency = await Agency.get(id=admin.agency_id)
    try:
        async with in_transaction():
            account = await Account.create(
                email=clean["email"],
                password_hash=password_hash,
                role=Role.WORKER,
                first_name=clean["firstName"],
                last_name=clean["lastName"],
                phone=clean["phone"],
                agency=agency,
                password_changed_at=utcnow(),
            )
            worker = await Worker.create(account=account, agency=agency, employee_number=number)
            await audit.record(SecurityEventKind.ACCOUNT_CREATED_BY_STAFF, account.id, meta)
            subject, body = emails.welcome_staff_created(account.first_name, agency.name)
            await mailer.enqueue("welcome_worker", account.email, subject, body)
    except IntegrityError:
        # Another request took the address or the number between the check and the insert.
        taken = await _worker_taken(admin.agency_id, clean["email"], number)
        return CreateWorkerResult(
            None,
            [taken or user_error("email", "Cette adresse est déjà utilisée.", "EMAIL_TAKEN")],
        )
    rt.mailer.wake()
    return CreateWorkerResult(worker, [])


async def _worker_taken(agency_id: int | None, email: str, number: str) -> UserError | None:
    """Telling an admin an address is taken is fine: staff create accounts for people."""
    if await Account.filter(email=email).exists():
        return user_error("email", "Cette adresse est déjà utilisée.", "EMAIL_TAKEN")
    if await Worker.filter(agency_id=agency_id, employee_number=number).exists():
        return user_error("employeeNumber", "Ce matricule existe déjà.", "EMPLOYEE_NUMBER_TAKEN")
    return None


async def list_clients(viewer: Viewer | None, first: int, after_id: int | None) -> list[Client]:
    """One page (+1 row to tell whether there is more) of the viewer's agency's clients."""
    staff = guards.staff(viewer)
    query = Client.filter(agency_id=staff.agency_id).select_related("account")
    if after_id is not None:
        query = query.filter(id__gt=after_id)
    return await query.order_by("id").limit(first + 1)
