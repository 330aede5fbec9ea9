"""Staff decide on change requests; clients withdraw theirs; both list them.

Staff act only on their agency's requests, a client only on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models.accounts.people import Worker
from models.enums import ChangeRequestStatus, EventType
from models.households.absences import AbsenceVisit
from models.requests import ChangeRequest
from models.visits.visits import Intervention, RecurringPlan, ServiceType
from resolvers.core import guards, nodes
from resolvers.core.errors import UserError, user_error
from resolvers.core.prepared import (
    TRUTH,
    PreparedRows,
    every_field,
    get_by_id,
    loaded,
    truth,
    utc,
)
from resolvers.core.runtime import Runtime, Viewer
from resolvers.requests.apply import Refused
from resolvers.requests.asking import (
    MAX_REASON,
    RequestResult,
    after_commit,
    client_of,
    decide_pending,
    request_event,
)
from resolvers.requests.rule_context import (
    PLAN_COLUMNS,
    REQUEST_COLUMNS,
    VISIT_COLUMNS,
    context_for,
    next_busy_column,
)
from resolvers.requests.rules import RuleCheck, evaluate
from services.clock import utcnow


@dataclass(frozen=True)
class Reviewed:
    request: ChangeRequest
    checks: list[RuleCheck]


def _failure(field: str | None, message: str, code: str) -> RequestResult:
    return RequestResult(None, [user_error(field, message, code)])


async def review(
    rt: Runtime,
    viewer: Viewer | None,
    request_id: int,
    approve: bool,
    reason: str,
    worker_id: int | None,
) -> RequestResult:
    staff = guards.staff(viewer)
    request = await ChangeRequest.get_or_none(id=request_id, agency_id=staff.agency_id)
    if request is None:
        return _failure("requestId", "Demande introuvable.", "NOT_FOUND")
    reason = reason.strip()
    errors: list[UserError] = []
    if len(reason) > MAX_REASON:
        errors.append(user_error("reason", "500 caractères au plus.", "TOO_LONG"))
    if not approve and not reason:
        errors.append(user_error("reason", "Indiquez le motif du refus.", "REASON_REQUIRED"))
    if worker_id is not None and not await Worker.exists(id=worker_id, agency_id=staff.agency_id):
        errors.append(
            user_error("workerId", "Intervenant inconnu dans votre agence.", "NOT_IN_AGENCY")
        )
    if request.status is not ChangeRequestStatus.PENDING:
        errors.append(user_error("requestId", "Cette demande est déjà traitée.", "NOT_PENDING"))
    if errors:
        return RequestResult(None, errors)
    try:
        written = await decide_pending(rt, request.id, approve, reason, worker_id, staff.person_id)
    except Refused as refused:
        return RequestResult(None, refused.errors)
    if not written:
        return _failure("requestId", "Cette demande est déjà traitée.", "NOT_PENDING")
    await after_commit(rt, written)
    await request.refresh_from_db()
    return RequestResult(request, [])


async def withdraw(rt: Runtime, viewer: Viewer | None, request_id: int) -> RequestResult:
    """The client takes back a request the agency has not decided yet."""
    _, client_id = await client_of(viewer)
    request = await ChangeRequest.get_or_none(id=request_id, client_id=client_id)
    if request is None:
        return _failure("requestId", "Demande introuvable.", "NOT_FOUND")
    now = utcnow()
    async with in_transaction():
        changed = await ChangeRequest.filter(
            id=request.id, status=ChangeRequestStatus.PENDING
        ).update(status=ChangeRequestStatus.WITHDRAWN, decided_at=now)
        if not changed:
            return _failure("requestId", "Cette demande est déjà traitée.", "NOT_PENDING")
        await request.refresh_from_db()
        written = [await request_event(EventType.REQUEST_WITHDRAWN, request, now)]
    await after_commit(rt, written)
    return RequestResult(request, [])


_SERVICE_CODES = PreparedRows(ServiceType, ("id", "code"))
# A service type's code never changes and types are only ever added (by migrations): the
# catalogue is read once per process, and again when a row names a type it does not hold.
_CODES: dict[int, str] = {}


async def service_codes(needed: Iterable[int | None] = ()) -> Mapping[int, str]:
    """Every service type's code by id (a handful of rows), holding every id of `needed`:
    the process's own map, read-only to callers."""
    if not _CODES or any(pk is not None and pk not in _CODES for pk in needed):
        rows = await _SERVICE_CODES.fetch("all", lambda v: ServiceType.all(), {})
        _CODES.update((row["id"], row["code"]) for row in rows)
    return _CODES


# What the rules read (`rules.evaluate`), the visit and the weekly plan joined by the
# page's statement (`<fk>__id` is null when there is none).
RULE_COLUMNS = (
    *REQUEST_COLUMNS,
    *(f"intervention__{name}" for name in VISIT_COLUMNS),
    *(f"plan__{name}" for name in PLAN_COLUMNS),
    "offered_rank",  # "1": its visit is one an absence offered for rescheduling
    "next_busy",  # rule_context.next_busy_column()
)


async def pending_rows(
    viewer: Viewer | None, first: int, after_id: int | None, columns: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """The agency's pending requests, oldest first (staff): `first + 1` rows, with
    `columns` (None: every field) and `id`."""
    staff = guards.staff(viewer)
    inputs: dict[str, Any] = {
        "agency": staff.agency_id or 0,
        "status": ChangeRequestStatus.PENDING,
        "size": first + 1,
    }
    if after_id is not None:
        inputs["after"] = after_id
    ranked = columns is not None and "offered_rank" in columns
    if ranked:
        inputs.update(to_reschedule=True, **TRUTH)

    def build(v: Mapping[str, Any]) -> QuerySet[ChangeRequest]:
        query = ChangeRequest.filter(agency_id=v["agency"], status=v["status"])
        if "after" in v:
            query = query.filter(id__gt=v["after"])
        if "to_reschedule" in v:
            offers = AbsenceVisit.filter(rescheduled_at=None, to_reschedule=v["to_reschedule"])
            offered = Q(intervention_id__in=Subquery(offers.values("intervention_id")))
            query = query.annotate(offered_rank=truth(offered, v), next_busy=next_busy_column())
        return query.order_by("id").limit(v["size"])

    every = every_field(ChangeRequest)
    fields = None if columns is None else tuple(dict.fromkeys(("id", *columns)))
    return await every.fetch(("pending", "after" in inputs, ranked), build, inputs, fields)


async def pending(viewer: Viewer | None, first: int, after_id: int | None) -> list[Reviewed]:
    """The agency's pending requests, oldest first, each with its rules evaluated now."""
    every = every_field(ChangeRequest).fields
    found = await pending_rows(viewer, first, after_id, (*every, *RULE_COLUMNS))
    checks = await pending_checks(viewer, found)
    return [Reviewed(loaded(ChangeRequest, row, every), checks[row["id"]]) for row in found]


async def pending_checks(
    viewer: Viewer | None, rows: Sequence[Mapping[str, Any]]
) -> dict[int, list[RuleCheck]]:
    """The rules of pending requests of the viewer's agency, evaluated now (staff), by
    request id, from their rows holding `RULE_COLUMNS`."""
    staff = guards.staff(viewer)
    requests = [loaded(ChangeRequest, row, REQUEST_COLUMNS) for row in rows]
    visits = {
        row["intervention__id"]: loaded(Intervention, row, VISIT_COLUMNS, "intervention__")
        for row in rows
        if row["intervention__id"] is not None
    }
    plans = {
        row["plan__id"]: loaded(RecurringPlan, row, PLAN_COLUMNS, "plan__")
        for row in rows
        if row["plan__id"] is not None
    }
    offered = {row["intervention_id"] for row in rows if int(row["offered_rank"]) == 1}
    busy = {row["id"]: utc(row["next_busy"]) for row in rows}
    ctx = await context_for(staff.agency_id or 0, requests, utcnow(), visits, plans, offered, busy)
    return {request.id: evaluate(request, ctx) for request in requests}


async def mine(viewer: Viewer | None, first: int, before_id: int | None) -> list[ChangeRequest]:
    """A client's requests, the latest first."""
    _, client_id = await client_of(viewer)
    query = ChangeRequest.filter(client_id=client_id)
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    return await query.order_by("-id").limit(first + 1)


async def visible(viewer: Viewer, request_id: int) -> ChangeRequest | None:
    """One request, if the viewer is its client or staff of its agency (else None)."""
    row = await get_by_id(ChangeRequest, request_id)
    if row is None or not await guards.sees_household_row(viewer, row.agency_id, row.client_id):
        return None
    return row


# `visible`'s columns as a row, for the planner's `node(id:)`.
visible_row = nodes.household_rows(ChangeRequest)
