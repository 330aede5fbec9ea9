"""Visits as the API shows them: the calendar, planning mutations, check-in/out, live events."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import strawberry

from models.enums import EventType as EventTypeEnum
from models.enums import InterventionStatus as InterventionStatusEnum
from models.visits.visits import Intervention as InterventionModel
from resolvers.agency import catalog
from resolvers.core import guards, live
from resolvers.core.errors import NotFound
from resolvers.visits import attendance, calendar
from resolvers.visits import planning as interventions
from schema.core import nodes
from schema.core.common import Connection, Node, Page, UserErrorType, page_size, user_errors
from schema.core.context import Context, Info
from schema.core.ids import cursor_for, expect_id, from_global_id, to_global_id
from schema.engine import planner
from schema.engine.rows import Part, RowType, column, columns
from schema.ratings.ratings import Rating
from schema.visits.anomaly_types import AttendanceAnomaly

InterventionStatus = strawberry.enum(InterventionStatusEnum, name="InterventionStatus")


@strawberry.enum(name="InterventionEventType")
class EventType(StrEnum):
    """What happened to a visit (docs/CONTRACT.md). The log holds other kinds of events too,
    carried by other subscriptions, so this list is its own and only grows on purpose."""

    SCHEDULED = EventTypeEnum.SCHEDULED.value
    RESCHEDULED = EventTypeEnum.RESCHEDULED.value
    REASSIGNED = EventTypeEnum.REASSIGNED.value
    CANCELLED = EventTypeEnum.CANCELLED.value
    ARRIVED = EventTypeEnum.ARRIVED.value
    DEPARTED = EventTypeEnum.DEPARTED.value
    LATE = EventTypeEnum.LATE.value
    MISSED = EventTypeEnum.MISSED.value


@strawberry.type
class ServiceType(Node):
    code: str
    label: str
    hourly_rate: str = strawberry.field(description='Euros excluding VAT, e.g. "30.00".')
    vat_rate: str = strawberry.field(description='Percent, e.g. "10.00".')
    tax_credit_eligible: bool


@strawberry.type(name="InterventionServiceType")
class ServiceTypeSummary:
    code: str
    label: str


@strawberry.type
class WorkerSummary:
    id: strawberry.ID
    display_name: str


@strawberry.type
class ClientSummary:
    id: strawberry.ID
    display_name: str = strawberry.field(
        description="First and last name, for those who may read the visit: the client, "
        "staff of its agency, the worker assigned."
    )


@strawberry.type
class InterventionAddress:
    line1: str
    line2: str
    postal_code: str
    city: str


def minutes_between(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return int((end - start).total_seconds() // 60)


@strawberry.type
class Intervention(Node):
    status: InterventionStatus  # type: ignore[valid-type]
    scheduled_start: datetime
    scheduled_end: datetime
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    late: bool = strawberry.field(description="Nobody had checked in a while after the start.")
    position_flagged: bool = strawberry.field(
        description="A check-in or check-out position was far from the address."
    )
    instructions: str
    cancellation_reason: str
    service_type: ServiceTypeSummary
    worker: WorkerSummary | None
    client: ClientSummary
    address: InterventionAddress

    @strawberry.field(description="Minutes between check-in and check-out, once both exist.")
    def actual_minutes(self) -> int | None:
        return minutes_between(self.checked_in_at, self.checked_out_at)

    @strawberry.field(description="Attendance anomalies flagged on the visit (staff only).")
    async def anomalies(self, info: Info, open_only: bool = False) -> list[AttendanceAnomaly]:
        viewer = info.context.viewer
        if viewer is None or not viewer.is_staff:
            return []
        rows = await info.context.loaders.anomalies_by_visit.load(
            (viewer, from_global_id(self.id)[1])
        )
        return [
            AttendanceAnomaly.from_view(row)
            for row in rows
            if not (open_only and row.resolved_at is not None)
        ]

    @strawberry.field(description="The client's rating: seen by the client and agency staff only.")
    async def rating(self, info: Info) -> Rating | None:
        viewer = info.context.viewer
        if viewer is None:
            return None
        row = await info.context.loaders.rating_by_visit.load((viewer, from_global_id(self.id)[1]))
        return Rating.from_model(row) if row else None


def _gid(type_name: str) -> Any:
    return lambda pk: strawberry.ID(to_global_id(type_name, pk))


# A visit as calendar rows hold it (resolvers/visits/calendar.py ROW_FIELDS): read into objects
# for graphql-core, or straight to JSON for planned queries (schema/engine/planner.py).
INTERVENTION_ROWS = RowType(
    Intervention,
    {
        "id": column("id", _gid("Intervention")),
        "status": column("status"),
        "scheduled_start": column("scheduled_start"),
        "scheduled_end": column("scheduled_end"),
        "checked_in_at": column("checked_in_at"),
        "checked_out_at": column("checked_out_at"),
        "late": column("late_at", lambda late_at: late_at is not None),
        "position_flagged": column("position_flagged"),
        "instructions": column("instructions"),
        "cancellation_reason": column("cancellation_reason"),
        "service_type": Part(
            RowType(
                ServiceTypeSummary,
                {"code": column("service_type__code"), "label": column("service_type__label")},
            )
        ),
        "worker": Part(
            RowType(
                WorkerSummary,
                {
                    "id": column("worker_id", _gid("Worker")),
                    "display_name": columns(
                        "worker__account__first_name",
                        "worker__account__last_name",
                        read=lambda first, last: f"{first} {(last or '')[:1]}.",
                    ),
                },
            ),
            unless_null="worker_id",
        ),
        "client": Part(
            RowType(
                ClientSummary,
                {
                    "id": column("client_id", _gid("Client")),
                    "display_name": columns(
                        "client__account__first_name",
                        "client__account__last_name",
                        read=lambda first, last: f"{first} {last}".strip(),
                    ),
                },
            )
        ),
        "address": Part(
            RowType(
                InterventionAddress,
                {
                    "line1": column("address__line1"),
                    "line2": column("address__line2"),
                    "postal_code": column("address__postal_code"),
                    "city": column("address__city"),
                },
            )
        ),
    },
    computed={"actual_minutes": columns("checked_in_at", "checked_out_at", read=minutes_between)},
)


async def load_intervention(info: Info, visit: InterventionModel | None) -> Intervention | None:
    """The visit as the viewer may see it, read as a plain row."""
    if visit is None:
        return None
    rows = await calendar.by_ids(info.context.viewer, [visit.id])
    return INTERVENTION_ROWS.build(rows[0]) if rows else None


@strawberry.input
class InterventionFilter:
    from_: datetime = strawberry.field(name="from")
    to: datetime
    status: list[InterventionStatus] | None = None  # type: ignore[valid-type]
    client_id: strawberry.ID | None = None
    worker_id: strawberry.ID | None = None


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


def _money(cents: int) -> str:
    return str((Decimal(cents) / 100).quantize(Decimal("0.01")))


@strawberry.type
class InterventionQueries:
    @strawberry.field(description="Services the agency offers, with hourly rate and VAT.")
    async def service_types(self, info: Info) -> list[ServiceType]:
        guards.signed_in(info.context.viewer)
        return [
            ServiceType(
                id=strawberry.ID(to_global_id("ServiceType", row.id)),
                code=row.code,
                label=row.label,
                hourly_rate=_money(row.hourly_rate_cents),
                vat_rate=_money(row.vat_rate_bp),
                tax_credit_eligible=row.tax_credit_eligible,
            )
            for row in await catalog.service_types()
        ]

    @strawberry.field(description="Visits in a period, scoped to the viewer, by start time.")
    async def interventions(
        self,
        info: Info,
        filter: InterventionFilter,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Intervention]:
        page = await _calendar_page(info.context, None, filter, first, after)
        return page.connection(INTERVENTION_ROWS)

    @strawberry.field
    async def intervention(self, info: Info, id: strawberry.ID) -> Intervention:
        row = await _one_visit(info.context, None, id)
        if row is None:
            raise NotFound("Intervention introuvable.")
        return INTERVENTION_ROWS.build(row)

    @strawberry.field(
        description="Cursor of the last event you may see. Read it with the calendar, then "
        "subscribe to interventionEvents(since:) with it: nothing falls in between."
    )
    async def intervention_events_cursor(self, info: Info) -> str:
        return cursor_for(await live.head(info.context.viewer))

    @strawberry.field(description="Finished, cancelled and missed visits, the latest slot first.")
    async def intervention_history(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Intervention]:
        page = await _history_page(info.context, None, first, after)
        return page.connection(INTERVENTION_ROWS)


# What the resolvers above read, with every column (`columns=None`) for graphql-core, or
# with the columns of a document for the planner, which answers it without them.


def _page(rows: list[dict[str, Any]], size: int, after: str | None) -> Page:
    cursors = [calendar.encode_position(r["scheduled_start"], r["id"]) for r in rows]
    return Page(rows, cursors, size, after is not None)


async def _calendar_page(
    context: Context,
    columns: tuple[str, ...] | None,
    filter: InterventionFilter,
    first: int | None = None,
    after: str | None = None,
) -> Page:
    size = page_size(first)
    flt = calendar.CalendarFilter(
        start=filter.from_,
        end=filter.to,
        statuses=list(filter.status) if filter.status else None,
        client_id=expect_id(filter.client_id, "Client") if filter.client_id else None,
        worker_id=expect_id(filter.worker_id, "Worker") if filter.worker_id else None,
    )
    return _page(await calendar.calendar(context.viewer, flt, size, after, columns), size, after)


async def _history_page(
    context: Context,
    columns: tuple[str, ...] | None,
    first: int | None = None,
    after: str | None = None,
) -> Page:
    size = page_size(first)
    return _page(await calendar.history(context.viewer, size, after, columns), size, after)


async def _one_visit(
    context: Context, columns: tuple[str, ...] | None, id: strawberry.ID
) -> dict[str, Any] | None:
    rows = await calendar.by_ids(context.viewer, [expect_id(id, "Intervention")], columns)
    return rows[0] if rows else None


planner.plan_connection("interventions", INTERVENTION_ROWS, _calendar_page)
planner.plan_connection("interventionHistory", INTERVENTION_ROWS, _history_page)
planner.plan_object("intervention", INTERVENTION_ROWS, _one_visit)


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


async def _node(viewer: Any, pk: int) -> Intervention | None:
    rows = await calendar.by_ids(viewer, [pk])
    return INTERVENTION_ROWS.build(rows[0]) if rows else None


nodes.register("Intervention", _node)
