"""Setting up an agency: agencies, staff and workers, and the client list staff see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.accounts import Account, Agency, AgencyPostalPrefix, Client, Worker
from models.enums import Role, SecurityEventKind
from resolvers import audit, guards
from resolvers.accounts import validate_person
from resolvers.errors import UserError, user_error
from resolvers.runtime import RequestMeta, Runtime, Viewer
from services import emails, mailer
from services.clock import utcnow

EMPLOYEE_NUMBER_MAX = 20


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
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise SetupError("the agency name must have 1 to 200 characters")
    prefixes = sorted({p.strip() for p in postal_prefixes if p.strip()})
    if not prefixes or any(not p.isdigit() or not 1 <= len(p) <= 5 for p in prefixes):
        raise SetupError("postal prefixes must be 1 to 5 digits, e.g. 75,92")
    taken = await AgencyPostalPrefix.filter(prefix__in=prefixes).values_list("prefix", flat=True)
    if taken:
        raise SetupError(f"postal prefixes already served by another agency: {sorted(taken)}")
    async with in_transaction():
        agency = await Agency.create(
            name=name,
            sap_number=sap_number,
            sap_declared_on=sap_declared_on,
            siret=siret,
            time_zone=time_zone,
        )
        for prefix in prefixes:
            await AgencyPostalPrefix.create(agency=agency, prefix=prefix)
    return agency


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
        raise SetupError(f"no agency with id {agency_id}")
    if role is Role.CLIENT:
        raise SetupError("clients sign up themselves (signUp); create ADMIN, ADVISOR or WORKER")
    clean, errors = validate_person(first_name, last_name, email, phone or "+33100000000", password)
    if errors:
        raise SetupError("; ".join(f"{'.'.join(e.field or [])}: {e.message}" for e in errors))
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
                    employee_number=employee_number or f"W{account.id:05d}",
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
    number = data.employee_number.strip()
    if not 1 <= len(number) <= EMPLOYEE_NUMBER_MAX or not number.replace("-", "").isalnum():
        errors.append(
            user_error(
                "employeeNumber",
                "Matricule invalide (1 à 20 lettres ou chiffres).",
                "INVALID_EMPLOYEE_NUMBER",
            )
        )
    if errors:
        return CreateWorkerResult(None, errors)
    if await Account.filter(email=clean["email"]).exists():
        return CreateWorkerResult(
            None, [user_error("email", "Cette adresse est déjà utilisée.", "EMAIL_TAKEN")]
        )
    if await Worker.filter(agency_id=admin.agency_id, employee_number=number).exists():
        return CreateWorkerResult(
            None,
            [user_error("employeeNumber", "Ce matricule existe déjà.", "EMPLOYEE_NUMBER_TAKEN")],
        )
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
        return CreateWorkerResult(
            None,
            [user_error("email", "Cette adresse ou ce matricule est déjà utilisé.", "EMAIL_TAKEN")],
        )
    rt.mailer.wake()
    return CreateWorkerResult(worker, [])


async def list_clients(viewer: Viewer | None, first: int, after_id: int | None) -> list[Client]:
    """One page (+1 row to tell whether there is more) of the viewer's agency's clients."""
    staff = guards.staff(viewer)
    query = Client.filter(agency_id=staff.agency_id).select_related("account")
    if after_id is not None:
        query = query.filter(id__gt=after_id)
    return await query.order_by("id").limit(first + 1)
