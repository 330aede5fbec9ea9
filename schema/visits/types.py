"""A visit as the API shows it, and how it is read from calendar rows.

Queries, mutations and the live events of visits build on these types: queries.py,
mutations.py, subscriptions.py beside this module.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import strawberry

from models.enums import EventType as EventTypeEnum
from models.enums import InterventionStatus as InterventionStatusEnum
from models.visits.visits import Intervention as InterventionModel
from resolvers.visits import calendar
from schema.core import nodes
from schema.core.common import Node
from schema.core.context import Info
from schema.core.ids import from_global_id
from schema.engine.row_fields import Fetched, Part, column, columns, global_id
from schema.engine.rows import RowType
from schema.ratings.ratings import (
    RATING_ROWS,
    VISIT_RATING_COLUMNS,
    Rating,
    ratings_of_visits,
)
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


# A visit as calendar rows hold it (resolvers/visits/calendar.py ROW_FIELDS): read into objects
# for graphql-core, or straight to JSON for planned queries (schema/engine/planner.py).
INTERVENTION_ROWS = RowType(
    Intervention,
    {
        "id": global_id("id", "Intervention"),
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
                    "id": global_id("worker_id", "Worker"),
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
                    "id": global_id("client_id", "Client"),
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
    fetched={
        "rating": Fetched(
            RATING_ROWS, key="id", fetch=ratings_of_visits, reads=VISIT_RATING_COLUMNS
        )
    },
)


async def load_intervention(info: Info, visit: InterventionModel | None) -> Intervention | None:
    """The visit as the viewer may see it, read as a plain row."""
    if visit is None:
        return None
    rows = await calendar.by_ids(info.context.viewer, [visit.id])
    return INTERVENTION_ROWS.build(rows[0]) if rows else None


async def _node_row(viewer: Any, pk: int, columns: tuple[str, ...]) -> dict[str, Any] | None:
    rows = await calendar.by_ids(viewer, [pk], columns)
    return rows[0] if rows else None


nodes.register_rows("Intervention", INTERVENTION_ROWS, _node_row)
