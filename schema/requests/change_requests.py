"""Change requests: clients ask, staff decide, both follow them live (`requestEvents`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

import strawberry

from models.enums import ChangeRequestKind as KindEnum
from models.enums import ChangeRequestStatus as StatusEnum
from models.requests import ChangeRequest as RequestModel
from resolvers.core.runtime import Viewer
from resolvers.requests import asking as change_requests
from resolvers.requests import inputs as change_input
from resolvers.requests import review as change_review
from resolvers.requests.rules import RuleCheck as RuleCheckValue
from schema.core import nodes
from schema.core.common import (
    Connection,
    Node,
    Page,
    UserErrorType,
    connection,
    connection_by_id,
    page_size,
    user_errors,
)
from schema.core.context import Context, Info
from schema.core.ids import after_pk, cursor_for, expect_id
from schema.engine import plans
from schema.engine.row_fields import Fetched, column, global_id
from schema.engine.rows import RowType

ChangeRequestKind = strawberry.enum(KindEnum, name="ChangeRequestKind")
ChangeRequestStatus = strawberry.enum(StatusEnum, name="ChangeRequestStatus")


@strawberry.type
class RuleCheck:
    rule: str = strawberry.field(description="EDITABLE, NOTICE, OPENING_HOURS or WORKER_FREE.")
    passed: bool
    message: str = strawberry.field(description="Why it failed, in French; empty if passed.")

    @classmethod
    def from_value(cls, value: RuleCheckValue) -> RuleCheck:
        return cls(rule=value.rule, passed=value.passed, message=value.message)


@strawberry.type
class ChangeRequest(Node):
    kind: ChangeRequestKind  # type: ignore[valid-type]
    status: ChangeRequestStatus  # type: ignore[valid-type]
    client_id: strawberry.ID
    intervention_id: strawberry.ID | None
    plan_id: strawberry.ID | None
    service_type_code: str | None
    scheduled_start: datetime | None
    scheduled_end: datetime | None
    duration_minutes: int | None
    weekday: int | None
    start_time: time | None
    valid_from: date | None
    note: str
    late: bool = strawberry.field(
        description="A cancellation inside the notice period: it may be invoiced."
    )
    created_at: datetime
    decided_at: datetime | None
    decision_reason: str
    auto_approved: bool
    result_intervention_id: strawberry.ID | None = strawberry.field(
        description="The visit an approved extra-visit request created."
    )
    checks: list[RuleCheck] = strawberry.field(
        description="The rules: evaluated when the request is made and in staff's pending "
        "list (as of now); empty elsewhere."
    )

    @classmethod
    def from_model(
        cls, row: RequestModel, codes: Mapping[int, str], checks: list[RuleCheckValue] | None = None
    ) -> ChangeRequest:
        given = {
            "service_type_code": codes.get(row.service_type_id) if row.service_type_id else None,
            "checks": [RuleCheck.from_value(c) for c in checks or []],
        }
        return REQUEST_ROWS.from_model(row, given=given)


def _start_time(minute: int | None) -> time | None:
    return time(minute // 60, minute % 60) if minute is not None else None


# Declared once, for both ways of answering (schema/engine/rows.py); `node(id:)` answers
# a request from its row (the service's code and the rule checks are read apart: never
# planned).
REQUEST_ROWS = RowType(
    ChangeRequest,
    {
        "id": global_id("id", "ChangeRequest"),
        "kind": column("kind"),
        "status": column("status"),
        "client_id": global_id("client_id", "Client"),
        "intervention_id": global_id("intervention_id", "Intervention"),
        "plan_id": global_id("plan_id", "RecurringPlan"),
        "scheduled_start": column("requested_start"),
        "scheduled_end": column("requested_end"),
        "duration_minutes": column("duration_minutes"),
        "weekday": column("weekday"),
        "start_time": column("start_minute", _start_time),
        "valid_from": column("valid_from"),
        "note": column("note"),
        "late": column("late"),
        "created_at": column("created_at"),
        "decided_at": column("decided_at"),
        "decision_reason": column("decision_reason"),
        "auto_approved": column("auto_approved"),
        "result_intervention_id": global_id("result_intervention_id", "Intervention"),
    },
    given=("service_type_code", "checks"),
)


# A rule check as a row: what the pending requests' plan writes (`PENDING_ROWS`).
CHECK_ROWS = RowType(
    RuleCheck, {"rule": column("rule"), "passed": column("passed"), "message": column("message")}
)


async def _pending_checks(
    context: Context, columns: tuple[str, ...], rows: list[Mapping[str, Any]]
) -> Mapping[int, list[Mapping[str, Any]]]:
    """The rule checks of pending requests' rows, evaluated now, as `CHECK_ROWS` rows."""
    found = await change_review.pending_checks(context.viewer, rows)
    return {pk: [CHECK_ROWS.row_of(check) for check in checks] for pk, checks in found.items()}


# The staff's pending list, planned: the rule checks its resolver hands in are worked out
# from the page's rows, for the whole page at once, as the resolver does.
PENDING_ROWS = RowType(
    ChangeRequest,
    REQUEST_ROWS.fields,
    fetched={
        "checks": Fetched(
            CHECK_ROWS, "id", _pending_checks, many=True, reads=change_review.RULE_COLUMNS
        )
    },
    given=("service_type_code",),
)


async def _pending_page(
    context: Context,
    columns: tuple[str, ...] | None,
    first: int | None = None,
    after: str | None = None,
) -> Page:
    size = page_size(first)
    rows = await change_review.pending_rows(context.viewer, size, after_pk(after), columns)
    return Page.by_id(rows, size, after)


async def service_codes(rows: Iterable[RequestModel]) -> Mapping[int, str]:
    """The catalogue's codes, holding those of `rows` (read once per process)."""
    return await change_review.service_codes(row.service_type_id for row in rows)


@strawberry.input
class RequestChangeInput:
    kind: ChangeRequestKind  # type: ignore[valid-type]
    intervention_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="NEW_SLOT, NEW_DURATION, CANCELLATION, SERVICE_CHANGE of one visit.",
    )
    plan_id: strawberry.ID | None = strawberry.field(
        default=None, description="PLAN_CHANGE, SERVICE_CHANGE of a weekly plan."
    )
    service_type_code: str | None = strawberry.field(
        default=None, description="EXTRA_VISIT, SERVICE_CHANGE."
    )
    scheduled_start: datetime | None = strawberry.field(
        default=None, description="EXTRA_VISIT, NEW_SLOT."
    )
    scheduled_end: datetime | None = None
    duration_minutes: int | None = strawberry.field(
        default=None, description="NEW_DURATION, PLAN_CHANGE."
    )
    weekday: int | None = strawberry.field(default=None, description="PLAN_CHANGE: 0 = Monday.")
    start_time: time | None = strawberry.field(default=None, description="PLAN_CHANGE.")
    valid_from: date | None = strawberry.field(default=None, description="PLAN_CHANGE.")
    note: str = strawberry.field(default="", description="For the agency (family visit, works…).")


@strawberry.input
class CancelChangeRequestInput:
    request_id: strawberry.ID


@strawberry.enum
class ReviewDecision(StrEnum):
    APPROVE = "APPROVE"
    REJECT = "REJECT"


@strawberry.input
class ReviewChangeRequestInput:
    request_id: strawberry.ID
    decision: ReviewDecision
    reason: str = strawberry.field(
        default="", description="Required to reject; shown to the client."
    )
    worker_id: strawberry.ID | None = strawberry.field(
        default=None, description="Extra visit: who goes (default: the client's usual worker)."
    )


@strawberry.type
class ChangeRequestPayload:
    request: ChangeRequest | None
    user_errors: list[UserErrorType]


async def _payload(result: change_requests.RequestResult) -> ChangeRequestPayload:
    row = result.request
    return ChangeRequestPayload(
        request=ChangeRequest.from_model(row, await service_codes([row]), result.checks)
        if row
        else None,
        user_errors=user_errors(result.user_errors),
    )


def _opt(value: strawberry.ID | None, type_name: str) -> int | None:
    return expect_id(value, type_name) if value is not None else None


@strawberry.type
class ChangeRequestQueries:
    @strawberry.field(
        description="Pending requests of the agency, oldest first, rules evaluated (staff)."
    )
    async def pending_change_requests(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[ChangeRequest]:
        size = page_size(first)
        rows = await change_review.pending(info.context.viewer, size, after_pk(after))
        codes = await service_codes(r.request for r in rows)
        return connection(
            [ChangeRequest.from_model(r.request, codes, r.checks) for r in rows],
            [cursor_for(r.request.id) for r in rows],
            size,
            after is not None,
        )

    @strawberry.field(description="The client's own requests, the latest first (CLIENT).")
    async def my_change_requests(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[ChangeRequest]:
        size = page_size(first)
        rows = await change_review.mine(info.context.viewer, size, after_pk(after))
        codes = await service_codes(rows)
        return connection_by_id(rows, lambda r: ChangeRequest.from_model(r, codes), size, after)


@strawberry.type
class ChangeRequestMutations:
    @strawberry.mutation(description="Asks the agency for a change (verified CLIENT).")
    async def request_change(self, info: Info, input: RequestChangeInput) -> ChangeRequestPayload:
        data = change_input.RequestData(
            kind=input.kind,
            intervention_id=_opt(input.intervention_id, "Intervention"),
            plan_id=_opt(input.plan_id, "RecurringPlan"),
            service_type_code=input.service_type_code,
            scheduled_start=input.scheduled_start,
            scheduled_end=input.scheduled_end,
            duration_minutes=input.duration_minutes,
            weekday=input.weekday,
            start_time=input.start_time,
            valid_from=input.valid_from,
            note=input.note,
        )
        result = await change_requests.request_change(
            info.context.runtime, info.context.viewer, data
        )
        return await _payload(result)

    @strawberry.mutation(description="Withdraws a request still pending (its CLIENT).")
    async def cancel_change_request(
        self, info: Info, input: CancelChangeRequestInput
    ) -> ChangeRequestPayload:
        result = await change_review.withdraw(
            info.context.runtime, info.context.viewer, expect_id(input.request_id, "ChangeRequest")
        )
        return await _payload(result)

    @strawberry.mutation(
        description="Approves (the change is made) or rejects with a reason (ADVISOR, ADMIN)."
    )
    async def review_change_request(
        self, info: Info, input: ReviewChangeRequestInput
    ) -> ChangeRequestPayload:
        result = await change_review.review(
            info.context.runtime,
            info.context.viewer,
            expect_id(input.request_id, "ChangeRequest"),
            input.decision is ReviewDecision.APPROVE,
            input.reason,
            _opt(input.worker_id, "Worker"),
        )
        return await _payload(result)


async def _node(viewer: Viewer, pk: int) -> ChangeRequest | None:
    row = await change_review.visible(viewer, pk)
    return ChangeRequest.from_model(row, await service_codes([row])) if row else None


nodes.register("ChangeRequest", _node)
nodes.register_rows("ChangeRequest", REQUEST_ROWS, change_review.visible_row)
plans.plan_connection("pendingChangeRequests", PENDING_ROWS, _pending_page)
