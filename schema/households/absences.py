"""Absences: a household says it is away; its visits are handled by the agency's policy."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from models.households.absences import Absence as AbsenceModel
from models.households.absences import AbsenceVisit as AbsenceVisitModel
from resolvers.households import absences
from schema.agency.policy import AbsencePolicy
from schema.core.common import Node, UserErrorType, user_errors
from schema.core.context import Info
from schema.core.ids import expect_id, to_global_id


@strawberry.type
class AbsenceVisit:
    intervention_id: strawberry.ID
    to_reschedule: bool = strawberry.field(
        description="Cancelled for the absence, offered for rescheduling: the client asks "
        "for a new slot for it (requestChange NEW_SLOT)."
    )
    rescheduled_at: datetime | None = strawberry.field(
        description="When its new slot was approved."
    )


@strawberry.type
class Absence(Node):
    client_id: strawberry.ID
    from_: date = strawberry.field(name="from", description="First day away (agency's day).")
    to: date = strawberry.field(description="Last day away, included.")
    note: str
    policy: AbsencePolicy  # type: ignore[valid-type]
    created_at: datetime
    visits: list[AbsenceVisit] = strawberry.field(description="The visits it took out.")

    @classmethod
    def from_model(cls, row: AbsenceModel, visits: list[AbsenceVisitModel]) -> Absence:
        return cls(
            id=strawberry.ID(to_global_id("Absence", row.id)),
            client_id=strawberry.ID(to_global_id("Client", row.client_id)),
            from_=row.first_day,
            to=row.last_day,
            note=row.note,
            policy=row.policy,
            created_at=row.created_at,
            visits=[
                AbsenceVisit(
                    intervention_id=strawberry.ID(to_global_id("Intervention", v.intervention_id)),
                    to_reschedule=v.to_reschedule,
                    rescheduled_at=v.rescheduled_at,
                )
                for v in visits
            ],
        )


@strawberry.input
class DeclareAbsenceInput:
    from_: date = strawberry.field(name="from")
    to: date
    note: str = ""


@strawberry.type
class AbsencePayload:
    absence: Absence | None
    user_errors: list[UserErrorType]


@strawberry.type
class AbsenceQueries:
    @strawberry.field(
        description="Absences, the latest first: a client's own, or the agency's (staff), "
        "optionally of one client."
    )
    async def absences(self, info: Info, client_id: strawberry.ID | None = None) -> list[Absence]:
        pk = expect_id(client_id, "Client") if client_id is not None else None
        rows = await absences.listed(info.context.viewer, pk)
        return [Absence.from_model(row, list(row.visits)) for row in rows]


@strawberry.type
class AbsenceMutations:
    @strawberry.mutation(
        description="Declares the household away; visits in the period are cancelled or offered "
        "for rescheduling per the agency's policy, weekly plans skip it (verified CLIENT)."
    )
    async def declare_absence(self, info: Info, input: DeclareAbsenceInput) -> AbsencePayload:
        result = await absences.declare(
            info.context.runtime, info.context.viewer, input.from_, input.to, input.note
        )
        return AbsencePayload(
            absence=Absence.from_model(result.absence, result.visits) if result.absence else None,
            user_errors=user_errors(result.user_errors),
        )
