"""The demo's day: today's visits for every demo worker, and a couple of weekly plans.

Visits are laid out at working hours in the agency's time zone. Those already
over are completed (one in nine missed), the current ones in progress, with
check-in positions near the address, and each writes the events it would have.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from models.accounts.people import Account, Agency, Client, Worker
from models.enums import EventType, InterventionStatus
from models.events import Event
from models.visits.visits import Address, Intervention, RecurringPlan, ServiceType
from resolvers.core.runtime import Runtime, Viewer
from resolvers.visits import plans
from resolvers.visits.planning import billing_address, lock_worker, worker_is_free
from services.clock import utcnow
from services.geo import distance_m
from subscriptions import events

log = logging.getLogger("passage.demo")

# Minutes after midnight and lengths; a worker's day starts 0 to 90 min later than
# the template, and no two slots of one template overlap even then.
SHIFTS = (0, 30, 60, 90)
THREE_VISITS = ((8 * 60, 150), (11 * 60, 120), (14 * 60 + 30, 180))
TWO_VISITS = ((9 * 60, 180), (14 * 60, 150))
SERVICES = (
    "REGULAR_CLEANING",
    "IRONING",
    "REGULAR_CLEANING",
    "WINDOWS",
    "REGULAR_CLEANING",
    "INTENSIVE_CLEANING",
)
# Client number, worker number, service, weekday (0 = Monday), start, minutes, note.
PLANS = [
    (1, 1, "IRONING", 1, time(9, 0), 180, "Linge de la semaine, fer et table sur place."),
    (2, 2, "REGULAR_CLEANING", 4, time(14, 0), 150, "Clés chez la gardienne."),
]


def day_slots(worker_index: int) -> list[tuple[int, int]]:
    """Two or three visits (start minute, length) for the n-th demo worker."""
    template = TWO_VISITS if worker_index % 3 == 2 else THREE_VISITS
    shift = SHIFTS[worker_index % len(SHIFTS)]
    return [(start + shift, minutes) for start, minutes in template]


def _day_bounds(now: datetime, tz: ZoneInfo) -> tuple[date, datetime, datetime]:
    today = now.astimezone(tz).date()
    start = datetime.combine(today, time(0), tzinfo=tz)
    return today, start, datetime.combine(today + timedelta(days=1), time(0), tzinfo=tz)


def _position(address: Address, prefix: str, k: int) -> dict[str, Any]:
    """Where the phone was: a few metres off, once in a while far enough to be flagged."""
    if address.latitude is None or address.longitude is None:
        return {}
    latitude = address.latitude + (0.005 if k % 11 == 7 else 0.0003 * (k % 5 - 2))
    distance = distance_m(latitude, address.longitude, address.latitude, address.longitude)
    return {
        f"{prefix}_latitude": latitude,
        f"{prefix}_longitude": address.longitude,
        f"{prefix}_distance_m": distance,
        **({"position_flagged": True} if distance > 300 else {}),
    }


def _progress(
    k: int, start: datetime, end: datetime, now: datetime, address: Address
) -> dict[str, Any]:
    """What has happened to the k-th visit of the day by now."""
    if start > now:
        return {}
    if end <= now and k % 9 == 4:
        return {"status": InterventionStatus.MISSED}
    arrived = min(start + timedelta(minutes=(k * 5) % 13 - 5), now)
    done: dict[str, Any] = {
        "status": InterventionStatus.IN_PROGRESS,
        "checked_in_at": arrived,
        **_position(address, "check_in", k),
    }
    if end > now:
        return done
    left = min(max(end + timedelta(minutes=(k * 3) % 11 - 4), arrived + timedelta(minutes=30)), now)
    return {
        **done,
        "status": InterventionStatus.COMPLETED,
        "checked_out_at": left,
        **_position(address, "check_out", k + 1),
    }


async def _events(visit: Intervention, planned_at: datetime) -> list[Event]:
    """The events of the visit's day so far, each with the status right after it."""
    final = visit.status
    steps = [(EventType.SCHEDULED, InterventionStatus.SCHEDULED, planned_at)]
    if visit.checked_in_at is not None:
        steps.append((EventType.ARRIVED, InterventionStatus.IN_PROGRESS, visit.checked_in_at))
    if visit.checked_out_at is not None:
        steps.append((EventType.DEPARTED, InterventionStatus.COMPLETED, visit.checked_out_at))
    if final is InterventionStatus.MISSED:
        steps.append((EventType.MISSED, InterventionStatus.MISSED, visit.scheduled_end))
    written = []
    for kind, status, at in steps:
        visit.status = status
        written.append(await events.record(kind, visit, at))
    visit.status = final
    return written


async def todays_visits(rt: Runtime, agency: Agency, worker_emails: list[str]) -> int:
    """Lays out today's visits unless today has some already; returns how many it wrote."""
    tz = ZoneInfo(agency.time_zone)
    now = utcnow()
    today, day_start, day_end = _day_bounds(now, tz)
    if await Intervention.exists(
        agency_id=agency.id,
        recurring_plan_id=None,
        scheduled_start__gte=day_start,
        scheduled_start__lt=day_end,
    ):
        return 0
    workers = await Worker.filter(agency_id=agency.id, account__email__in=worker_emails).order_by(
        "employee_number"
    )
    clients = await Client.filter(agency_id=agency.id, client_number__startswith="D").order_by(
        "client_number"
    )
    services = {row.code: row for row in await ServiceType.filter(active=True)}
    if not workers or not clients or not services:
        return 0
    addresses = {client.id: await billing_address(client) for client in clients}
    planned_at = day_start - timedelta(hours=6)  # the evening before, as agencies do
    written: list[Event] = []
    k = 0
    async with in_transaction():
        for index, worker in enumerate(workers):
            await lock_worker(worker.id)
            for start_minute, minutes in day_slots(index):
                wall = time(start_minute // 60, start_minute % 60)
                start = datetime.combine(today, wall, tzinfo=tz).astimezone(UTC)
                end = start + timedelta(minutes=minutes)
                if not await worker_is_free(worker.id, start, end):
                    continue  # a weekly plan has this slot today
                # A stride prime to the client count: no household twice in a day.
                client = clients[(k * 7) % len(clients)]
                service = services.get(SERVICES[k % len(SERVICES)]) or next(iter(services.values()))
                address = addresses[client.id]
                visit = await Intervention.create(
                    agency_id=agency.id,
                    client=client,
                    address=address,
                    worker=worker,
                    service_type=service,
                    scheduled_start=start,
                    scheduled_end=end,
                    **_progress(k, start, end, now, address),
                )
                written += await _events(visit, min(planned_at, now))
                k += 1
    await events.publish(rt.bus, written)
    return k


async def weekly_plans(rt: Runtime, agency: Agency, advisor: Account) -> int:
    """A couple of weekly plans from tomorrow on, made by the advisor; once per agency."""
    if await RecurringPlan.exists(agency_id=agency.id):
        return 0
    viewer = Viewer(
        account_id=advisor.id,
        session_id=0,
        role=advisor.role,
        agency_id=agency.id,
        email_verified=True,
    )
    today, _, _ = _day_bounds(utcnow(), ZoneInfo(agency.time_zone))
    created = 0
    for client_number, worker_number, code, weekday, start, minutes, note in PLANS:
        client = await Client.get_or_none(
            agency_id=agency.id, client_number=f"D{client_number:06d}"
        )
        worker = await Worker.get_or_none(
            agency_id=agency.id, employee_number=f"M{worker_number:04d}"
        )
        if client is None or worker is None:
            continue
        result = await plans.create(
            rt,
            viewer,
            plans.PlanData(
                client_id=client.id,
                worker_id=worker.id,
                service_type_code=code,
                weekday=weekday,
                start_time=start,
                duration_minutes=minutes,
                valid_from=today + timedelta(days=1),
                instructions=note,
            ),
        )
        if result.user_errors:
            log.warning("demo plan refused: %s", [e.code for e in result.user_errors])
        else:
            created += 1
    return created
