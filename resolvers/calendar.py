"""Reading visits: the calendar, one visit, the history — each scoped to the viewer.

A page is one SQL statement: the visit joined with its service, worker, and
address, read as plain rows (`.values()`), so listing 100 visits costs one
query whatever fields are asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models.enums import InterventionStatus, Role
from models.interventions import Intervention
from resolvers import guards
from resolvers.errors import BadInput
from resolvers.lookups import client_id_of, worker_id_of
from resolvers.runtime import Viewer

MAX_RANGE = timedelta(days=92)

ROW_FIELDS = (
    "id",
    "status",
    "scheduled_start",
    "scheduled_end",
    "checked_in_at",
    "checked_out_at",
    "client_id",
    "worker_id",
    "agency_id",
    "instructions",
    "cancellation_reason",
    "position_flagged",
    "late_at",
    "service_type__code",
    "service_type__label",
    "worker__account__first_name",
    "worker__account__last_name",
    "address__line1",
    "address__line2",
    "address__postal_code",
    "address__city",
)


@dataclass(frozen=True)
class CalendarFilter:
    start: datetime
    end: datetime
    statuses: list[InterventionStatus] | None = None
    client_id: int | None = None
    worker_id: int | None = None


async def scope(viewer: Viewer) -> Q:
    """The visits a viewer may see at all."""
    if viewer.is_staff:
        return Q(agency_id=viewer.agency_id)
    if viewer.role is Role.CLIENT:
        return Q(client_id=await client_id_of(viewer.account_id) or 0)
    return Q(worker_id=await worker_id_of(viewer.account_id) or 0)


def encode_position(start: datetime, pk: int) -> str:
    return f"{int(start.timestamp() * 1_000_000)}.{pk}"


def decode_position(raw: str) -> tuple[datetime, int]:
    try:
        micros, pk = raw.split(".", 1)
        return datetime.fromtimestamp(int(micros) / 1_000_000, UTC), int(pk)
    except (ValueError, OverflowError) as exc:
        raise BadInput("Curseur invalide.") from exc


def _rows(query: QuerySet[Intervention]) -> Any:
    return query.values(*ROW_FIELDS)


async def calendar(
    viewer: Viewer | None, flt: CalendarFilter, first: int, after: str | None
) -> list[dict[str, Any]]:
    """Visits overlapping [start, end), by start time; `first + 1` rows to tell if more."""
    viewer = guards.signed_in(viewer)
    if flt.start.tzinfo is None or flt.end.tzinfo is None:
        raise BadInput("Les dates doivent porter un fuseau horaire.")
    if flt.end <= flt.start or flt.end - flt.start > MAX_RANGE:
        raise BadInput("La période doit être positive et de 92 jours au plus.")
    query = Intervention.filter(await scope(viewer)).filter(
        scheduled_start__lt=flt.end, scheduled_end__gt=flt.start
    )
    if flt.statuses:
        query = query.filter(status__in=flt.statuses)
    if flt.client_id is not None:
        query = query.filter(client_id=flt.client_id)
    if flt.worker_id is not None:
        query = query.filter(worker_id=flt.worker_id)
    if after is not None:
        start, pk = decode_position(after)
        query = query.filter(Q(scheduled_start__gt=start) | Q(scheduled_start=start, id__gt=pk))
    return list(await _rows(query.order_by("scheduled_start", "id").limit(first + 1)))


async def history(viewer: Viewer | None, first: int, after_id: int | None) -> list[dict[str, Any]]:
    """Past visits, newest first (seed: "l'historique complet des prestations")."""
    viewer = guards.signed_in(viewer)
    query = Intervention.filter(await scope(viewer)).filter(
        status__in=[
            InterventionStatus.COMPLETED,
            InterventionStatus.CANCELLED,
            InterventionStatus.MISSED,
        ]
    )
    if after_id is not None:
        query = query.filter(id__lt=after_id)
    return list(await _rows(query.order_by("-id").limit(first + 1)))


async def by_ids(viewer: Viewer | None, ids: list[int]) -> list[dict[str, Any]]:
    """The visits among `ids` the viewer may see, in no particular order."""
    viewer = guards.signed_in(viewer)
    return list(await _rows(Intervention.filter(await scope(viewer)).filter(id__in=ids)))
