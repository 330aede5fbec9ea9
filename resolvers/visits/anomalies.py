"""Attendance anomalies: check-ins and check-outs staff should look at twice.

Flagged on the visit as they happen: a check-in earlier than the agency allows, a
visit much shorter or longer than planned, a check-in or check-out beyond the
agency's radius, and (by the sweep) a check-out still missing once the visit's day
is over. The check-in is still accepted: a flag asks a person, it refuses nothing.
A staff correction of the visit's times (resolvers/visits/corrections.py) resolves its
open anomalies. Each change writes ANOMALY_FLAGGED or ANOMALY_RESOLVED for staff.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from models.care.settings import (
    DEFAULT_DURATION_TOLERANCE_PERCENT,
    DEFAULT_EARLY_CHECK_IN_MINUTES,
)
from models.db import rows_changed
from models.enums import AnomalyKind, EventType, InterventionStatus
from models.events import Event
from models.visits.anomalies import AttendanceAnomaly
from models.visits.visits import Intervention
from resolvers.core import guards
from resolvers.core.runtime import Runtime, Viewer
from services.clock import utcnow
from subscriptions import events

# Below this share off the plan, no agency setting can flag a duration (10 % at least).
LEAST_TOLERANCE = 0.10
BATCH = 200
MAX_LISTED = 200
LABELS = {
    AnomalyKind.EARLY_CHECK_IN: "Arrivée trop tôt",
    AnomalyKind.TOO_SHORT: "Intervention trop courte",
    AnomalyKind.TOO_LONG: "Intervention trop longue",
    AnomalyKind.FAR_CHECK_IN: "Arrivée loin de l'adresse",
    AnomalyKind.FAR_CHECK_OUT: "Sortie loin de l'adresse",
    AnomalyKind.MISSING_CHECK_OUT: "Sortie non pointée",
}


@dataclass(frozen=True)
class Found:
    kind: AnomalyKind
    detail: str


@dataclass(frozen=True)
class AnomalyView:
    id: int
    intervention_id: int
    kind: AnomalyKind
    label: str
    detail: str
    detected_at: datetime
    resolved_at: datetime | None
    correction_id: int | None


@dataclass(frozen=True)
class Limits:
    """The agency's thresholds (its care settings), read with the visit by the caller."""

    early_check_in_minutes: int = DEFAULT_EARLY_CHECK_IN_MINUTES
    duration_tolerance_percent: int = DEFAULT_DURATION_TOLERANCE_PERCENT


def on_check_in(
    visit: Intervention, now: datetime, distance: int | None, radius_m: int, limits: Limits
) -> list[Found]:
    """What a check-in at `now` raises."""
    found = []
    if now < visit.scheduled_start:
        allowed = limits.early_check_in_minutes
        early = int((visit.scheduled_start - now).total_seconds() // 60)
        if early > allowed:
            found.append(Found(AnomalyKind.EARLY_CHECK_IN, f"{early} min avant le début"))
    if distance is not None and distance > radius_m:
        found.append(Found(AnomalyKind.FAR_CHECK_IN, f"à {distance} m de l'adresse"))
    return found


def on_check_out(
    visit: Intervention, now: datetime, distance: int | None, radius_m: int, limits: Limits
) -> list[Found]:
    """What a check-out at `now` raises."""
    found = []
    planned = (visit.scheduled_end - visit.scheduled_start).total_seconds()
    actual = (now - (visit.checked_in_at or now)).total_seconds()
    if planned > 0 and abs(actual - planned) > planned * LEAST_TOLERANCE:
        tolerance = limits.duration_tolerance_percent / 100
        minutes = f"{int(actual // 60)} min pour {int(planned // 60)} prévues"
        if actual < planned * (1 - tolerance):
            found.append(Found(AnomalyKind.TOO_SHORT, minutes))
        elif actual > planned * (1 + tolerance):
            found.append(Found(AnomalyKind.TOO_LONG, minutes))
    if distance is not None and distance > radius_m:
        found.append(Found(AnomalyKind.FAR_CHECK_OUT, f"à {distance} m de l'adresse"))
    return found


# One per visit and kind (a corrected visit checked out again keeps its first flag): the
# unique (intervention, kind) answers in the INSERT itself, one statement.
_FLAG_SQL = (
    'INSERT INTO "attendance_anomaly" ("intervention_id", "agency_id", "kind", "detail", '
    '"detected_at") VALUES ({}) ON CONFLICT ("intervention_id", "kind") DO NOTHING'
)
_FLAG = {
    "postgres": _FLAG_SQL.format("$1, $2, $3, $4, $5") + ' RETURNING "id"',
    "sqlite": _FLAG_SQL.format("?, ?, ?, ?, ?"),
}


async def write(visit: Intervention, found: Sequence[Found], now: datetime) -> list[Found]:
    """The anomalies' rows, in the transaction of the check-in or check-out, before any
    event (events come last: see `subscriptions.events`); returns those newly flagged."""
    db = connections.get("default")
    written = []
    for anomaly in found:
        values = [visit.id, visit.agency_id, anomaly.kind.value, anomaly.detail, now]
        if await rows_changed(db, _FLAG, values):
            written.append(anomaly)
    return written


def flag_events(visit: Intervention, written: Sequence[Found], now: datetime) -> list[Any]:
    """The columns of an ANOMALY_FLAGGED event per anomaly `write` flagged (staff only: no
    client, no worker in the audience), for `events.record_many`."""
    return [
        {
            **events.on_visit(EventType.ANOMALY_FLAGGED, visit, now),
            "client_id": None,
            "worker_id": None,
        }
        for _ in written
    ]


async def flagged(visit: Intervention, written: Sequence[Found], now: datetime) -> list[Event]:
    """An ANOMALY_FLAGGED event per anomaly `write` flagged: last in the transaction."""
    return await events.record_many(flag_events(visit, written, now))


async def record(visit: Intervention, found: Sequence[Found], now: datetime) -> list[Event]:
    """The rows, then their events: call last in a transaction."""
    return await flagged(visit, await write(visit, found, now), now)


async def _event(kind: EventType, visit: Intervention, now: datetime) -> Event:
    # Staff only: no client, no worker in the audience.
    return await events.record_event(
        kind, now, agency_id=visit.agency_id, intervention_id=visit.id, status=visit.status
    )


async def resolve(
    visit: Intervention, staff_account_id: int, correction_id: int, now: datetime
) -> Event | None:
    """Call in the transaction of a staff correction: the visit's open anomalies are settled."""
    resolved = await AttendanceAnomaly.filter(intervention_id=visit.id, resolved_at=None).update(
        resolved_at=now, resolved_by_id=staff_account_id, correction_id=correction_id
    )
    return await _event(EventType.ANOMALY_RESOLVED, visit, now) if resolved else None


def day_over(visit: Intervention, zone: ZoneInfo, now: datetime) -> bool:
    """The local day of the visit's planned end is over."""
    last_day = visit.scheduled_end.astimezone(zone).date()
    midnight = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=zone)
    return now >= midnight


async def sweep(rt: Runtime) -> int:
    """Flags visits still in progress once their day is over (check-out missing)."""
    now = utcnow()
    flagged = AttendanceAnomaly.filter(kind=AnomalyKind.MISSING_CHECK_OUT)
    candidates = (
        await Intervention.filter(
            status=InterventionStatus.IN_PROGRESS, scheduled_end__lte=now - timedelta(hours=1)
        )
        .exclude(id__in=Subquery(flagged.values("intervention_id")))
        .select_related("agency")
        .limit(BATCH)
    )
    written: list[Event] = []
    for visit in candidates:
        if not day_over(visit, ZoneInfo(visit.agency.time_zone), now):
            continue
        try:
            async with in_transaction():
                written += await record(
                    visit, [Found(AnomalyKind.MISSING_CHECK_OUT, "journée terminée")], now
                )
        except IntegrityError:
            continue  # another process flagged it first
    if written:
        await events.publish(rt.bus, written)
    return len(written)


def _views(rows: list[AttendanceAnomaly]) -> list[AnomalyView]:
    return [
        AnomalyView(
            row.id,
            row.intervention_id,
            AnomalyKind(row.kind),
            LABELS[AnomalyKind(row.kind)],
            row.detail,
            row.detected_at,
            row.resolved_at,
            row.correction_id,
        )
        for row in rows
    ]


async def listed(
    viewer: Viewer | None, kind: AnomalyKind | None, open_only: bool, since: datetime | None
) -> list[AnomalyView]:
    """The agency's anomalies, newest first, filtered (staff)."""
    staff = guards.staff(viewer)
    query = AttendanceAnomaly.filter(agency_id=staff.agency_id)
    if kind is not None:
        query = query.filter(kind=kind)
    if open_only:
        query = query.filter(resolved_at=None)
    if since is not None:
        query = query.filter(detected_at__gte=since)
    return _views(await query.order_by("-detected_at", "-id").limit(MAX_LISTED))


async def counts(viewer: Viewer | None, since: datetime | None) -> dict[AnomalyKind, int]:
    """Open anomalies of the agency by kind (the dashboard's counter)."""
    staff = guards.staff(viewer)
    query = AttendanceAnomaly.filter(agency_id=staff.agency_id, resolved_at=None)
    if since is not None:
        query = query.filter(detected_at__gte=since)
    rows = await query.annotate(n=Count("id")).group_by("kind").values_list("kind", "n")
    found = dict.fromkeys(AnomalyKind, 0)
    found.update({AnomalyKind(kind): int(n) for kind, n in rows})
    return found


async def by_visit_ids(keys: Sequence[tuple[Viewer, int]]) -> list[list[AnomalyView]]:
    """Each visit's anomalies, for staff of its agency only (DataLoader)."""
    ids = [pk for viewer, pk in keys if viewer.is_staff]
    rows = await AttendanceAnomaly.filter(intervention_id__in=ids).order_by("id") if ids else []
    grouped: dict[int, list[AttendanceAnomaly]] = {}
    for row in rows:
        grouped.setdefault(row.intervention_id, []).append(row)
    return [
        _views(
            [r for r in grouped.get(pk, []) if viewer.is_staff and r.agency_id == viewer.agency_id]
        )
        for viewer, pk in keys
    ]
