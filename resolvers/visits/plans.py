"""Weekly plans ("every Tuesday 9:00–12:00") and the visits they keep materialised.

Visits are created a few weeks ahead (`plan_horizon_weeks`) and the horizon is
moved forward by a loop that claims each plan with a compare-and-set on
`materialised_until`, so several processes never create a week twice. A week
whose slot is already taken for the worker is skipped and reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from models.accounts.people import Agency
from models.enums import EventType, InterventionStatus
from models.events import Event
from models.households.absences import Absence
from models.visits.visits import Intervention, RecurringPlan
from resolvers.core import guards
from resolvers.core.errors import UserError, user_error
from resolvers.core.runtime import Runtime, Viewer
from resolvers.visits.planning import billing_address, lock_worker, resolve_parties, worker_is_free
from services.clock import utcnow
from subscriptions import events

MIN_MINUTES, MAX_MINUTES = 30, 12 * 60
PLAN_CHANGED = "Planning hebdomadaire modifié"


@dataclass(frozen=True)
class PlanData:
    client_id: int
    worker_id: int
    service_type_code: str
    weekday: int
    start_time: time
    duration_minutes: int
    valid_from: date
    valid_to: date | None = None
    address_id: int | None = None
    instructions: str = ""


@dataclass
class PlanResult:
    plan: RecurringPlan | None
    user_errors: list[UserError]
    skipped: list[date] = field(default_factory=list)


def _check(data: PlanData, today: date) -> list[UserError]:
    errors = []
    if not 0 <= data.weekday <= 6:
        errors.append(user_error("weekday", "Jour de 0 (lundi) à 6 (dimanche).", "INVALID_WEEKDAY"))
    if not MIN_MINUTES <= data.duration_minutes <= MAX_MINUTES:
        errors.append(user_error("durationMinutes", "Durée de 30 min à 12 h.", "INVALID_DURATION"))
    if data.valid_from < today:
        errors.append(
            user_error("validFrom", "Le plan ne peut commencer dans le passé.", "PAST_START")
        )
    if data.valid_to is not None and data.valid_to < data.valid_from:
        errors.append(user_error("validTo", "La fin doit suivre le début.", "END_BEFORE_START"))
    if len(data.instructions) > 1000:
        errors.append(user_error("instructions", "1000 caractères au plus.", "TOO_LONG"))
    return errors


def occurrences(plan: RecurringPlan, tz: ZoneInfo, first: date, until: date) -> list[datetime]:
    """Start times (UTC) of the plan's slots on days in [first, until)."""
    day = max(first, plan.valid_from)
    day += timedelta(days=(plan.weekday - day.weekday()) % 7)
    last = until if plan.valid_to is None else min(until, plan.valid_to + timedelta(days=1))
    starts = []
    while day < last:
        # Wall-clock time in the agency's zone: 9:00 stays 9:00 across daylight saving.
        wall = time(plan.start_minute // 60, plan.start_minute % 60)
        starts.append(datetime.combine(day, wall, tzinfo=tz).astimezone(UTC))
        day += timedelta(days=7)
    return starts


async def materialise(
    plan: RecurringPlan, until: date, now: datetime
) -> tuple[list[Event], list[date]]:
    agency = await Agency.get(id=plan.agency_id)
    tz = ZoneInfo(agency.time_zone)
    written, skipped = [], []
    length = timedelta(minutes=plan.duration_minutes)
    await lock_worker(plan.worker_id)
    away = await Absence.filter(
        client_id=plan.client_id, last_day__gte=plan.materialised_until, first_day__lt=until
    ).values_list("first_day", "last_day")
    for start in occurrences(plan, tz, plan.materialised_until, until):
        if start < now:
            continue
        day = start.astimezone(tz).date()
        if any(first <= day <= last for first, last in away):
            continue  # the household declared itself away (resolvers/households/absences.py)
        if not await worker_is_free(plan.worker_id, start, start + length):
            skipped.append(start.astimezone(tz).date())
            continue
        visit = await Intervention.create(
            agency_id=plan.agency_id,
            client_id=plan.client_id,
            address_id=plan.address_id,
            worker_id=plan.worker_id,
            service_type_id=plan.service_type_id,
            scheduled_start=start,
            scheduled_end=start + length,
            instructions=plan.instructions,
            recurring_plan=plan,
        )
        written.append(await events.record(EventType.SCHEDULED, visit, now))
    plan.materialised_until = until
    await RecurringPlan.filter(id=plan.id).update(materialised_until=until)
    return written, skipped


def horizon_for(rt: Runtime, today: date) -> date:
    return today + timedelta(weeks=rt.settings.plan_horizon_weeks)


async def _resolve(staff: Viewer, data: PlanData) -> tuple[dict[str, Any], list[UserError]]:
    parties, errors = await resolve_parties(
        staff.agency_id or 0,
        data.client_id,
        data.worker_id,
        data.service_type_code,
        data.address_id,
    )
    address = parties.address
    if address is None and parties.client is not None and not errors:
        address = await billing_address(parties.client)
    fields = {
        "client": parties.client,
        "worker": parties.worker,
        "service_type": parties.service,
        "address": address,
    }
    return fields, errors


async def create(rt: Runtime, viewer: Viewer | None, data: PlanData) -> PlanResult:
    staff = guards.staff(viewer)
    now = utcnow()
    errors = _check(data, now.date())
    fields, more = await _resolve(staff, data)
    errors += more
    if errors:
        return PlanResult(None, errors)
    async with in_transaction():
        plan = await RecurringPlan.create(
            agency_id=staff.agency_id,
            weekday=data.weekday,
            start_minute=data.start_time.hour * 60 + data.start_time.minute,
            duration_minutes=data.duration_minutes,
            valid_from=data.valid_from,
            valid_to=data.valid_to,
            materialised_until=data.valid_from,
            instructions=data.instructions.strip(),
            **fields,
        )
        written, skipped = await materialise(plan, horizon_for(rt, now.date()), now)
    await events.publish(rt.bus, written)
    return PlanResult(plan, [], skipped)


async def cancel_future(plan: RecurringPlan, after: datetime, now: datetime) -> list[Event]:
    written = []
    future = await Intervention.filter(
        recurring_plan_id=plan.id, status=InterventionStatus.SCHEDULED, scheduled_start__gte=after
    )
    for visit in future:
        if await Intervention.filter(id=visit.id, status=InterventionStatus.SCHEDULED).update(
            status=InterventionStatus.CANCELLED, cancellation_reason=PLAN_CHANGED
        ):
            visit.status = InterventionStatus.CANCELLED
            written.append(await events.record(EventType.CANCELLED, visit, now))
    return written


async def update(rt: Runtime, viewer: Viewer | None, plan_id: int, data: PlanData) -> PlanResult:
    """New slot, worker or service from `valid_from` on: future visits are replaced."""
    staff = guards.staff(viewer)
    plan = await RecurringPlan.get_or_none(id=plan_id, agency_id=staff.agency_id)
    if plan is None:
        return PlanResult(None, [user_error("planId", "Plan inconnu.", "NOT_FOUND")])
    now = utcnow()
    errors = _check(data, now.date())
    if data.client_id != plan.client_id:
        errors.append(
            user_error("clientId", "Un plan reste attaché à son client.", "CLIENT_CHANGED")
        )
    fields, more = await _resolve(staff, data)
    errors += more
    if errors:
        return PlanResult(None, errors)
    tz = ZoneInfo((await Agency.get(id=staff.agency_id)).time_zone)
    change_from = datetime.combine(data.valid_from, time(0), tzinfo=tz).astimezone(UTC)
    async with in_transaction():
        written = await cancel_future(plan, max(change_from, now), now)
        plan.weekday = data.weekday
        plan.start_minute = data.start_time.hour * 60 + data.start_time.minute
        plan.duration_minutes, plan.valid_to = data.duration_minutes, data.valid_to
        plan.instructions = data.instructions.strip()
        plan.worker = fields["worker"]  # type: ignore[assignment]
        plan.service_type = fields["service_type"]  # type: ignore[assignment]
        plan.address = fields["address"]  # type: ignore[assignment]
        plan.materialised_until = data.valid_from
        await plan.save()
        more_events, skipped = await materialise(plan, horizon_for(rt, now.date()), now)
    await events.publish(rt.bus, written + more_events)
    return PlanResult(plan, [], skipped)


async def end(rt: Runtime, viewer: Viewer | None, plan_id: int, last_day: date) -> PlanResult:
    """The plan stops after `last_day`; its later visits are cancelled."""
    staff = guards.staff(viewer)
    plan = await RecurringPlan.get_or_none(id=plan_id, agency_id=staff.agency_id)
    if plan is None:
        return PlanResult(None, [user_error("planId", "Plan inconnu.", "NOT_FOUND")])
    now = utcnow()
    if last_day < now.date() - timedelta(days=1):
        return PlanResult(None, [user_error("lastDay", "Date déjà passée.", "PAST_DATE")])
    tz = ZoneInfo((await Agency.get(id=staff.agency_id)).time_zone)
    cut = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    async with in_transaction():
        plan.valid_to = last_day
        await plan.save(update_fields=["valid_to"])
        written = await cancel_future(plan, max(cut, now), now)
    await events.publish(rt.bus, written)
    return PlanResult(plan, [])


async def list_plans(viewer: Viewer | None) -> list[RecurringPlan]:
    staff = guards.staff(viewer)
    return await RecurringPlan.filter(agency_id=staff.agency_id).order_by("id").limit(500)


async def extend_all(rt: Runtime) -> int:
    """Moves every open plan's horizon forward; returns how many visits it created."""
    now = utcnow()
    horizon = horizon_for(rt, now.date())
    created = 0
    due = await RecurringPlan.filter(materialised_until__lt=horizon).limit(200)
    for plan in due:
        if plan.valid_to is not None and plan.materialised_until > plan.valid_to:
            continue
        async with in_transaction():
            seen = plan.materialised_until
            claimed = await RecurringPlan.filter(id=plan.id, materialised_until=seen).update(
                materialised_until=seen
            )
            if not claimed:
                continue
            written, _ = await materialise(plan, horizon, now)
        await events.publish(rt.bus, written)
        created += len(written)
    return created
