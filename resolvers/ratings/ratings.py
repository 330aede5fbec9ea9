"""Clients rate their completed visits (seed: "système d'évaluation en temps réel").

A visit is rated once by its client, and the rating can be edited for seven
days. A score of 2 or less opens a follow-up for the client's advisor. Staff see
their agency's ratings and averages per worker and per month.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models.accounts.people import Client
from models.enums import EventType, InterventionStatus, Role
from models.ratings import Rating, RatingFollowUp
from models.visits.visits import Intervention
from resolvers.core import guards
from resolvers.core.errors import Forbidden, UserError, user_error
from resolvers.core.lookups import client_id_for
from resolvers.core.prepared import PreparedRows, every_field, loaded
from resolvers.core.runtime import Runtime, Viewer
from services.clock import utcnow
from subscriptions import events

EDITABLE_FOR = timedelta(days=7)
LOW_SCORE = 2
MAX_COMMENT = 1000
# A visit's rating as the planner reads it (schema/ratings/ratings.py RATING_ROWS).
_RATING_ROWS = PreparedRows(
    Rating,
    ("id", "score", "comment", "created_at", "updated_at", "intervention_id", "worker_id"),
)


@dataclass(frozen=True)
class RatingResult:
    rating: Rating | None
    user_errors: list[UserError]


@dataclass(frozen=True)
class Average:
    key: str  # worker id or "YYYY-MM"
    count: int
    average: float


async def rate(
    rt: Runtime, viewer: Viewer | None, intervention_id: int, score: int, comment: str | None
) -> RatingResult:
    """Rates (or edits the rating of) a visit; RATED reaches the agency's dashboard live."""
    viewer = guards.signed_in(viewer)
    if viewer.role is not Role.CLIENT:
        raise Forbidden("Seul le client de l'intervention peut la noter.")
    errors = []
    if not 1 <= score <= 5:
        errors.append(user_error("score", "Une note de 1 à 5.", "INVALID_SCORE"))
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT:
        errors.append(user_error("comment", f"{MAX_COMMENT} caractères au plus.", "TOO_LONG"))
    client_id = await client_id_for(viewer)
    visit = await Intervention.get_or_none(id=intervention_id, client_id=client_id or 0)
    if visit is None:
        errors.append(user_error("interventionId", "Intervention introuvable.", "NOT_FOUND"))
    elif visit.status is not InterventionStatus.COMPLETED:
        errors.append(
            user_error(
                "interventionId", "Seule une intervention terminée se note.", "NOT_COMPLETED"
            )
        )
    if errors or visit is None:
        return RatingResult(None, errors)
    now = utcnow()
    async with in_transaction():
        existing = await Rating.filter(intervention_id=visit.id).select_for_update().first()
        if existing is not None:
            if now - existing.created_at > EDITABLE_FOR:
                return RatingResult(
                    None,
                    [
                        user_error(
                            "interventionId",
                            "La note ne se modifie plus après 7 jours.",
                            "RATING_LOCKED",
                        )
                    ],
                )
            existing.score, existing.comment, existing.updated_at = score, text, now
            await existing.save(update_fields=["score", "comment", "updated_at"])
            rating = existing
        else:
            rating = await Rating.create(
                intervention=visit,
                client_id=visit.client_id,
                worker_id=visit.worker_id,
                agency_id=visit.agency_id,
                score=score,
                comment=text,
                created_at=now,
                updated_at=now,
            )
        if rating.score <= LOW_SCORE and not await RatingFollowUp.exists(rating_id=rating.id):
            client = await Client.get(id=visit.client_id)
            await RatingFollowUp.create(rating=rating, advisor_id=client.advisor_id, created_at=now)
        # Staff and the client hear of it; the worker reads ratings through staff.
        event = await events.record_event(
            EventType.RATED,
            now,
            agency_id=visit.agency_id,
            client_id=visit.client_id,
            intervention_id=visit.id,
            subject_id=rating.id,
        )
    await events.publish(rt.bus, [event])
    return RatingResult(rating, [])


async def agency_ratings(
    viewer: Viewer | None,
    first: int,
    before_id: int | None,
    worker_id: int | None,
    max_score: int | None,
) -> list[Rating]:
    staff = guards.staff(viewer)
    query = Rating.filter(agency_id=staff.agency_id)
    if worker_id is not None:
        query = query.filter(worker_id=worker_id)
    if max_score is not None:
        query = query.filter(score__lte=max_score)
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    return await query.order_by("-id").limit(first + 1)


async def my_ratings(viewer: Viewer | None) -> list[Rating]:
    viewer = guards.signed_in(viewer)
    client_id = await client_id_for(viewer)
    return await Rating.filter(client_id=client_id or 0).order_by("-id").limit(100)


async def averages(viewer: Viewer | None, year: int, by_worker: bool) -> list[Average]:
    """Averages of the agency's ratings given in `year`, per worker or per month."""
    staff = guards.staff(viewer)
    start = datetime(year, 1, 1, tzinfo=utcnow().tzinfo)
    rows = await Rating.filter(
        agency_id=staff.agency_id,
        created_at__gte=start,
        created_at__lt=start.replace(year=year + 1),
    ).values_list("worker_id", "created_at", "score")
    groups: dict[str, list[int]] = {}
    for worker_id, created_at, score in rows:
        key = str(worker_id) if by_worker else created_at.strftime("%Y-%m")
        groups.setdefault(key, []).append(score)
    return [
        Average(key, len(scores), round(sum(scores) / len(scores), 2))
        for key, scores in sorted(groups.items())
    ]


OPEN_FOLLOW_UPS = 200  # at most, oldest first
_FOLLOW_UPS: dict[tuple[str, ...], PreparedRows] = {}


async def open_follow_ups(
    viewer: Viewer | None, rating_columns: tuple[str, ...]
) -> list[dict[str, Any]]:
    """The open follow-ups of the staff's agency, oldest first, as rows: `id`,
    `created_at` and the rating's `rating_columns`, each as `rating__<column>`."""
    staff = guards.staff(viewer)
    rows = _FOLLOW_UPS.get(rating_columns)
    if rows is None:  # one per declaration of a rating's columns: a handful
        fields = ("id", "created_at", *(f"rating__{name}" for name in rating_columns))
        rows = _FOLLOW_UPS[rating_columns] = PreparedRows(RatingFollowUp, fields)
    return await rows.fetch(
        "open",
        lambda v: (
            RatingFollowUp.filter(closed_at=None, rating__agency_id=v["agency"])
            .order_by("created_at")
            .limit(v["take"])
        ),
        {"agency": staff.agency_id, "take": OPEN_FOLLOW_UPS},
    )


async def ratings_by_ids(ids: Sequence[int]) -> list[Rating | None]:
    rows = {row.id: row for row in await Rating.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


def _sides(viewer: Viewer) -> dict[str, int]:
    """Through which side `viewer` sees ratings: `agency` (staff), `account` (a client)."""
    sides = {}
    if viewer.is_staff and viewer.agency_id is not None:
        sides["agency"] = viewer.agency_id
    if viewer.role is Role.CLIENT:
        sides["account"] = viewer.account_id
    return sides


def _seen(sides: Mapping[str, Any]) -> Q | None:
    """The ratings seen through `sides`, as a filter: its own as a client (by its account:
    no lookup of its client first), its agency's as staff; None: none at all."""
    seen = []
    if "agency" in sides:
        seen.append(Q(agency_id=sides["agency"]))
    if "account" in sides:
        seen.append(Q(client__account_id=sides["account"]))
    return Q(*seen, join_type="OR") if seen else None


async def ratings_for_visits(viewer: Viewer, visit_ids: Sequence[int]) -> list[Rating | None]:
    """The rating of each visit, if the viewer is its client or staff of its agency: the
    statement `rating_rows_for_visits` writes once per shape, read into instances."""
    every = every_field(Rating).fields
    rows = await rating_rows_for_visits(viewer, visit_ids, every)
    return [loaded(Rating, rows[pk], every) if pk in rows else None for pk in visit_ids]


async def rating_rows_for_visits(
    viewer: Viewer | None, visit_ids: Sequence[int], columns: Sequence[str]
) -> dict[int, dict[str, Any]]:
    """`ratings_for_visits` as rows of `columns`, by visit, in one statement."""
    sides = {} if viewer is None else _sides(viewer)
    if not sides or not visit_ids:
        return {}
    # The planner asks for the ratings of every page it writes: the SQL is written once
    # per shape (which side sees them, how many visits), not once per request.
    ids = list(dict.fromkeys(visit_ids))
    inputs: dict[str, Any] = {f"visit{i}": pk for i, pk in enumerate(ids)} | sides
    shape = ("by-visits", "agency" in inputs, "account" in inputs, len(ids))
    wanted = tuple(dict.fromkeys(("intervention_id", *columns)))
    rows = await _RATING_ROWS.fetch(shape, _seen_among_visits, inputs, wanted)
    return {r["intervention_id"]: r for r in rows}


# A visit's rating read by the visit's own statement (a left join on the one-to-one
# relation): `rating__<column>` of the visit's row, for each column `rating_rows_for_visits`
# reads and the two its rule reads (`ratings_in_visit_rows`).
VISIT_RATING_COLUMNS = tuple(
    f"rating__{name}" for name in (*_RATING_ROWS.fields, "agency_id", "client_id")
)


async def ratings_in_visit_rows(
    viewer: Viewer | None, rows: Sequence[Mapping[str, Any]], columns: Sequence[str]
) -> dict[int, dict[str, Any]]:
    """`rating_rows_for_visits` from visit rows that hold `VISIT_RATING_COLUMNS`, by visit,
    with no statement: the same rule as `_seen`, read from the rating's own columns (its
    agency; its client, the one record of the viewer's account)."""
    if viewer is None or not (sides := _sides(viewer)):
        return {}
    client_id = await client_id_for(viewer) if "account" in sides else None
    agency_id = sides.get("agency")
    wanted = tuple(dict.fromkeys(("intervention_id", *columns)))
    found = {}
    for row in rows:
        if row["rating__id"] is None:
            continue
        if row["rating__agency_id"] != agency_id and row["rating__client_id"] != client_id:
            continue
        found[row["id"]] = {name: row[f"rating__{name}"] for name in wanted}
    return found


def _seen_among_visits(inputs: Mapping[str, Any]) -> QuerySet[Rating]:
    """The ratings seen through the sides of `inputs` (`_seen`) among its visits, every
    value taken from `inputs`."""
    visits = [value for name, value in inputs.items() if name.startswith("visit")]
    seen = _seen(inputs)
    assert seen is not None  # asked only with a side (rating_rows_for_visits)
    return Rating.filter(seen, intervention_id__in=visits)
