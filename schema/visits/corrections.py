"""Staff corrections of check-in and check-out, and their audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from resolvers.visits import corrections
from schema.core import nodes
from schema.core.common import Node, UserErrorType, user_errors
from schema.core.context import Info
from schema.core.ids import expect_id, to_global_id
from schema.visits.types import Intervention, InterventionStatus, load_intervention


@strawberry.type
class StaffSummary:
    id: strawberry.ID
    display_name: str


@strawberry.type(description="A check-in or check-out set right by staff, with the reason.")
class AttendanceCorrection(Node):
    intervention_id: strawberry.ID
    corrected_by: StaffSummary
    corrected_at: datetime
    reason: str
    previous_status: InterventionStatus  # type: ignore[valid-type]
    previous_checked_in_at: datetime | None
    previous_checked_out_at: datetime | None
    status: InterventionStatus  # type: ignore[valid-type]
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    planned_duration_invoiced: bool = strawberry.field(
        description="Invoice the planned duration rather than the checked times."
    )

    @classmethod
    def from_record(cls, record: corrections.CorrectionRecord) -> AttendanceCorrection:
        return cls(
            id=strawberry.ID(to_global_id("AttendanceCorrection", record.id)),
            intervention_id=strawberry.ID(to_global_id("Intervention", record.intervention_id)),
            corrected_by=StaffSummary(
                id=strawberry.ID(to_global_id("Account", record.staff_account_id)),
                display_name=record.staff_name,
            ),
            corrected_at=record.corrected_at,
            reason=record.reason,
            previous_status=record.previous_status,
            previous_checked_in_at=record.previous_checked_in_at,
            previous_checked_out_at=record.previous_checked_out_at,
            status=record.status,
            checked_in_at=record.checked_in_at,
            checked_out_at=record.checked_out_at,
            planned_duration_invoiced=record.planned_duration_invoiced,
        )


@strawberry.input
class CorrectAttendanceInput:
    intervention_id: strawberry.ID
    reason: str = strawberry.field(description="Why the times are set by hand (1 to 500 chars).")
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None
    planned_duration_invoiced: bool | None = strawberry.field(
        default=False,
        description="Invoice the planned duration rather than the checked times.",
    )


@strawberry.type
class CorrectAttendancePayload:
    intervention: Intervention | None
    correction: AttendanceCorrection | None
    user_errors: list[UserErrorType]


@strawberry.type
class CorrectionQueries:
    @strawberry.field(description="Corrections of a visit's check-in/out, oldest first (staff).")
    async def attendance_corrections(
        self, info: Info, intervention_id: strawberry.ID
    ) -> list[AttendanceCorrection]:
        rows = await corrections.corrections(
            info.context.viewer, expect_id(intervention_id, "Intervention")
        )
        return [AttendanceCorrection.from_record(row) for row in rows]


@strawberry.type
class CorrectionMutations:
    @strawberry.mutation(
        description="Sets or fixes a visit's check-in and check-out, with a reason "
        "(ADVISOR, ADMIN). The status follows the times."
    )
    async def correct_attendance(
        self, info: Info, input: CorrectAttendanceInput
    ) -> CorrectAttendancePayload:
        result = await corrections.correct(
            info.context.runtime,
            info.context.viewer,
            corrections.CorrectionData(
                intervention_id=expect_id(input.intervention_id, "Intervention"),
                reason=input.reason,
                checked_in_at=input.checked_in_at,
                checked_out_at=input.checked_out_at,
                planned_duration_invoiced=bool(input.planned_duration_invoiced),
            ),
        )
        return CorrectAttendancePayload(
            intervention=await load_intervention(info, result.intervention),
            correction=AttendanceCorrection.from_record(result.correction)
            if result.correction
            else None,
            user_errors=user_errors(result.user_errors),
        )


async def _node(viewer: Any, pk: int) -> AttendanceCorrection | None:
    record = await corrections.by_id(viewer, pk)
    return AttendanceCorrection.from_record(record) if record else None


nodes.register("AttendanceCorrection", _node)
