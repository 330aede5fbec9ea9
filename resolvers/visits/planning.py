"""Planning visits: schedule, reschedule, reassign, cancel. Staff only, within their agency.

Each use case checks who asks, validates, changes the visit and writes its event
in one transaction, then publishes after commit.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from models.accounts.people import Client, Worker
from models.enums import EventType, InterventionStatus
from models.events import Event
from models.visits.visits import Address, Intervention, ServiceType
from resolvers.core import guards
from resolvers.core.errors import UserError, user_error
from resolvers.core.runtime import Runtime, Viewer
from services.clock import utcnow
from subscriptions import events

MAX_DURATION = timedelta(hours=12)
MIN_DURATION = timedelta(minutes=30)
ACTIVE = (InterventionStatus.SCHEDULED, InterventionStatus.IN_PROGRESS)


@dataclass(frozen=True)
class ScheduleData:
    client_id: int
    worker_id: int
    service_type_code: str
    scheduled_start: datetime
    scheduled_end: datetime
    address_id: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class InterventionResult:
    intervention: Intervention | None
    user_errors: list[UserError]
    # The visit as the viewer may see it (a row of resolvers/visits/calendar.py), when the use case
    # read it already: the answer then needs no read of its own.
    shown: dict[str, Any] | None = None


def failure(field: str | None, message: str, code: str) -> InterventionResult:
    return InterventionResult(None, [user_error(field, message, code)])


def check_slot(start: datetime, end: datetime, now: datetime) -> list[UserError]:
    errors = []
    if start.tzinfo is None or end.tzinfo is None:
        errors.append(user_error("scheduledStart", "Indiquez le fuseau horaire.", "NAIVE_DATETIME"))
        return errors
    if end <= start:
        errors.append(
            user_error("scheduledEnd", "La fin doit suivre le début.", "END_BEFORE_START")
        )
    elif end - start > MAX_DURATION:
        errors.append(user_error("scheduledEnd", "Une intervention dure 12 h au plus.", "TOO_LONG"))
    elif end - start < MIN_DURATION:
        errors.append(
            user_error("scheduledEnd", "Une intervention dure 30 min au moins.", "TOO_SHORT")
        )
    if start < now - timedelta(minutes=5):
        errors.append(user_error("scheduledStart", "Ce créneau est déjà passé.", "PAST_START"))
    return errors


async def worker_is_free(
    worker_id: int, start: datetime, end: datetime, exclude_id: int | None = None
) -> bool:
    query = Intervention.filter(
        worker_id=worker_id, status__in=ACTIVE, scheduled_start__lt=end, scheduled_end__gt=start
    )
    if exclude_id is not None:
        query = query.exclude(id=exclude_id)
    return not await query.exists()


async def lock_worker(worker_id: int) -> None:
    """Serialises bookings of one worker (a row lock on PostgreSQL; SQLite writes are serial)."""
    await Worker.filter(id=worker_id).select_for_update().first()


async def _book(
    field: str, worker_id: int, start: datetime, end: datetime, exclude_id: int | None = None
) -> InterventionResult | None:
    """Inside the transaction: locks the worker, then the failure if the slot is taken."""
    await lock_worker(worker_id)
    if await worker_is_free(worker_id, start, end, exclude_id):
        return None
    return failure(field, "L'intervenant est déjà pris sur ce créneau.", "WORKER_UNAVAILABLE")


async def billing_address(client: Client) -> Address:
    """The billing address as a place of visits, written on first use.

    Two first bookings of a client at once (different workers, so different
    locks) may both write it: the oldest row is the one used from then on.
    """
    address = await Address.filter(client_id=client.id, is_billing=True).order_by("id").first()
    if address is None:
        address = await Address.create(
            client=client,
            line1=client.billing_line1,
            line2=client.billing_line2,
            postal_code=client.billing_postal_code,
            city=client.billing_city,
            country=client.billing_country,
            is_billing=True,
        )
    return address


@dataclass(frozen=True)
class Parties:
    """Who and what a visit or a plan names, each checked against the staff's agency."""

    client: Client | None
    worker: Worker | None
    service: ServiceType | None
    address: Address | None  # only when one was named; None means the billing address


async def resolve_parties(
    agency_id: int, client_id: int, worker_id: int, service_code: str, address_id: int | None
) -> tuple[Parties, list[UserError]]:
    errors = []
    client = await Client.get_or_none(id=client_id, agency_id=agency_id)
    if client is None:
        errors.append(user_error("clientId", "Client inconnu dans votre agence.", "NOT_IN_AGENCY"))
    worker = await Worker.get_or_none(id=worker_id, agency_id=agency_id)
    if worker is None:
        errors.append(
            user_error("workerId", "Intervenant inconnu dans votre agence.", "NOT_IN_AGENCY")
        )
    service = await ServiceType.get_or_none(code=service_code, active=True)
    if service is None:
        errors.append(user_error("serviceTypeCode", "Prestation inconnue.", "UNKNOWN_SERVICE_TYPE"))
    address = None
    if client is not None and address_id is not None:
        address = await Address.get_or_none(id=address_id, client_id=client.id)
        if address is None:
            errors.append(
                user_error("addressId", "Adresse inconnue pour ce client.", "UNKNOWN_ADDRESS")
            )
    return Parties(client, worker, service, address), errors


async def schedule(rt: Runtime, viewer: Viewer | None, data: ScheduleData) -> InterventionResult:
    staff = guards.staff(viewer)
    now = utcnow()
    errors = check_slot(data.scheduled_start, data.scheduled_end, now)
    if not errors:
        # Stored in UTC: SQLite compares datetimes as text, so offsets must not vary.
        data = replace(
            data,
            scheduled_start=data.scheduled_start.astimezone(UTC),
            scheduled_end=data.scheduled_end.astimezone(UTC),
        )
    note = (data.note or "").strip()
    if len(note) > 1000:
        errors.append(user_error("note", "1000 caractères au plus.", "TOO_LONG"))
    parties, more = await resolve_parties(
        staff.agency_id or 0,
        data.client_id,
        data.worker_id,
        data.service_type_code,
        data.address_id,
    )
    errors += more
    client, worker, service, address = (
        parties.client,
        parties.worker,
        parties.service,
        parties.address,
    )
    if errors or client is None or worker is None or service is None:
        return InterventionResult(None, errors)
    async with in_transaction():
        busy = await _book("workerId", worker.id, data.scheduled_start, data.scheduled_end)
        if busy:
            return busy
        address = address or await billing_address(client)
        intervention = await Intervention.create(
            agency_id=staff.agency_id,
            client=client,
            address=address,
            worker=worker,
            service_type=service,
            scheduled_start=data.scheduled_start,
            scheduled_end=data.scheduled_end,
            instructions=note,
            created_by_id=staff.account_id,
        )
        event = await events.record(EventType.SCHEDULED, intervention, now)
    await events.publish(rt.bus, [event])
    return InterventionResult(intervention, [])


async def _staff_visit(
    viewer: Viewer | None, intervention_id: int
) -> tuple[Viewer, Intervention | None]:
    staff = guards.staff(viewer)
    visit = await Intervention.get_or_none(id=intervention_id, agency_id=staff.agency_id)
    return staff, visit


async def _locked(visit: Intervention) -> Intervention:
    """The visit read again under a row lock, inside the transaction of the change.

    What was read before the transaction may be stale: a concurrent reassignment
    or move would otherwise let a worker be booked twice. Lock order is visit,
    then worker, everywhere.
    """
    fresh = await Intervention.filter(id=visit.id).select_for_update().first()
    return fresh or visit


def _editable(visit: Intervention) -> UserError | None:
    if visit.status is not InterventionStatus.SCHEDULED:
        return user_error(
            "interventionId", "Cette intervention a commencé ou est terminée.", "NOT_EDITABLE"
        )
    return None


async def reschedule(
    rt: Runtime, viewer: Viewer | None, intervention_id: int, start: datetime, end: datetime
) -> InterventionResult:
    _, visit = await _staff_visit(viewer, intervention_id)
    if visit is None:
        return failure("interventionId", "Intervention inconnue.", "NOT_FOUND")
    now = utcnow()
    problem = _editable(visit)
    errors = ([problem] if problem else []) + check_slot(start, end, now)
    if errors:
        return InterventionResult(None, errors)
    # Stored in UTC: SQLite compares datetimes as text, so offsets must not vary.
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    async with in_transaction():
        visit = await _locked(visit)
        problem = _editable(visit)
        if problem:
            return InterventionResult(None, [problem])
        if visit.worker_id is not None:
            busy = await _book("scheduledStart", visit.worker_id, start, end, visit.id)
            if busy:
                return busy
        await Intervention.filter(id=visit.id).update(
            scheduled_start=start, scheduled_end=end, late_at=None
        )
        await visit.refresh_from_db()
        event = await events.record(EventType.RESCHEDULED, visit, now)
    await events.publish(rt.bus, [event])
    return InterventionResult(visit, [])


async def reassign(
    rt: Runtime, viewer: Viewer | None, intervention_id: int, worker_id: int
) -> InterventionResult:
    staff, visit = await _staff_visit(viewer, intervention_id)
    if visit is None:
        return failure("interventionId", "Intervention inconnue.", "NOT_FOUND")
    problem = _editable(visit)
    if problem:
        return InterventionResult(None, [problem])
    worker = await Worker.get_or_none(id=worker_id, agency_id=staff.agency_id)
    if worker is None:
        return failure("workerId", "Intervenant inconnu dans votre agence.", "NOT_IN_AGENCY")
    if visit.worker_id == worker.id:
        return InterventionResult(visit, [])
    now = utcnow()
    async with in_transaction():
        visit = await _locked(visit)
        problem = _editable(visit)
        if problem:
            return InterventionResult(None, [problem])
        previous = visit.worker_id
        if previous == worker.id:
            return InterventionResult(visit, [])
        busy = await _book(
            "workerId", worker.id, visit.scheduled_start, visit.scheduled_end, visit.id
        )
        if busy:
            return busy
        await Intervention.filter(id=visit.id).update(worker_id=worker.id)
        await visit.refresh_from_db()
        event = await events.record(EventType.REASSIGNED, visit, now, previous_worker_id=previous)
    await events.publish(rt.bus, [event])
    return InterventionResult(visit, [])


async def cancel(
    rt: Runtime, viewer: Viewer | None, intervention_id: int, reason: str
) -> InterventionResult:
    _, visit = await _staff_visit(viewer, intervention_id)
    if visit is None:
        return failure("interventionId", "Intervention inconnue.", "NOT_FOUND")
    reason = reason.strip()
    if not 1 <= len(reason) <= 500:
        return failure("reason", "Indiquez un motif (500 caractères au plus).", "INVALID_REASON")
    problem = _editable(visit)
    if problem:
        return InterventionResult(None, [problem])
    now = utcnow()
    async with in_transaction():
        visit = await _locked(visit)
        problem = _editable(visit)
        if problem:
            return InterventionResult(None, [problem])
        await Intervention.filter(id=visit.id).update(
            status=InterventionStatus.CANCELLED, cancellation_reason=reason
        )
        await visit.refresh_from_db()
        event = await events.record(EventType.CANCELLED, visit, now)
    await events.publish(rt.bus, [event])
    return InterventionResult(visit, [])


async def publish_events(rt: Runtime, rows: list[Event]) -> None:
    await events.publish(rt.bus, rows)
