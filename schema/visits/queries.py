"""Reading visits: the service catalogue, the calendar, one visit, the history.

Each list is answered by graphql-core or, for a plain document, straight from rows by the
planner (schema/engine/planner.py): both read the same pages below.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry

from resolvers.agency import catalog
from resolvers.core import guards, live
from resolvers.core.errors import NotFound
from resolvers.visits import calendar
from schema.core.common import Connection, Page, page_size
from schema.core.context import Context, Info
from schema.core.ids import cursor_for, expect_id, to_global_id
from schema.engine import plans
from schema.visits.types import INTERVENTION_ROWS, Intervention, InterventionStatus, ServiceType


@strawberry.input
class InterventionFilter:
    from_: datetime = strawberry.field(name="from")
    to: datetime
    status: list[InterventionStatus] | None = None  # type: ignore[valid-type]
    client_id: strawberry.ID | None = None
    worker_id: strawberry.ID | None = None


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
        return await _events_cursor(info.context)

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


async def _events_cursor(context: Any) -> str:
    """`interventionEventsCursor`, for the resolver and the planner alike."""
    return cursor_for(await live.head(context.viewer))


plans.plan_connection("interventions", INTERVENTION_ROWS, _calendar_page)
plans.plan_connection("interventionHistory", INTERVENTION_ROWS, _history_page)
plans.plan_object("intervention", INTERVENTION_ROWS, _one_visit)
plans.plan_value("interventionEventsCursor", _events_cursor)
