"""Live ratings: `ratingEvents`, from the one event log.

The subscription takes the rating event types (models.enums RATING_EVENT_TYPES) through
`resolvers.core.live.events_for`, so the audience rules and the replay with `since` are
the ones `interventionEvents` has: a client sees its own ratings, staff those of their
agency.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from models.enums import RATING_EVENT_TYPES
from resolvers.ratings import ratings
from schema.core.context import Info
from schema.core.ids import cursor_for
from schema.core.live import viewer_events
from schema.ratings.ratings import Rating


@strawberry.type
class RatingEvent:
    cursor: str
    occurred_at: datetime
    rating: Rating | None = strawberry.field(description="The rating as it is now.")


@strawberry.type
class RatingSubscriptions:
    @strawberry.subscription(
        description="Visits rated (or ratings edited): staff of the agency and the client. "
        "With `since`, missed events are replayed first; none is sent twice."
    )
    async def rating_events(
        self, info: Info, since: str | None = None
    ) -> AsyncGenerator[RatingEvent, None]:
        async for event in await viewer_events(info, since, RATING_EVENT_TYPES):
            row = None
            if event.subject_id is not None:
                row = (await ratings.ratings_by_ids([int(event.subject_id)]))[0]
            yield RatingEvent(
                cursor=cursor_for(event.id),
                occurred_at=datetime.fromisoformat(event.occurred_at),
                rating=Rating.from_model(row) if row else None,
            )
