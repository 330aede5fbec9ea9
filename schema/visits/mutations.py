"""Changing visits: planning (schedule, move, reassign, cancel) and check-in/out."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers.visits import attendance
from resolvers.visits import planning as interventions
from schema.core.common import UserErrorType, user_errors
from schema.core.context import Info
from schema.core.ids import expect_id
from schema.visits.types import INTERVENTION_ROWS, Intervention, load_intervention


@strawberry.input
class ScheduleInterventionInput:
    client_id: strawberry.ID
    worker_id: strawberry.ID
    service_type_code: str
    scheduled_start: datetime
    scheduled_end: datetime
    address_id: strawberry.ID | None = None
    note: str | None = None


@strawberry.input
class RescheduleInterventionInput:
    intervention_id: strawberry.ID
    scheduled_start: datetime
    scheduled_end: datetime


@strawberry.input
class ReassignInterventionInput:
    intervention_id: strawberry.ID
    worker_id: strawberry.ID


@strawberry.input
class CancelInterventionInput:
    intervention_id: strawberry.ID
    reason: str


@strawberry.input
class CheckInInput:
    intervention_id: strawberry.ID
    latitude: float | None = None
    longitude: float | None = None
    idempotency_key: str | None = None


@strawberry.input
class CheckOutInput:
    intervention_id: strawberry.ID
    latitude: float | None = None
    longitude: float | None = None
    idempotency_key: str | None = None


@strawberry.type
class InterventionPayload:
    intervention: Intervention | None
    user_errors: list[UserErrorType]


async def _payload(info: Info, result: interventions.InterventionResult) -> InterventionPayload:
    intervention: Intervention | None
    if result.shown is not None:
        intervention = INTERVENTION_ROWS.build(result.shown)
    else:
        intervention = await load_intervention(info, result.intervention)
    return InterventionPayload(
        intervention=intervention, user_errors=user_errors(result.user_errors)
    )


@strawberry.type
class InterventionMutations:
    @strawberry.mutation(description="Plans a visit (ADVISOR, ADMIN).")
    async def schedule_intervention(
        self, info: Info, input: ScheduleInterventionInput
    ) -> InterventionPayload:
        result = await interventions.schedule(
            info.context.runtime,
            info.context.viewer,
            interventions.ScheduleData(
                client_id=expect_id(input.client_id, "Client"),
                worker_id=expect_id(input.worker_id, "Worker"),
                service_type_code=input.service_type_code,
                scheduled_start=input.scheduled_start,
                scheduled_end=input.scheduled_end,
                address_id=expect_id(input.address_id, "Address") if input.address_id else None,
                note=input.note,
            ),
        )
        return await _payload(info, result)

    @strawberry.mutation(description="Moves a visit that has not started (ADVISOR, ADMIN).")
    async def reschedule_intervention(
        self, info: Info, input: RescheduleInterventionInput
    ) -> InterventionPayload:
        result = await interventions.reschedule(
            info.context.runtime,
            info.context.viewer,
            expect_id(input.intervention_id, "Intervention"),
            input.scheduled_start,
            input.scheduled_end,
        )
        return await _payload(info, result)

    @strawberry.mutation(description="Gives a visit to another worker (ADVISOR, ADMIN).")
    async def reassign_intervention(
        self, info: Info, input: ReassignInterventionInput
    ) -> InterventionPayload:
        result = await interventions.reassign(
            info.context.runtime,
            info.context.viewer,
            expect_id(input.intervention_id, "Intervention"),
            expect_id(input.worker_id, "Worker"),
        )
        return await _payload(info, result)

    @strawberry.mutation(description="Cancels a visit that has not started (ADVISOR, ADMIN).")
    async def cancel_intervention(
        self, info: Info, input: CancelInterventionInput
    ) -> InterventionPayload:
        result = await interventions.cancel(
            info.context.runtime,
            info.context.viewer,
            expect_id(input.intervention_id, "Intervention"),
            input.reason,
        )
        return await _payload(info, result)

    @strawberry.mutation(
        description="The assigned worker's arrival; retries with the same key are safe."
    )
    async def check_in(self, info: Info, input: CheckInInput) -> InterventionPayload:
        return await _attend(info, input, arriving=True)

    @strawberry.mutation(
        description="The assigned worker's departure; retries with the same key are safe."
    )
    async def check_out(self, info: Info, input: CheckOutInput) -> InterventionPayload:
        return await _attend(info, input, arriving=False)


async def _attend(
    info: Info, input: CheckInInput | CheckOutInput, *, arriving: bool
) -> InterventionPayload:
    use_case = attendance.check_in if arriving else attendance.check_out
    result = await use_case(
        info.context.runtime,
        info.context.viewer,
        expect_id(input.intervention_id, "Intervention"),
        input.latitude,
        input.longitude,
        input.idempotency_key,
    )
    return await _payload(info, result)
