"""Check-in and check-out ("pointage") by the worker assigned to the visit.

A phone on a bad network retries: with the same `idempotencyKey` the first
result is returned and nothing changes. Positions are recorded with their
distance to the address; a position beyond the agency's radius is accepted
but flagged for staff. The household is told of the arrival and the departure
through the outbox, in the transaction of the check-in or check-out, so a
replay or a rolled-back check-in never notifies, and a provider that is down
never slows the worker's phone.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.accounts.people import Account
from models.db import rows_changed
from models.enums import EventType, InterventionStatus, NotificationTopic, Role
from models.visits.visits import IdempotentRequest, Intervention
from notifications.notify import DEFAULT_ZONE, Reach
from notifications.preferences import chosen, default, quiet_between
from notifications.visit_notices import Household
from resolvers.core import guards
from resolvers.core.errors import Forbidden, UserError, user_error
from resolvers.core.prepared import PreparedRows, every_field, loaded
from resolvers.core.runtime import Runtime, Viewer
from resolvers.core.shapes import db_value
from resolvers.visits import anomalies
from resolvers.visits.calendar import ROW_FIELDS
from resolvers.visits.planning import InterventionResult, failure
from services.clock import utcnow
from services.geo import distance_m, valid_position
from subscriptions import events

EARLIEST_CHECK_IN = timedelta(hours=2)
MAX_KEY = 100


class _Attending(NamedTuple):
    visit: Intervention
    household: Household
    radius_m: int  # the agency's check-in radius (an agency setting, 300 m by default)
    position: tuple[float, float] | None  # of the address, when known
    shown: dict[str, Any]  # the visit as its worker sees it (calendar.ROW_FIELDS)
    limits: anomalies.Limits  # the agency's thresholds (its care settings, or the defaults)


# Besides the visit and the client's account: what the answer shows (the calendar's row),
# how the household wants to hear of its visits, where the address is, and the agency's
# anomaly thresholds (its care settings, a row it may not have). Preferences are one row
# per topic the household chose: all of them come, left-joined, one row each.
_PREFERENCE = "client__account__contact_preferences__"
_EXTRA = (
    "worker__account__first_name",
    "agency__time_zone",
    "agency__check_in_radius_m",
    "agency__care__early_check_in_minutes",
    "agency__care__duration_tolerance_percent",
    "address__latitude",
    "address__longitude",
    f"{_PREFERENCE}topic",
    f"{_PREFERENCE}email",
    f"{_PREFERENCE}sms",
    f"{_PREFERENCE}frequency",
    "client__account__quiet_hours__start_minute",
    "client__account__quiet_hours__end_minute",
    "client__account__agency__time_zone",
)


@functools.cache
def _rows() -> tuple[PreparedRows, tuple[str, ...], tuple[str, ...]]:
    """Every column of the visit and of the client's account (foreign keys included, so
    only once the ORM is set up), and the columns above."""
    visit, client = every_field(Intervention).fields, every_field(Account).fields
    wanted = (*visit, *(f"client__account__{name}" for name in client), *ROW_FIELDS, *_EXTRA)
    rows = PreparedRows(Intervention, tuple(dict.fromkeys(wanted)))
    return rows, visit, client


def _reach(rows: list[dict[str, Any]]) -> Reach:
    """How the household hears of its visits: its row for the topic, or the defaults."""
    topic = NotificationTopic.ATTENDANCE
    row = rows[0]
    preference = default(topic)
    for chosen_row in rows:
        if chosen_row[f"{_PREFERENCE}topic"] is topic:
            preference = chosen(
                topic,
                chosen_row[f"{_PREFERENCE}email"],
                chosen_row[f"{_PREFERENCE}sms"],
                chosen_row[f"{_PREFERENCE}frequency"],
            )
    start, end = (row[f"client__account__quiet_hours__{end}_minute"] for end in ("start", "end"))
    quiet = None if start is None or end is None else quiet_between(start, end)
    zone = ZoneInfo(row["client__account__agency__time_zone"] or DEFAULT_ZONE)
    return Reach(preference, quiet, zone)


async def _assigned_visit(viewer: Viewer, intervention_id: int) -> _Attending | None:
    """The visit if the viewer is its worker, with who to tell and how, the agency's radius
    and thresholds, and what the answer shows: one statement, its SQL written once (it runs
    on every check-in and check-out)."""
    if viewer.role is not Role.WORKER:
        raise Forbidden("Réservé à l'intervenant assigné.")
    prepared, visit_fields, client_fields = _rows()
    rows = await prepared.fetch(
        "assigned",
        lambda v: Intervention.filter(id=v["id"], worker__account_id=v["account"]),
        {"id": intervention_id, "account": viewer.account_id},
    )
    if not rows:
        return None
    row = rows[0]
    visit = loaded(Intervention, row, visit_fields)
    client = loaded(Account, row, client_fields, "client__account__")
    household = Household(
        client, row["worker__account__first_name"], row["agency__time_zone"], _reach(rows)
    )
    latitude, longitude = row["address__latitude"], row["address__longitude"]
    position = None if latitude is None or longitude is None else (latitude, longitude)
    shown = {name: row[name] for name in ROW_FIELDS}
    early, tolerance = (
        row["agency__care__early_check_in_minutes"],
        row["agency__care__duration_tolerance_percent"],
    )
    limits = anomalies.Limits() if early is None else anomalies.Limits(early, tolerance)
    return _Attending(visit, household, row["agency__check_in_radius_m"], position, shown, limits)


async def _replayed(
    viewer: Viewer, operation: str, key: str | None, visit_id: int
) -> InterventionResult | None:
    """The answer to a retry, or None for a new key.

    A key already used on another visit is refused: answering with that other
    visit would tell the phone it checked in where it did not.
    """
    if not key:
        return None
    previous = await IdempotentRequest.get_or_none(
        account_id=viewer.account_id, operation=operation, key=key
    )
    if previous is None:
        return None
    if previous.intervention_id != visit_id:
        return failure(
            "idempotencyKey",
            "Cette clé a déjà servi pour une autre intervention.",
            "IDEMPOTENCY_KEY_REUSED",
        )
    return InterventionResult(await Intervention.get(id=previous.intervention_id), [])


def _position_errors(
    latitude: float | None, longitude: float | None, key: str | None
) -> list[UserError]:
    errors = []
    if not valid_position(latitude, longitude):
        errors.append(
            user_error("latitude", "Position invalide (latitude et longitude).", "INVALID_POSITION")
        )
    if key is not None and not 1 <= len(key) <= MAX_KEY:
        errors.append(
            user_error("idempotencyKey", "Clé de 1 à 100 caractères.", "INVALID_IDEMPOTENCY_KEY")
        )
    return errors


def _distance(
    address: tuple[float, float] | None, latitude: float | None, longitude: float | None
) -> int | None:
    if latitude is None or longitude is None or address is None:
        return None
    return distance_m(latitude, longitude, *address)


async def check_in(
    rt: Runtime,
    viewer: Viewer | None,
    intervention_id: int,
    latitude: float | None,
    longitude: float | None,
    key: str | None,
) -> InterventionResult:
    return await _attend(rt, viewer, intervention_id, latitude, longitude, key, arriving=True)


async def check_out(
    rt: Runtime,
    viewer: Viewer | None,
    intervention_id: int,
    latitude: float | None,
    longitude: float | None,
    key: str | None,
) -> InterventionResult:
    return await _attend(rt, viewer, intervention_id, latitude, longitude, key, arriving=False)


async def _attend(
    rt: Runtime,
    viewer: Viewer | None,
    intervention_id: int,
    latitude: float | None,
    longitude: float | None,
    key: str | None,
    *,
    arriving: bool,
) -> InterventionResult:
    worker = guards.signed_in(viewer)
    operation = "checkIn" if arriving else "checkOut"
    errors = _position_errors(latitude, longitude, key)
    if errors:
        return InterventionResult(None, errors)
    attending = await _assigned_visit(worker, intervention_id)
    if attending is None:
        return failure("interventionId", "Intervention introuvable ou non assignée.", "NOT_FOUND")
    visit, household, radius_m, address, shown, limits = attending
    replay = await _replayed(worker, operation, key, visit.id)
    if replay is not None:
        return replay
    now = utcnow()
    refused = _refused(visit, now, arriving)
    if refused is not None:
        return refused
    distance = _distance(address, latitude, longitude)
    changes = _changes(arriving, now, latitude, longitude, distance)
    if distance is not None and distance > radius_m:
        changes["position_flagged"] = True
    noticed = (anomalies.on_check_in if arriving else anomalies.on_check_out)(
        visit, now, distance, radius_m, limits
    )
    try:
        async with in_transaction():
            if key:
                await IdempotentRequest.create(
                    account_id=worker.account_id,
                    operation=operation,
                    key=key,
                    intervention_id=visit.id,
                    created_at=now,
                )
            await _claim(visit, _expected(arriving), changes)
            shown.update(changes)
            await household.notify(visit, now, arriving)
            written = await anomalies.write(visit, noticed, now)
            # Last, the events in one statement: on PostgreSQL it takes the order lock, which
            # every writer of the log waits for, and is sent with the COMMIT (their ids are
            # known once committed, for the publish below).
            kind = EventType.ARRIVED if arriving else EventType.DEPARTED
            event, *flags = await events.record_many(
                [events.on_visit(kind, visit, now), *anomalies.flag_events(visit, written, now)],
                at_commit=True,
            )
    except (IntegrityError, _Raced):
        # A concurrent retry with the same key, or a concurrent change, won.
        replay = await _replayed(worker, operation, key, visit.id)
        if replay is not None:
            return replay
        code = "ALREADY_CHECKED_IN" if arriving else "INVALID_STATE"
        return failure("interventionId", "Pointage déjà enregistré.", code)
    rt.mailer.wake()
    await events.publish(rt.bus, [event, *flags])
    return InterventionResult(visit, [], shown)


def _expected(arriving: bool) -> InterventionStatus:
    return InterventionStatus.SCHEDULED if arriving else InterventionStatus.IN_PROGRESS


def _refused(visit: Intervention, now: datetime, arriving: bool) -> InterventionResult | None:
    """Why the visit cannot be checked in (or out) now, if it cannot."""
    if visit.status is not _expected(arriving):
        if arriving and visit.status is InterventionStatus.IN_PROGRESS:
            return failure("interventionId", "Arrivée déjà pointée.", "ALREADY_CHECKED_IN")
        if not arriving and visit.status is InterventionStatus.SCHEDULED:
            return failure("interventionId", "Pointez d'abord l'arrivée.", "NOT_CHECKED_IN")
        return failure("interventionId", "Cette intervention n'est plus en cours.", "INVALID_STATE")
    if arriving and now < visit.scheduled_start - EARLIEST_CHECK_IN:
        return failure("interventionId", "Trop tôt pour pointer cette intervention.", "TOO_EARLY")
    return None


def _changes(
    arriving: bool,
    now: datetime,
    latitude: float | None,
    longitude: float | None,
    distance: int | None,
) -> dict[str, object]:
    """The visit's new columns: in progress from the arrival, completed at the departure."""
    if arriving:
        return {
            "status": InterventionStatus.IN_PROGRESS,
            "checked_in_at": now,
            "check_in_latitude": latitude,
            "check_in_longitude": longitude,
            "check_in_distance_m": distance,
        }
    return {
        "status": InterventionStatus.COMPLETED,
        "checked_out_at": now,
        "check_out_latitude": latitude,
        "check_out_longitude": longitude,
        "check_out_distance_m": distance,
    }


async def _claim(
    visit: Intervention, expected: InterventionStatus, changes: dict[str, object]
) -> None:
    """Writes `changes` if the visit is still in the state read, and still this worker's:
    what was read is then what the answer may show. Raises _Raced otherwise."""
    # The statement Tortoise writes, written once per set of columns: building it was a
    # tenth of a check-in's CPU.
    names = tuple(changes)
    values = [db_value(changes[name]) for name in names]
    values += [visit.id, expected.value, visit.worker_id]
    claimed = await rows_changed(connections.get("default"), _claim_sql(names), values)
    if not claimed:
        raise _Raced
    # The row is now `visit` with `changes` (update() leaves the other columns alone).
    for name, value in changes.items():
        setattr(visit, name, value)


@functools.lru_cache(maxsize=8)
def _claim_sql(names: tuple[str, ...]) -> dict[str, str]:
    """`names` set on the visit still in the state and with the worker read, per dialect.
    `names` are the columns of `_changes`, never input."""
    return {
        "postgres": _claim_one(names, [f"${i}" for i in range(1, len(names) + 4)])
        + ' RETURNING "id"',
        "sqlite": _claim_one(names, ["?"] * (len(names) + 3)),
    }


def _claim_one(names: tuple[str, ...], marks: list[str]) -> str:
    sets = ", ".join(f'"{name}" = {mark}' for name, mark in zip(names, marks, strict=False))
    visit, status, worker = marks[-3:]
    return (
        f'UPDATE "intervention" SET {sets} '  # noqa: S608
        f'WHERE "id" = {visit} AND "status" = {status} AND "worker_id" = {worker}'
    )


class _Raced(Exception):
    pass
