"""Ratings: clients rate completed visits; staff read them, with averages and follow-ups."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry

from models.ratings import Rating as RatingModel
from resolvers.core.errors import BadInput
from resolvers.ratings import ratings
from schema.core.common import (
    Connection,
    Node,
    UserErrorType,
    connection_by_id,
    page_size,
    user_errors,
)
from schema.core.context import Context, Info
from schema.core.ids import after_pk, expect_id, to_global_id
from schema.engine import plans
from schema.engine.row_fields import Part, column, global_id
from schema.engine.rows import RowType


@strawberry.type
class RatedIntervention:
    id: strawberry.ID


@strawberry.type
class Rating(Node):
    score: int
    comment: str
    created_at: datetime
    updated_at: datetime
    editable_until: datetime
    intervention: RatedIntervention
    worker_id: strawberry.ID | None

    @classmethod
    def from_model(cls, rating: RatingModel) -> Rating:
        return RATING_ROWS.from_model(rating)


def rating_rows(prefix: str = "") -> RowType[Rating]:
    """A rating as its row holds it, each column named `prefix` + its name (a follow-up's
    row holds its rating's columns as `rating__<name>`)."""
    return RowType(
        Rating,
        {
            "id": global_id(f"{prefix}id", "Rating"),
            "score": column(f"{prefix}score"),
            "comment": column(f"{prefix}comment"),
            "created_at": column(f"{prefix}created_at"),
            "updated_at": column(f"{prefix}updated_at"),
            "editable_until": column(f"{prefix}created_at", _editable_until),
            "intervention": Part(
                RowType(
                    RatedIntervention,
                    {"id": global_id(f"{prefix}intervention_id", "Intervention")},
                )
            ),
            "worker_id": global_id(f"{prefix}worker_id", "Worker"),
        },
    )


def _editable_until(created: datetime) -> datetime:
    return created + ratings.EDITABLE_FOR


# Read into objects for graphql-core, or straight to JSON by planned queries
# (schema/engine/rows.py), where a visit's `rating` is read by the visit's own statement.
RATING_ROWS = rating_rows()


async def ratings_of_visits(
    context: Any, columns: tuple[str, ...], visits: list[Mapping[str, Any]]
) -> dict[int, dict[str, Any]]:
    """Each visit's rating row, for `Intervention.rating` in planned queries, from the
    visits' rows (`VISIT_RATING_COLUMNS`, joined by their statement): the same rule as its
    resolver (no viewer: none; the client or the agency's staff only)."""
    return await ratings.ratings_in_visit_rows(context.viewer, visits, columns)


# The columns a visit's statement joins for `ratings_of_visits`: named here, where the
# visits' declaration may read ratings (the one import of this domain it is allowed).
VISIT_RATING_COLUMNS = ratings.VISIT_RATING_COLUMNS


@strawberry.type
class RatingFollowUp(Node):
    rating: Rating
    created_at: datetime


RATING_PREFIX = "rating__"
# A follow-up's row: its own columns, and its rating's beside them (one statement).
FOLLOW_UP_ROWS = RowType(
    RatingFollowUp,
    {
        "id": global_id("id", "RatingFollowUp"),
        "rating": Part(rating_rows(RATING_PREFIX)),
        "created_at": column("created_at"),
    },
)


async def _follow_ups(context: Context, columns: tuple[str, ...] | None) -> list[dict[str, Any]]:
    """The open follow-ups (staff), with the rating's columns among `columns` (None: all)."""
    wanted = RATING_ROWS.columns
    if columns is not None:
        wanted = tuple(c[len(RATING_PREFIX) :] for c in columns if c.startswith(RATING_PREFIX))
    return await ratings.open_follow_ups(context.viewer, wanted)


@strawberry.enum
class RatingGrouping(Enum):
    WORKER = "WORKER"
    MONTH = "MONTH"


@strawberry.type
class RatingAverage:
    key: str = strawberry.field(description="A worker's global id, or a month as YYYY-MM.")
    count: int
    average: float


@strawberry.input
class RateInterventionInput:
    intervention_id: strawberry.ID
    score: int
    comment: str | None = None


@strawberry.type
class RateInterventionPayload:
    rating: Rating | None
    user_errors: list[UserErrorType]


@strawberry.type
class RatingQueries:
    @strawberry.field(description="Ratings of the agency, newest first (ADVISOR, ADMIN).")
    async def ratings(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        worker_id: strawberry.ID | None = None,
        max_score: int | None = None,
    ) -> Connection[Rating]:
        size = page_size(first)
        rows = await ratings.agency_ratings(
            info.context.viewer,
            size,
            after_pk(after),
            expect_id(worker_id, "Worker") if worker_id else None,
            max_score,
        )
        return connection_by_id(rows, Rating.from_model, size, after)

    @strawberry.field(description="The signed-in client's own ratings.")
    async def my_ratings(self, info: Info) -> list[Rating]:
        return [Rating.from_model(r) for r in await ratings.my_ratings(info.context.viewer)]

    @strawberry.field(description="Average score per worker or per month of a year (staff).")
    async def rating_averages(
        self, info: Info, year: int, group_by: RatingGrouping
    ) -> list[RatingAverage]:
        if not 2000 <= year <= 2100:
            raise BadInput("Année invalide.")
        rows = await ratings.averages(info.context.viewer, year, group_by is RatingGrouping.WORKER)
        return [
            RatingAverage(
                key=to_global_id("Worker", int(row.key))
                if group_by is RatingGrouping.WORKER and row.key.isdigit()
                else row.key,
                count=row.count,
                average=row.average,
            )
            for row in rows
        ]

    @strawberry.field(description="Low scores waiting for the advisor's call, oldest first.")
    async def rating_follow_ups(self, info: Info) -> list[RatingFollowUp]:
        return FOLLOW_UP_ROWS.build_all(await _follow_ups(info.context, None))


@strawberry.type
class RatingMutations:
    @strawberry.mutation(description="The client rates a completed visit, 1 to 5; editable 7 days.")
    async def rate_intervention(
        self, info: Info, input: RateInterventionInput
    ) -> RateInterventionPayload:
        result = await ratings.rate(
            info.context.runtime,
            info.context.viewer,
            expect_id(input.intervention_id, "Intervention"),
            input.score,
            input.comment,
        )
        return RateInterventionPayload(
            rating=Rating.from_model(result.rating) if result.rating else None,
            user_errors=user_errors(result.user_errors),
        )


plans.plan_list("ratingFollowUps", FOLLOW_UP_ROWS, _follow_ups)
