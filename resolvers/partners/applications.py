"""Partner applications: an ADMIN registers its agency's integrations."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.enums import SecurityEventKind
from models.partners import PartnerApplication
from resolvers.accounts import audit
from resolvers.core import guards
from resolvers.core.errors import UserError, user_error
from resolvers.core.runtime import RequestMeta, Viewer
from services import identity
from services.clock import utcnow

NAME_LENGTH = 100
DESCRIPTION_LENGTH = 500
# An agency has a handful of integrations; past this, something is wrong.
MAX_APPLICATIONS = 50


@dataclass(frozen=True)
class ApplicationResult:
    application: PartnerApplication | None
    user_errors: list[UserError]


def _failed(field: str | None, message: str, code: str) -> ApplicationResult:
    return ApplicationResult(None, [user_error(field, message, code)])


async def register(
    viewer: Viewer | None, name: str, description: str, meta: RequestMeta
) -> ApplicationResult:
    admin = guards.admin(viewer)
    assert admin.agency_id is not None  # staff always have one
    clean_name = identity.clean_text(name, NAME_LENGTH)
    if clean_name is None:
        return _failed("name", f"1 à {NAME_LENGTH} caractères.", "INVALID")
    clean_description = (
        identity.clean_text(description, DESCRIPTION_LENGTH) if description.strip() else ""
    )
    if clean_description is None:
        return _failed("description", f"{DESCRIPTION_LENGTH} caractères au plus.", "INVALID")
    if await PartnerApplication.filter(agency_id=admin.agency_id).count() >= MAX_APPLICATIONS:
        return _failed(None, f"{MAX_APPLICATIONS} applications au plus.", "TOO_MANY")
    if await PartnerApplication.filter(agency_id=admin.agency_id, name=clean_name).exists():
        return _taken()
    try:
        async with in_transaction():
            application = await PartnerApplication.create(
                agency_id=admin.agency_id,
                name=clean_name,
                description=clean_description,
                created_at=utcnow(),
                created_by_id=admin.account_id,
            )
            await audit.record(SecurityEventKind.PARTNER_APP_REGISTERED, admin.account_id, meta)
    except IntegrityError:  # the same name registered at the same moment
        return _taken()
    return ApplicationResult(application, [])


def _taken() -> ApplicationResult:
    return _failed("name", "Une application porte déjà ce nom.", "TAKEN")


async def of_agency(viewer: Viewer | None) -> list[PartnerApplication]:
    """The agency's applications, oldest first (ADMIN)."""
    admin = guards.admin(viewer)
    return (
        await PartnerApplication.filter(agency_id=admin.agency_id)
        .order_by("id")
        .limit(MAX_APPLICATIONS)
    )


async def visible(viewer: Viewer | None, application_id: int) -> PartnerApplication | None:
    """The application if it is the ADMIN's agency's; None otherwise (no hint it exists)."""
    admin = guards.admin(viewer)
    return await PartnerApplication.get_or_none(id=application_id, agency_id=admin.agency_id)
