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

from datetime import timedelta

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.accounts import Agency
from models.enums import EventType, InterventionStatus, Role
from models.interventions import Address, IdempotentRequest, Intervention
from resolvers import guards
from resolvers.errors import Forbidden, UserError, user_error
from resolvers.interventions import InterventionResult, failure
from resolvers.lookups import worker_id_of
from resolvers.notices import Household
from resolvers.runtime import Runtime, Viewer
from services.clock import utcnow
from services.geo import distance_m, valid_position
from subscriptions import events

EARLIEST_CHECK_IN = timedelta(hours=2)
MAX_KEY = 100


async def _assigned_visit(viewer: Viewer, intervention_id: int) -> Intervention | None:
    if viewer.role is not Role.WORKER:
        raise Forbidden("Réservé à l'intervenant assigné.")
    worker_id = await worker_id_of(viewer.account_id)
    visit = await Intervention.get_or_none(id=intervention_id)
    if visit is None or worker_id is None or visit.worker_id != worker_id:
        return None
    return visit


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


async def _radius_m(visit: Intervention) -> int:
    """The agency's check-in radius (an agency setting, 300 m by default)."""
    return (await Agency.get(id=visit.agency_id)).check_in_radius_m


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


async def _distance(
    visit: Intervention, latitude: float | None, longitude: float | None
) -> int | None:
    if latitude is None or longitude is None:
        return None
    address = await Address.get(id=visit.address_id)
    if address.latitude is None or address.longitude is None:
        return None
    return distance_m(latitude, longitude, address.latitude, address.longitude)


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
    visit = await _assigned_visit(worker, intervention_id)
    if visit is None:
        return failure("interventionId", "Intervention introuvable ou non assignée.", "NOT_FOUND")
    replay = await _replayed(worker, operation, key, visit.id)
    if replay is not None:
        return replay
    now = utcnow()
    expected = InterventionStatus.SCHEDULED if arriving else InterventionStatus.IN_PROGRESS
    if visit.status is not expected:
        if arriving and visit.status is InterventionStatus.IN_PROGRESS:
            return failure("interventionId", "Arrivée déjà pointée.", "ALREADY_CHECKED_IN")
        if not arriving and visit.status is InterventionStatus.SCHEDULED:
            return failure("interventionId", "Pointez d'abord l'arrivée.", "NOT_CHECKED_IN")
        return failure("interventionId", "Cette intervention n'est plus en cours.", "INVALID_STATE")
    if arriving and now < visit.scheduled_start - EARLIEST_CHECK_IN:
        return failure("interventionId", "Trop tôt pour pointer cette intervention.", "TOO_EARLY")
    distance = await _distance(visit, latitude, longitude)
    flagged = distance is not None and distance > await _radius_m(visit)
    household = await Household.of(visit)
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
            changes: dict[str, object]
            if arriving:
                changes = {
                    "status": InterventionStatus.IN_PROGRESS,
                    "checked_in_at": now,
                    "check_in_latitude": latitude,
                    "check_in_longitude": longitude,
                    "check_in_distance_m": distance,
                }
            else:
                changes = {
                    "status": InterventionStatus.COMPLETED,
                    "checked_out_at": now,
                    "check_out_latitude": latitude,
                    "check_out_longitude": longitude,
                    "check_out_distance_m": distance,
                }
            if flagged:
                changes["position_flagged"] = True
            claimed = await Intervention.filter(id=visit.id, status=expected).update(**changes)
            if not claimed:
                raise _Raced
            await visit.refresh_from_db()
            event = await events.record(
                EventType.ARRIVED if arriving else EventType.DEPARTED, visit, now
            )
            await household.notify(visit, now, arriving)
    except (IntegrityError, _Raced):
        # A concurrent retry with the same key, or a concurrent change, won.
        replay = await _replayed(worker, operation, key, visit.id)
        if replay is not None:
            return replay
        code = "ALREADY_CHECKED_IN" if arriving else "INVALID_STATE"
        return failure("interventionId", "Pointage déjà enregistré.", code)
    rt.mailer.wake()
    await events.publish(rt.bus, [event])
    return InterventionResult(visit, [])


class _Raced(Exception):
    pass
