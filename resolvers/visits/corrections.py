"""Staff corrections of check-in and check-out: a missing or wrong time set right.

Phones die and workers forget to check out. An advisor sets the times with a
reason; the visit's status follows the times (a check-in alone: in progress,
both: completed), every correction is kept as an `AttendanceCorrection`, and
an ARRIVED or DEPARTED event is written only when the status changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from models.enums import EventType, InterventionStatus
from models.events import Event
from models.visits.visits import AttendanceCorrection, Intervention
from resolvers.core import guards
from resolvers.core.errors import NotFound, UserError, user_error
from resolvers.core.runtime import Runtime, Viewer
from resolvers.visits import anomalies
from services.clock import utcnow
from subscriptions import events

# A corrected time lies within this much of the planned slot.
SLOT_MARGIN = timedelta(hours=12)
MAX_REASON = 500
MAX_LISTED = 200
CORRECTABLE = (
    InterventionStatus.SCHEDULED,
    InterventionStatus.IN_PROGRESS,
    InterventionStatus.COMPLETED,
    InterventionStatus.MISSED,
)
FIELDS = (
    "id",
    "intervention_id",
    "staff_id",
    "staff__first_name",
    "staff__last_name",
    "reason",
    "previous_status",
    "previous_checked_in_at",
    "previous_checked_out_at",
    "status",
    "checked_in_at",
    "checked_out_at",
    "planned_duration_invoiced",
    "created_at",
)


@dataclass(frozen=True)
class CorrectionData:
    intervention_id: int
    reason: str
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None
    planned_duration_invoiced: bool = False


@dataclass(frozen=True)
class CorrectionRecord:
    id: int
    intervention_id: int
    staff_account_id: int
    staff_name: str
    reason: str
    previous_status: InterventionStatus
    previous_checked_in_at: datetime | None
    previous_checked_out_at: datetime | None
    status: InterventionStatus
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    planned_duration_invoiced: bool
    corrected_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> CorrectionRecord:
        return cls(
            id=row["id"],
            intervention_id=row["intervention_id"],
            staff_account_id=row["staff_id"],
            staff_name=f"{row['staff__first_name']} {(row['staff__last_name'] or '')[:1]}.",
            reason=row["reason"],
            previous_status=InterventionStatus(row["previous_status"]),
            previous_checked_in_at=row["previous_checked_in_at"],
            previous_checked_out_at=row["previous_checked_out_at"],
            status=InterventionStatus(row["status"]),
            checked_in_at=row["checked_in_at"],
            checked_out_at=row["checked_out_at"],
            planned_duration_invoiced=row["planned_duration_invoiced"],
            corrected_at=row["created_at"],
        )


@dataclass(frozen=True)
class CorrectionResult:
    intervention: Intervention | None
    correction: CorrectionRecord | None
    user_errors: list[UserError]


def failure(field: str | None, message: str, code: str) -> CorrectionResult:
    return CorrectionResult(None, None, [user_error(field, message, code)])


def _check_input(data: CorrectionData, now: datetime) -> list[UserError]:
    errors = []
    if not 1 <= len(data.reason.strip()) <= MAX_REASON:
        errors.append(
            user_error("reason", "Indiquez un motif (500 caractères au plus).", "INVALID_REASON")
        )
    if data.checked_in_at is None and data.checked_out_at is None:
        errors.append(
            user_error(
                None, "Indiquez l'heure d'arrivée, de sortie, ou les deux.", "NOTHING_TO_CORRECT"
            )
        )
    for field, value in (
        ("checkedInAt", data.checked_in_at),
        ("checkedOutAt", data.checked_out_at),
    ):
        if value is None:
            continue
        if value.tzinfo is None:
            errors.append(user_error(field, "Indiquez le fuseau horaire.", "NAIVE_DATETIME"))
        elif value > now:
            errors.append(user_error(field, "Cette heure n'est pas encore passée.", "IN_FUTURE"))
    return errors


def _check_times(
    visit: Intervention, check_in: datetime | None, check_out: datetime | None
) -> list[UserError]:
    errors = []
    if check_in is None:
        return [user_error("checkedInAt", "Indiquez d'abord l'arrivée.", "MISSING_CHECK_IN")]
    if check_out is not None and check_out <= check_in:
        errors.append(
            user_error(
                "checkedOutAt", "La sortie doit suivre l'arrivée.", "CHECK_OUT_BEFORE_CHECK_IN"
            )
        )
    earliest = visit.scheduled_start - SLOT_MARGIN
    latest = visit.scheduled_end + SLOT_MARGIN
    for field, value in (("checkedInAt", check_in), ("checkedOutAt", check_out)):
        if value is not None and not earliest <= value <= latest:
            errors.append(user_error(field, "À plus de 12 h du créneau prévu.", "OUTSIDE_SLOT"))
    return errors


async def correct(rt: Runtime, viewer: Viewer | None, data: CorrectionData) -> CorrectionResult:
    staff = guards.staff(viewer)
    now = utcnow()
    visit = await Intervention.get_or_none(id=data.intervention_id, agency_id=staff.agency_id)
    if visit is None:
        return failure("interventionId", "Intervention inconnue.", "NOT_FOUND")
    errors = _check_input(data, now)
    if errors:
        return CorrectionResult(None, None, errors)
    event: Event | None = None
    async with in_transaction():
        # Read again under a row lock: a check-in from the phone may just have landed.
        visit = await Intervention.filter(id=visit.id).select_for_update().first() or visit
        if visit.status not in CORRECTABLE:
            return failure(
                "interventionId", "Une intervention annulée ne se pointe pas.", "NOT_CORRECTABLE"
            )
        check_in = data.checked_in_at or visit.checked_in_at
        check_out = data.checked_out_at or visit.checked_out_at
        errors = _check_times(visit, check_in, check_out)
        if errors:
            return CorrectionResult(None, None, errors)
        previous_status = InterventionStatus(visit.status)
        status = (
            InterventionStatus.IN_PROGRESS if check_out is None else InterventionStatus.COMPLETED
        )
        correction = await AttendanceCorrection.create(
            intervention_id=visit.id,
            staff_id=staff.account_id,
            reason=data.reason.strip(),
            previous_status=previous_status,
            previous_checked_in_at=visit.checked_in_at,
            previous_checked_out_at=visit.checked_out_at,
            status=status,
            checked_in_at=check_in,
            checked_out_at=check_out,
            planned_duration_invoiced=data.planned_duration_invoiced,
            created_at=now,
        )
        await Intervention.filter(id=visit.id).update(
            status=status,
            checked_in_at=check_in,
            checked_out_at=check_out,
            bill_planned_duration=data.planned_duration_invoiced,
        )
        await visit.refresh_from_db()
        settled = await anomalies.resolve(visit, staff.account_id, correction.id, now)
        if status is not previous_status:
            kind = (
                EventType.ARRIVED
                if status is InterventionStatus.IN_PROGRESS
                else EventType.DEPARTED
            )
            event = await events.record(kind, visit, now)
    # In id order: a hub drops an id below one it has handed out.
    written = sorted((e for e in (event, settled) if e is not None), key=lambda e: e.id)
    if written:
        await events.publish(rt.bus, written)
    rows = await AttendanceCorrection.filter(id=correction.id).values(*FIELDS)
    return CorrectionResult(visit, CorrectionRecord.from_row(rows[0]), [])


async def corrections(viewer: Viewer | None, intervention_id: int) -> list[CorrectionRecord]:
    """The corrections of one visit of the staff member's agency, oldest first."""
    staff = guards.staff(viewer)
    if not await Intervention.exists(id=intervention_id, agency_id=staff.agency_id):
        raise NotFound("Intervention introuvable.")
    rows = (
        await AttendanceCorrection.filter(intervention_id=intervention_id)
        .order_by("id")
        .limit(MAX_LISTED)
        .values(*FIELDS)
    )
    return [CorrectionRecord.from_row(row) for row in rows]


async def by_id(viewer: Viewer, pk: int) -> CorrectionRecord | None:
    """One correction, for staff of the visit's agency only (`node(id:)`)."""
    if not viewer.is_staff or viewer.agency_id is None:
        return None
    rows = await AttendanceCorrection.filter(
        id=pk, intervention__agency_id=viewer.agency_id
    ).values(*FIELDS)
    return CorrectionRecord.from_row(rows[0]) if rows else None
