"""Reading visits: the calendar, one visit, the history — each scoped to the viewer.

A page is one SQL statement: the visit joined with its service, worker, client and
address, read as plain rows (`.values()`), so listing 100 visits costs one query
whatever fields are asked. `fields` narrows the columns (and the joins) to those a
query needs (schema/engine/planner.py); the start and id, which make the cursor, are always read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models.enums import InterventionStatus, Role
from models.visits.visits import Intervention
from resolvers.core import guards
from resolvers.core.errors import BadInput
from resolvers.core.prepared import PreparedRows, add_position, past
from resolvers.core.runtime import Viewer

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
    "client__account__first_name",
    "client__account__last_name",
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


def _scope(viewer: Viewer) -> tuple[str, int | None]:
    """The column that scopes a viewer's visits, and its value.

    A client's or worker's record is joined rather than looked up first: one query
    instead of two for every page.
    """
    if viewer.is_staff:
        return "agency_id", viewer.agency_id
    if viewer.role is Role.CLIENT:
        return "client__account_id", viewer.account_id
    return "worker__account_id", viewer.account_id


def _where(column: str, value: Any) -> Q:
    return Q(**{column: value})  # type: ignore[arg-type]  # no keyword of Q's own


async def scope(viewer: Viewer) -> Q:
    """The visits a viewer may see at all."""
    return _where(*_scope(viewer))


def encode_position(start: datetime, pk: int) -> str:
    return f"{int(start.timestamp() * 1_000_000)}.{pk}"


def decode_position(raw: str) -> tuple[datetime, int]:
    try:
        micros, pk = raw.split(".", 1)
        return datetime.fromtimestamp(int(micros) / 1_000_000, UTC), int(pk)
    except (ValueError, OverflowError) as exc:
        raise BadInput("Curseur invalide.") from exc


_ROWS = PreparedRows(Intervention, ROW_FIELDS)


def _with_cursor(fields: tuple[str, ...] | None) -> tuple[str, ...] | None:
    if fields is None:
        return None
    return tuple(dict.fromkeys(("id", "scheduled_start", *fields)))


async def calendar(
    viewer: Viewer | None,
    flt: CalendarFilter,
    first: int,
    after: str | None,
    fields: tuple[str, ...] | None = None,
) -> list[dict[str, Any]]:
    """Visits overlapping [start, end), by start time; `first + 1` rows to tell if more."""
    viewer = guards.signed_in(viewer)
    if flt.start.tzinfo is None or flt.end.tzinfo is None:
        raise BadInput("Les dates doivent porter un fuseau horaire.")
    if flt.end <= flt.start or flt.end - flt.start > MAX_RANGE:
        raise BadInput("La période doit être positive et de 92 jours au plus.")
    column, value = _scope(viewer)
    # In UTC, as stored: SQLite compares the text, so "10:30+02:00" sorts after "10:00+00:00".
    inputs: dict[str, Any] = {
        "scope": value,
        "end": flt.end.astimezone(UTC),
        "start": flt.start.astimezone(UTC),
        "limit": first + 1,
    }
    statuses = list(flt.statuses or ())
    inputs.update((f"status{i}", status) for i, status in enumerate(statuses))
    if flt.client_id is not None:
        inputs["client_id"] = flt.client_id
    if flt.worker_id is not None:
        inputs["worker_id"] = flt.worker_id
    if after is not None:
        add_position(inputs, decode_position(after))

    def build(v: Mapping[str, Any]) -> QuerySet[Intervention]:
        query = Intervention.filter(_where(column, v["scope"])).filter(
            scheduled_start__lt=v["end"], scheduled_end__gt=v["start"]
        )
        if statuses:
            query = query.filter(status__in=[v[f"status{i}"] for i in range(len(statuses))])
        if "client_id" in v:
            query = query.filter(client_id=v["client_id"])
        if "worker_id" in v:
            query = query.filter(worker_id=v["worker_id"])
        if "after" in v:
            query = query.filter(past(v, "scheduled_start"))
        return query.order_by("scheduled_start", "id").limit(v["limit"])

    shape = ("calendar", column, len(statuses), *sorted(inputs.keys() - {"limit"}))
    return await _ROWS.fetch(shape, build, inputs, _with_cursor(fields))


async def history(
    viewer: Viewer | None, first: int, after: str | None, fields: tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    """Past visits, the latest slot first (seed: "l'historique complet des prestations").

    By slot, not by row id: visits are often written long before or after their day.
    """
    viewer = guards.signed_in(viewer)
    column, value = _scope(viewer)
    inputs: dict[str, Any] = {
        "scope": value,
        "done": InterventionStatus.COMPLETED,
        "cancelled": InterventionStatus.CANCELLED,
        "missed": InterventionStatus.MISSED,
        "limit": first + 1,
    }
    if after is not None:
        add_position(inputs, decode_position(after))

    def build(v: Mapping[str, Any]) -> QuerySet[Intervention]:
        query = Intervention.filter(_where(column, v["scope"])).filter(
            status__in=[v["done"], v["cancelled"], v["missed"]]
        )
        if "after" in v:  # later in the list: earlier in time
            query = query.filter(past(v, "scheduled_start", descending=True))
        return query.order_by("-scheduled_start", "-id").limit(v["limit"])

    shape = ("history", column, after is not None)
    return await _ROWS.fetch(shape, build, inputs, _with_cursor(fields))


async def by_ids(
    viewer: Viewer | None, ids: list[int], fields: tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    """The visits among `ids` the viewer may see, in no particular order."""
    viewer = guards.signed_in(viewer)
    column, value = _scope(viewer)
    inputs: dict[str, Any] = {"scope": value}
    inputs.update((f"id{i}", pk) for i, pk in enumerate(ids))

    def build(v: Mapping[str, Any]) -> QuerySet[Intervention]:
        wanted = [v[f"id{i}"] for i in range(len(ids))]
        return Intervention.filter(_where(column, v["scope"])).filter(id__in=wanted)

    return await _ROWS.fetch(("by_ids", column, len(ids)), build, inputs, _with_cursor(fields))
