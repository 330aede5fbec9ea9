"""Weekly plans: staff create, change and end them; their visits follow."""

from __future__ import annotations

from datetime import date, time

import strawberry

from models.visits.visits import RecurringPlan as PlanModel
from resolvers.visits import plans
from schema.core.common import Node, UserErrorType, user_errors
from schema.core.context import Info
from schema.core.ids import expect_id, to_global_id


@strawberry.type
class RecurringPlan(Node):
    weekday: int = strawberry.field(description="0 = Monday … 6 = Sunday.")
    start_time: time = strawberry.field(description="Wall-clock time in the agency's zone.")
    duration_minutes: int
    valid_from: date
    valid_to: date | None
    materialised_until: date = strawberry.field(description="Visits exist up to this day.")
    client_id: strawberry.ID
    worker_id: strawberry.ID
    instructions: str

    @classmethod
    def from_model(cls, plan: PlanModel) -> RecurringPlan:
        return cls(
            id=strawberry.ID(to_global_id("RecurringPlan", plan.id)),
            weekday=plan.weekday,
            start_time=time(plan.start_minute // 60, plan.start_minute % 60),
            duration_minutes=plan.duration_minutes,
            valid_from=plan.valid_from,
            valid_to=plan.valid_to,
            materialised_until=plan.materialised_until,
            client_id=strawberry.ID(to_global_id("Client", plan.client_id)),
            worker_id=strawberry.ID(to_global_id("Worker", plan.worker_id)),
            instructions=plan.instructions,
        )


@strawberry.input
class RecurringPlanInput:
    client_id: strawberry.ID
    worker_id: strawberry.ID
    service_type_code: str
    weekday: int
    start_time: time
    duration_minutes: int
    valid_from: date
    valid_to: date | None = None
    address_id: strawberry.ID | None = None
    instructions: str = ""


@strawberry.input
class UpdateRecurringPlanInput:
    plan_id: strawberry.ID
    plan: RecurringPlanInput


@strawberry.input
class EndRecurringPlanInput:
    plan_id: strawberry.ID
    last_day: date


@strawberry.type
class RecurringPlanPayload:
    plan: RecurringPlan | None
    skipped_days: list[date] = strawberry.field(
        description="Days left out because the worker was already booked."
    )
    user_errors: list[UserErrorType]


def _data(value: RecurringPlanInput) -> plans.PlanData:
    return plans.PlanData(
        client_id=expect_id(value.client_id, "Client"),
        worker_id=expect_id(value.worker_id, "Worker"),
        service_type_code=value.service_type_code,
        weekday=value.weekday,
        start_time=value.start_time,
        duration_minutes=value.duration_minutes,
        valid_from=value.valid_from,
        valid_to=value.valid_to,
        address_id=expect_id(value.address_id, "Address") if value.address_id else None,
        instructions=value.instructions,
    )


def _payload(result: plans.PlanResult) -> RecurringPlanPayload:
    return RecurringPlanPayload(
        plan=RecurringPlan.from_model(result.plan) if result.plan else None,
        skipped_days=result.skipped,
        user_errors=user_errors(result.user_errors),
    )


@strawberry.type
class PlanQueries:
    @strawberry.field(description="Weekly plans of the agency (ADVISOR, ADMIN).")
    async def recurring_plans(self, info: Info) -> list[RecurringPlan]:
        return [RecurringPlan.from_model(p) for p in await plans.list_plans(info.context.viewer)]


@strawberry.type
class PlanMutations:
    @strawberry.mutation(description="Creates a weekly plan and its visits ahead (ADVISOR, ADMIN).")
    async def create_recurring_plan(
        self, info: Info, input: RecurringPlanInput
    ) -> RecurringPlanPayload:
        return _payload(await plans.create(info.context.runtime, info.context.viewer, _data(input)))

    @strawberry.mutation(description="Changes a plan from `validFrom` on; future visits follow.")
    async def update_recurring_plan(
        self, info: Info, input: UpdateRecurringPlanInput
    ) -> RecurringPlanPayload:
        result = await plans.update(
            info.context.runtime,
            info.context.viewer,
            expect_id(input.plan_id, "RecurringPlan"),
            _data(input.plan),
        )
        return _payload(result)

    @strawberry.mutation(description="Ends a plan after `lastDay`; later visits are cancelled.")
    async def end_recurring_plan(
        self, info: Info, input: EndRecurringPlanInput
    ) -> RecurringPlanPayload:
        result = await plans.end(
            info.context.runtime,
            info.context.viewer,
            expect_id(input.plan_id, "RecurringPlan"),
            input.last_day,
        )
        return _payload(result)
