"""Applying an approved change request to the visits, inside the transaction of the decision.

Each change goes through the same checks as staff planning (a row lock on the
visit, then on the worker; no double booking) and writes the visits' events.
A change that can no longer be made raises `Refused`, which rolls back the
whole decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from models.accounts.people import Agency, Client
from models.enums import ChangeRequestKind, EventType, InterventionStatus
from models.events import Event
from models.households.absences import AbsenceVisit
from models.requests import ChangeRequest, LateCancellation
from models.visits.visits import Intervention, RecurringPlan
from resolvers.agency.policy import Policy
from resolvers.core.errors import UserError, user_error
from resolvers.core.runtime import Runtime
from resolvers.visits.planning import billing_address, lock_worker, worker_is_free
from resolvers.visits.plans import cancel_future, horizon_for, materialise
from subscriptions import events

CLIENT_CANCELLED = "Annulée à la demande du client"


class Refused(Exception):
    def __init__(self, errors: list[UserError]) -> None:
        super().__init__(errors[0].message)
        self.errors = errors


def _refuse(field: str, message: str, code: str) -> Refused:
    return Refused([user_error(field, message, code)])


@dataclass(frozen=True)
class Applied:
    events: list[Event]
    result_intervention_id: int | None = None


async def _locked_visit(
    request: ChangeRequest, now: datetime, offered: bool = False
) -> Intervention:
    """The visit under a row lock, if it may still change (or, `offered`, be given back)."""
    visit = await Intervention.filter(id=request.intervention_id or 0).select_for_update().first()
    if offered and visit is not None and visit.status is InterventionStatus.CANCELLED:
        return visit
    if (
        visit is None
        or visit.status is not InterventionStatus.SCHEDULED
        or visit.scheduled_start <= now
    ):
        raise _refuse(
            "interventionId",
            "L'intervention a commencé, est passée ou annulée.",
            "NOT_EDITABLE",
        )
    return visit


async def _book(worker_id: int, start: datetime, end: datetime, exclude: int | None) -> None:
    await lock_worker(worker_id)
    if not await worker_is_free(worker_id, start, end, exclude):
        raise _refuse(
            "workerId", "L'intervenant est déjà pris sur ce créneau.", "WORKER_UNAVAILABLE"
        )


async def _offer(request: ChangeRequest, now: datetime) -> AbsenceVisit | None:
    """The absence's offer to reschedule this visit, claimed (None if there is none)."""
    if request.kind is not ChangeRequestKind.NEW_SLOT:
        return None
    offer = (
        await AbsenceVisit.filter(
            intervention_id=request.intervention_id or 0, to_reschedule=True, rescheduled_at=None
        )
        .select_for_update()
        .first()
    )
    if offer is not None:
        await AbsenceVisit.filter(id=offer.id).update(rescheduled_at=now)
    return offer


async def _move(
    request: ChangeRequest, now: datetime, start: datetime | None, end: datetime
) -> Applied:
    offer = await _offer(request, now)
    visit = await _locked_visit(request, now, offered=offer is not None)
    start = start or visit.scheduled_start
    if visit.worker_id is not None:
        await _book(visit.worker_id, start, end, visit.id)
    # A visit an absence took out comes back at its new slot.
    await Intervention.filter(id=visit.id).update(
        scheduled_start=start.astimezone(UTC),
        scheduled_end=end.astimezone(UTC),
        late_at=None,
        status=InterventionStatus.SCHEDULED,
        cancellation_reason="",
    )
    await visit.refresh_from_db()
    return Applied([await events.record(EventType.RESCHEDULED, visit, now)])


async def _extra_visit(
    request: ChangeRequest, now: datetime, worker_id: int | None, staff_id: int | None
) -> Applied:
    if worker_id is None:
        raise _refuse("workerId", "Choisissez l'intervenant de cette visite.", "WORKER_REQUIRED")
    start, end = request.requested_start, request.requested_end
    assert start is not None
    assert end is not None
    await _book(worker_id, start, end, None)
    client = await Client.get(id=request.client_id)
    visit = await Intervention.create(
        agency_id=request.agency_id,
        client=client,
        address=await billing_address(client),
        worker_id=worker_id,
        service_type_id=request.service_type_id,
        scheduled_start=start,
        scheduled_end=end,
        instructions=request.note,
        created_by_id=staff_id,
    )
    return Applied([await events.record(EventType.SCHEDULED, visit, now)], visit.id)


async def _cancel(request: ChangeRequest, now: datetime, policy: Policy) -> Applied:
    visit = await _locked_visit(request, now)
    notice = timedelta(hours=policy.min_notice_hours)
    reason = CLIENT_CANCELLED + (f" : {request.note}" if request.note else "")
    await Intervention.filter(id=visit.id).update(
        status=InterventionStatus.CANCELLED, cancellation_reason=reason[:500]
    )
    if visit.scheduled_start < now + notice:
        # Seed: late cancellations are invoiced; billing reads this table.
        await LateCancellation.create(
            intervention_id=visit.id,
            agency_id=visit.agency_id,
            billable=policy.late_cancellation_billable,
            notice_hours=policy.min_notice_hours,
            change_request_id=request.id,
            created_at=now,
        )
    await visit.refresh_from_db()
    return Applied([await events.record(EventType.CANCELLED, visit, now)])


async def _service(request: ChangeRequest, now: datetime, policy: Policy) -> Applied:
    if request.intervention_id is not None:
        visit = await _locked_visit(request, now)
        await Intervention.filter(id=visit.id).update(service_type_id=request.service_type_id)
        await visit.refresh_from_db()
        return Applied([await events.record(EventType.RESCHEDULED, visit, now)])
    plan = await RecurringPlan.filter(id=request.plan_id or 0).select_for_update().first()
    if plan is None:
        raise _refuse("planId", "Plan inconnu.", "NOT_FOUND")
    await RecurringPlan.filter(id=plan.id).update(service_type_id=request.service_type_id)
    # Visits inside the notice period keep their service: the worker is prepared for it.
    later = await Intervention.filter(
        recurring_plan_id=plan.id,
        status=InterventionStatus.SCHEDULED,
        scheduled_start__gte=now + timedelta(hours=policy.min_notice_hours),
    ).select_for_update()
    written = []
    for visit in later:
        await Intervention.filter(id=visit.id).update(service_type_id=request.service_type_id)
        written.append(await events.record(EventType.RESCHEDULED, visit, now))
    return Applied(written)


async def _plan(rt: Runtime, request: ChangeRequest, now: datetime) -> Applied:
    plan = await RecurringPlan.filter(id=request.plan_id or 0).select_for_update().first()
    if plan is None or request.valid_from is None:
        raise _refuse("planId", "Plan inconnu.", "NOT_FOUND")
    tz = ZoneInfo((await Agency.get(id=plan.agency_id)).time_zone)
    change_from = datetime.combine(request.valid_from, time(0), tzinfo=tz).astimezone(UTC)
    written = await cancel_future(plan, max(change_from, now), now)
    plan.weekday = request.weekday or 0
    plan.start_minute = request.start_minute or 0
    plan.duration_minutes = request.duration_minutes or plan.duration_minutes
    plan.materialised_until = request.valid_from
    await plan.save()
    created, skipped = await materialise(plan, horizon_for(rt, now.date()), now)
    if skipped:
        raise _refuse(
            "planId",
            "L'intervenant est déjà pris certaines semaines sur ce créneau.",
            "WORKER_UNAVAILABLE",
        )
    return Applied(written + created)


async def apply(
    rt: Runtime,
    request: ChangeRequest,
    now: datetime,
    policy: Policy,
    worker_id: int | None,
    staff_id: int | None,
) -> Applied:
    """Makes the change; raises Refused (the caller rolls back) when it cannot be made."""
    kind = request.kind
    if kind is ChangeRequestKind.EXTRA_VISIT:
        return await _extra_visit(request, now, worker_id, staff_id)
    if kind is ChangeRequestKind.NEW_SLOT:
        assert request.requested_end is not None
        return await _move(request, now, request.requested_start, request.requested_end)
    if kind is ChangeRequestKind.NEW_DURATION:
        visit = await Intervention.get(id=request.intervention_id or 0)
        end = visit.scheduled_start + timedelta(minutes=request.duration_minutes or 0)
        return await _move(request, now, None, end)
    if kind is ChangeRequestKind.CANCELLATION:
        return await _cancel(request, now, policy)
    if kind is ChangeRequestKind.SERVICE_CHANGE:
        return await _service(request, now, policy)
    return await _plan(rt, request, now)
