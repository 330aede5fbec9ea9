"""An agency's care settings: claim deadline, premium phone line, anomaly thresholds.

An agency without a row has the defaults of models/care/settings.py. The ADMIN changes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.care.settings import (
    DEFAULT_CLAIM_DEADLINE_DAYS,
    DEFAULT_DURATION_TOLERANCE_PERCENT,
    DEFAULT_EARLY_CHECK_IN_MINUTES,
    AgencyCare,
)
from resolvers.core import guards
from resolvers.core.errors import UserError, user_error
from resolvers.core.runtime import Viewer
from services.clock import utcnow
from services.identity import normalize_phone


@dataclass(frozen=True)
class CareSettings:
    claim_deadline_days: int = DEFAULT_CLAIM_DEADLINE_DAYS
    premium_support_phone: str = ""
    early_check_in_minutes: int = DEFAULT_EARLY_CHECK_IN_MINUTES
    duration_tolerance_percent: int = DEFAULT_DURATION_TOLERANCE_PERCENT


@dataclass(frozen=True)
class CareChange:
    claim_deadline_days: int | None = None
    premium_support_phone: str | None = None
    early_check_in_minutes: int | None = None
    duration_tolerance_percent: int | None = None


@dataclass(frozen=True)
class CareSettingsResult:
    settings: CareSettings | None
    user_errors: list[UserError]


async def settings_of(agency_id: int) -> CareSettings:
    row = await AgencyCare.get_or_none(agency_id=agency_id)
    if row is None:
        return CareSettings()
    return CareSettings(
        row.claim_deadline_days,
        row.premium_support_phone,
        row.early_check_in_minutes,
        row.duration_tolerance_percent,
    )


async def read(viewer: Viewer | None) -> CareSettings:
    staff = guards.staff(viewer)
    return await settings_of(staff.agency_id or 0)


def _checked(change: CareChange, errors: list[UserError]) -> dict[str, object]:
    values: dict[str, object] = {}
    ranges = (
        ("claim_deadline_days", "claimDeadlineDays", 1, 90),
        ("early_check_in_minutes", "earlyCheckInMinutes", 0, 120),
        ("duration_tolerance_percent", "durationTolerancePercent", 10, 300),
    )
    for name, field, low, high in ranges:
        value = getattr(change, name)
        if value is None:
            continue
        if not low <= value <= high:
            errors.append(user_error(field, f"Entre {low} et {high}.", "OUT_OF_RANGE"))
        values[name] = value
    if change.premium_support_phone is not None:
        raw = change.premium_support_phone.strip()
        phone = normalize_phone(raw) if raw else ""
        if phone is None:
            errors.append(
                user_error("premiumSupportPhone", "Numéro de téléphone invalide.", "INVALID_PHONE")
            )
        values["premium_support_phone"] = phone or ""
    return values


async def update(viewer: Viewer | None, change: CareChange) -> CareSettingsResult:
    admin = guards.admin(viewer)
    errors: list[UserError] = []
    values = _checked(change, errors)
    if errors:
        return CareSettingsResult(None, errors)
    await AgencyCare.update_or_create(
        defaults={**values, "updated_by_id": admin.account_id, "updated_at": utcnow()},
        agency_id=admin.agency_id,
    )
    return CareSettingsResult(await settings_of(admin.agency_id or 0), [])
