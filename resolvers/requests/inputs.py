"""What each kind of change request needs, and the limits of every input."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from models.enums import ChangeRequestKind
from resolvers.core.errors import UserError, user_error
from resolvers.visits.planning import check_slot

MAX_NOTE = 1000
MIN_MINUTES, MAX_MINUTES = 30, 12 * 60


@dataclass(frozen=True)
class RequestData:
    kind: ChangeRequestKind
    intervention_id: int | None = None
    plan_id: int | None = None
    service_type_code: str | None = None
    scheduled_start: datetime | None = None
    scheduled_end: datetime | None = None
    duration_minutes: int | None = None
    weekday: int | None = None
    start_time: time | None = None
    valid_from: date | None = None
    note: str = ""


def _missing(name: str) -> UserError:
    return user_error(name, "Information requise pour ce type de demande.", "REQUIRED")


def check_shape(data: RequestData, now: datetime) -> list[UserError]:
    """What each kind needs, and the limits of every input."""
    kind, errors = data.kind, []
    needs_visit = kind in (
        ChangeRequestKind.NEW_SLOT,
        ChangeRequestKind.NEW_DURATION,
        ChangeRequestKind.CANCELLATION,
    )
    if needs_visit and data.intervention_id is None:
        errors.append(_missing("interventionId"))
    if kind is ChangeRequestKind.PLAN_CHANGE and data.plan_id is None:
        errors.append(_missing("planId"))
    if kind is ChangeRequestKind.SERVICE_CHANGE and (data.intervention_id is None) == (
        data.plan_id is None
    ):
        errors.append(
            user_error("interventionId", "Une intervention ou un plan, pas les deux.", "REQUIRED")
        )
    if kind in (ChangeRequestKind.EXTRA_VISIT, ChangeRequestKind.SERVICE_CHANGE) and not (
        data.service_type_code
    ):
        errors.append(_missing("serviceTypeCode"))
    if kind in (ChangeRequestKind.EXTRA_VISIT, ChangeRequestKind.NEW_SLOT):
        if data.scheduled_start is None or data.scheduled_end is None:
            errors.append(_missing("scheduledStart"))
        else:
            errors += check_slot(data.scheduled_start, data.scheduled_end, now)
    if kind in (ChangeRequestKind.NEW_DURATION, ChangeRequestKind.PLAN_CHANGE):
        if data.duration_minutes is None:
            errors.append(_missing("durationMinutes"))
        elif not MIN_MINUTES <= data.duration_minutes <= MAX_MINUTES:
            errors.append(
                user_error("durationMinutes", "Durée de 30 min à 12 h.", "INVALID_DURATION")
            )
    if kind is ChangeRequestKind.PLAN_CHANGE:
        if data.weekday is None or not 0 <= data.weekday <= 6:
            errors.append(
                user_error("weekday", "Jour de 0 (lundi) à 6 (dimanche).", "INVALID_WEEKDAY")
            )
        if data.start_time is None:
            errors.append(_missing("startTime"))
        if data.valid_from is None:
            errors.append(_missing("validFrom"))
    if len(data.note) > MAX_NOTE:
        errors.append(user_error("note", "1000 caractères au plus.", "TOO_LONG"))
    return errors
