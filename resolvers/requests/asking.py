"""Clients ask for changes to their visits; the agency decides (or the rules decide at once).

A request is checked when it is made: what can never be accepted (a past or
running visit, too late, outside the agency's hours) is a user error. A worker
already booked leaves it waiting for staff, who may pick another worker. With
automatic approval on, a request passing every rule is approved in the same
transaction that records it. Every step writes an event for the client and the
agency's staff; the decision is also notified (topic REQUEST_DECISION).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from models.accounts.people import Account
from models.enums import ChangeRequestKind, ChangeRequestStatus, EventType
from models.events import Event
from models.requests import ChangeRequest
from models.visits.visits import Intervention, RecurringPlan, ServiceType
from notifications import texts
from notifications.notify import notify_client
from resolvers.agency.policy import policy_of
from resolvers.core import guards
from resolvers.core.errors import Forbidden, UserError, user_error
from resolvers.core.lookups import client_id_for
from resolvers.core.runtime import Runtime, Viewer
from resolvers.requests.apply import Refused, apply
from resolvers.requests.inputs import RequestData, check_shape
from resolvers.requests.rule_context import context_for, usual_workers
from resolvers.requests.rules import (
    EDITABLE,
    NOTICE,
    OPENING_HOURS,
    RuleCheck,
    evaluate,
    passes,
)
from services.clock import utcnow
from subscriptions import events

MAX_REASON = 500
MAX_PENDING = 20
# A rule that fails when the request is made is a user error with this code.
HARD_RULES = {
    EDITABLE: ("interventionId", "NOT_EDITABLE"),
    NOTICE: ("scheduledStart", "TOO_LATE"),
    OPENING_HOURS: ("scheduledStart", "OUTSIDE_OPENING_HOURS"),
}


@dataclass
class RequestResult:
    request: ChangeRequest | None
    user_errors: list[UserError]
    checks: list[RuleCheck] = field(default_factory=list)


async def client_of(viewer: Viewer | None) -> tuple[Viewer, int]:
    viewer = guards.signed_in(viewer)
    client_id = await client_id_for(viewer)
    if client_id is None:
        raise Forbidden("Réservé aux clients.")
    return viewer, client_id


async def _build(
    data: RequestData, client_id: int, agency_id: int, now: datetime
) -> tuple[ChangeRequest | None, list[UserError]]:
    """The unsaved request, with its references checked against the client."""
    errors = []
    service_id = None
    if data.service_type_code:
        service = await ServiceType.get_or_none(code=data.service_type_code[:40], active=True)
        if service is None:
            errors.append(
                user_error("serviceTypeCode", "Prestation inconnue.", "UNKNOWN_SERVICE_TYPE")
            )
        else:
            service_id = service.id
    if data.intervention_id is not None and not await Intervention.exists(
        id=data.intervention_id, client_id=client_id
    ):
        errors.append(user_error("interventionId", "Intervention introuvable.", "NOT_FOUND"))
    if data.plan_id is not None and not await RecurringPlan.exists(
        id=data.plan_id, client_id=client_id
    ):
        errors.append(user_error("planId", "Plan introuvable.", "NOT_FOUND"))
    if errors:
        return None, errors
    start, end = data.scheduled_start, data.scheduled_end
    request = ChangeRequest(
        agency_id=agency_id,
        client_id=client_id,
        kind=data.kind,
        intervention_id=data.intervention_id,
        plan_id=data.plan_id,
        service_type_id=service_id,
        requested_start=start.astimezone(UTC) if start else None,
        requested_end=end.astimezone(UTC) if end else None,
        duration_minutes=data.duration_minutes,
        weekday=data.weekday,
        start_minute=data.start_time.hour * 60 + data.start_time.minute
        if data.start_time
        else None,
        valid_from=data.valid_from,
        note=data.note,
        created_at=now,
    )
    return request, []


async def request_change(rt: Runtime, viewer: Viewer | None, data: RequestData) -> RequestResult:
    viewer, client_id = await client_of(viewer)
    if not viewer.email_verified:
        return RequestResult(
            None,
            [user_error(None, "Confirmez d'abord votre adresse e-mail.", "EMAIL_NOT_VERIFIED")],
        )
    now = utcnow()
    data = RequestData(**{**data.__dict__, "note": data.note.strip()})
    errors = check_shape(data, now)
    if errors:
        return RequestResult(None, errors)
    agency_id = viewer.agency_id or 0
    request, errors = await _build(data, client_id, agency_id, now)
    if request is None:
        return RequestResult(None, errors)
    ctx = await context_for(agency_id, [request], now)
    checks = evaluate(request, ctx)
    for check in checks:
        late_cancel = check.rule == NOTICE and data.kind is ChangeRequestKind.CANCELLATION
        if not check.passed and check.rule in HARD_RULES and not late_cancel:
            name, code = HARD_RULES[check.rule]
            errors.append(user_error(name, check.message, code))
    if errors:
        return RequestResult(None, errors)
    # A cancellation inside the notice period is accepted, and flagged: it may be invoiced.
    request.late = any(c.rule == NOTICE and not c.passed for c in checks)
    if data.intervention_id is not None and await ChangeRequest.exists(
        intervention_id=data.intervention_id, status=ChangeRequestStatus.PENDING
    ):
        return RequestResult(
            None,
            [
                user_error(
                    "interventionId",
                    "Une demande est déjà en attente pour cette intervention.",
                    "ALREADY_PENDING",
                )
            ],
        )
    if (
        await ChangeRequest.filter(client_id=client_id, status=ChangeRequestStatus.PENDING).count()
        >= MAX_PENDING
    ):
        return RequestResult(
            None, [user_error(None, "Trop de demandes en attente.", "TOO_MANY_PENDING")]
        )
    async with in_transaction():
        await request.save()
        written = [await request_event(EventType.REQUEST_CREATED, request, now)]
    await after_commit(rt, written)
    if ctx.policy.auto_approve and passes(checks):
        written = await decide_pending(rt, request.id, True, "", None, None, auto=True)
        await request.refresh_from_db()
        await after_commit(rt, written)
    return RequestResult(request, [], checks)


async def request_event(event_type: EventType, request: ChangeRequest, now: datetime) -> Event:
    return await events.record_event(
        event_type,
        now,
        agency_id=request.agency_id,
        client_id=request.client_id,
        subject_id=request.id,
    )


async def after_commit(rt: Runtime, written: list[Event]) -> None:
    await events.publish(rt.bus, written)
    rt.mailer.wake()


async def decide_pending(
    rt: Runtime,
    request_id: int,
    approve: bool,
    reason: str,
    worker_id: int | None,
    staff_id: int | None,
    auto: bool = False,
) -> list[Event]:
    """Decides a pending request in one transaction (nothing if it is no longer pending).

    Raises Refused, with everything rolled back, when the change cannot be made.
    With `auto`, a refusal just leaves the request waiting for staff.
    """
    try:
        async with in_transaction():
            request = (
                await ChangeRequest.filter(id=request_id, status=ChangeRequestStatus.PENDING)
                .select_for_update()
                .first()
            )
            if request is None:
                return []
            return await _decide(rt, request, utcnow(), approve, reason, worker_id, staff_id, auto)
    except Refused:
        if auto:
            return []
        raise


async def _decide(
    rt: Runtime,
    request: ChangeRequest,
    now: datetime,
    approve: bool,
    reason: str,
    worker_id: int | None,
    staff_id: int | None,
    auto: bool,
) -> list[Event]:
    written: list[Event] = []
    if approve:
        if worker_id is None and request.kind is ChangeRequestKind.EXTRA_VISIT:
            worker_id = (await usual_workers([request.client_id])).get(request.client_id)
        applied = await apply(
            rt, request, now, await policy_of(request.agency_id), worker_id, staff_id
        )
        written += applied.events
        request.result_intervention_id = applied.result_intervention_id
    request.status = ChangeRequestStatus.APPROVED if approve else ChangeRequestStatus.REJECTED
    request.decision_reason = reason
    request.decided_at = now
    request.decided_by_id = staff_id
    request.auto_approved = auto
    await request.save()
    kind = EventType.REQUEST_APPROVED if approve else EventType.REQUEST_REJECTED
    written.append(await request_event(kind, request, now))
    client = await Account.get(client__id=request.client_id)
    notice = texts.requests.decision(client.first_name, request.kind, approve, reason)
    await notify_client(client, texts.requests.TOPIC, notice)
    return written
