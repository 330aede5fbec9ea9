"""What a household wants its worker to know: a note per visit, standing preferences,
specific needs, and access codes.

Who sees what: the client edits all of it but never reads its access codes back
(they may be read over a shoulder); staff of its agency see everything; a worker
sees the note, preferences and needs of the visits assigned to them, and the
access codes only on the day of such a visit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from models.accounts.people import Client
from models.enums import InterventionStatus, PrivacyAction, Role
from models.households.profile import HouseholdProfile, VisitNote
from models.visits.visits import Intervention
from resolvers.core import guards
from resolvers.core.errors import UserError, user_error
from resolvers.core.lookups import agency_time_zone, worker_id_for
from resolvers.core.prepared import PreparedRows, loaded
from resolvers.core.runtime import Runtime, Viewer
from resolvers.households.contact import urgent_phone_of
from resolvers.privacy import audit as privacy_audit
from resolvers.requests.asking import client_of
from services.clock import utcnow
from services.sealing import Sealer

MAX_NOTE = 1000
LIMITS = {
    "favour_products": 500,
    "avoid_products": 500,
    "preferred_slots": 500,
    "instructions": 1000,
    "access_codes": 500,
    "pets": 200,
    "allergies": 500,
    "other_needs": 500,
}
CAMEL = {
    "favour_products": "favourProducts",
    "avoid_products": "avoidProducts",
    "preferred_slots": "preferredSlots",
    "instructions": "instructions",
    "access_codes": "accessCodes",
    "pets": "pets",
    "allergies": "allergies",
    "other_needs": "otherNeeds",
}


@dataclass(frozen=True)
class ProfileChange:
    """None leaves a field as it is; an empty string clears it."""

    favour_products: str | None = None
    avoid_products: str | None = None
    preferred_slots: str | None = None
    instructions: str | None = None
    access_codes: str | None = None
    reduced_mobility: bool | None = None
    large_family: bool | None = None
    pets: str | None = None
    allergies: str | None = None
    other_needs: str | None = None


@dataclass(frozen=True)
class Profile:
    client_id: int
    favour_products: str = ""
    avoid_products: str = ""
    preferred_slots: str = ""
    instructions: str = ""
    has_access_codes: bool = False
    access_codes: str | None = None  # only for those allowed to read them
    reduced_mobility: bool = False
    large_family: bool = False
    pets: str = ""
    allergies: str = ""
    other_needs: str = ""


@dataclass(frozen=True)
class ProfileResult:
    profile: Profile | None
    user_errors: list[UserError]


@dataclass(frozen=True)
class Briefing:
    intervention_id: int
    note: str
    profile: Profile


def sealer(rt: Runtime) -> Sealer:
    return Sealer(rt.settings.data_encryption_key, rt.settings.secret_key)


def _profile(client_id: int, row: HouseholdProfile | None, rt: Runtime | None = None) -> Profile:
    """`rt` given: the reader may see the access codes."""
    if row is None:
        return Profile(client_id)
    codes = None
    if rt is not None and row.access_codes_sealed:
        codes = sealer(rt).open(row.access_codes_sealed)
    return Profile(
        client_id,
        row.favour_products,
        row.avoid_products,
        row.preferred_slots,
        row.instructions,
        bool(row.access_codes_sealed),
        codes,
        row.reduced_mobility,
        row.large_family,
        row.pets,
        row.allergies,
        row.other_needs,
    )


async def update_profile(
    rt: Runtime, viewer: Viewer | None, change: ProfileChange
) -> ProfileResult:
    _, client_id = await client_of(viewer)
    values = {}
    errors = []
    for item in fields(change):
        value = getattr(change, item.name)
        if value is None:
            continue
        if isinstance(value, str):
            value = value.strip()
            if len(value) > LIMITS[item.name]:
                errors.append(
                    user_error(
                        CAMEL[item.name], f"{LIMITS[item.name]} caractères au plus.", "TOO_LONG"
                    )
                )
                continue
        values[item.name] = value
    if errors:
        return ProfileResult(None, errors)
    if "access_codes" in values:
        codes = values.pop("access_codes")
        values["access_codes_sealed"] = sealer(rt).seal(codes) if codes else ""
    now = utcnow()
    async with in_transaction():
        row = await HouseholdProfile.filter(client_id=client_id).select_for_update().first()
        if row is None:
            await HouseholdProfile.create(client_id=client_id, updated_at=now, **values)
        else:
            await HouseholdProfile.filter(id=row.id).update(updated_at=now, **values)
    return ProfileResult(await my_profile(viewer), [])


async def my_profile(viewer: Viewer | None) -> Profile:
    _, client_id = await client_of(viewer)
    return _profile(client_id, await HouseholdProfile.get_or_none(client_id=client_id))


async def client_profile(rt: Runtime, viewer: Viewer | None, client_id: int) -> Profile | None:
    staff = guards.staff(viewer)
    if not await Client.exists(id=client_id, agency_id=staff.agency_id, erased_at=None):
        return None
    # Staff opening a household's file is on the personal data audit trail.
    await privacy_audit.record(
        PrivacyAction.FILE_ACCESSED,
        agency_id=staff.agency_id,
        client_id=client_id,
        actor_account_id=staff.person_id,
        detail="household",
    )
    # Keys and access codes are for people of the agency, never a partner application.
    opener = None if staff.is_partner else rt
    return _profile(client_id, await HouseholdProfile.get_or_none(client_id=client_id), opener)


async def set_visit_note(
    viewer: Viewer | None, intervention_id: int, body: str
) -> UserError | None:
    _, client_id = await client_of(viewer)
    visit = await Intervention.get_or_none(id=intervention_id, client_id=client_id)
    if visit is None:
        return user_error("interventionId", "Intervention introuvable.", "NOT_FOUND")
    if visit.status is not InterventionStatus.SCHEDULED or visit.scheduled_start <= utcnow():
        return user_error(
            "interventionId", "L'intervention a commencé, est passée ou annulée.", "NOT_EDITABLE"
        )
    body = body.strip()
    if len(body) > MAX_NOTE:
        return user_error("note", "1000 caractères au plus.", "TOO_LONG")
    async with in_transaction():
        await VisitNote.filter(intervention_id=visit.id).delete()
        if body:
            await VisitNote.create(intervention_id=visit.id, body=body, updated_at=utcnow())
    return None


async def _on_the_day(visit: Mapping[str, Any], now: datetime) -> bool:
    if visit["status"] not in (InterventionStatus.SCHEDULED, InterventionStatus.IN_PROGRESS):
        return False
    zone = ZoneInfo(await agency_time_zone(visit["agency_id"]))
    return bool(visit["scheduled_start"].astimezone(zone).date() == now.astimezone(zone).date())


# What a briefing reads, in one statement: the visit's owners and day, its note and the
# household's profile (both one-to-one, joined), the SQL written once (core/prepared.py).
_PROFILE = "client__household_profile__"
_PROFILE_FIELDS = (
    "id",
    "favour_products",
    "avoid_products",
    "preferred_slots",
    "instructions",
    "access_codes_sealed",
    "reduced_mobility",
    "large_family",
    "pets",
    "allergies",
    "other_needs",
)
_BRIEFINGS = PreparedRows(
    Intervention,
    (
        "id",
        "agency_id",
        "worker_id",
        "client_id",
        "status",
        "scheduled_start",
        "client_note__body",
        *(_PROFILE + name for name in _PROFILE_FIELDS),
    ),
)


async def briefing(rt: Runtime, viewer: Viewer | None, intervention_id: int) -> Briefing | None:
    """What the worker needs for one visit; None for anyone who may not see it."""
    viewer = guards.signed_in(viewer)
    found = await _BRIEFINGS.fetch(
        "by id", lambda v: Intervention.filter(id=v["id"]), {"id": intervention_id}
    )
    if not found:
        return None
    visit = found[0]
    if viewer.is_staff:
        allowed, codes = viewer.agency_id == visit["agency_id"], True
    elif viewer.role is Role.WORKER:
        worker_id = await worker_id_for(viewer)
        allowed = worker_id is not None and visit["worker_id"] == worker_id
        codes = allowed and await _on_the_day(visit, utcnow())
    else:
        _, client_id = await client_of(viewer)
        allowed, codes = visit["client_id"] == client_id, False
    if not allowed:
        return None
    row = None
    if visit[_PROFILE + "id"] is not None:
        row = loaded(HouseholdProfile, visit, _PROFILE_FIELDS, _PROFILE)
    return Briefing(
        visit["id"],
        visit["client_note__body"] or "",
        _profile(visit["client_id"], row, rt if codes else None),
    )


async def urgent_phone_for_staff(viewer: Viewer | None, client_id: int) -> str | None:
    """The household's urgent number, for staff of its agency only (its card)."""
    if viewer is None or not viewer.is_staff or viewer.is_partner:
        return None
    client = await Client.get_or_none(id=client_id, agency_id=viewer.agency_id)
    return await urgent_phone_of(client.account_id) if client else None
