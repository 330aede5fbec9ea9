"""Secret .ics links to one's visits, for calendar apps."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.visits.visits import CalendarFeed as FeedModel
from resolvers.visits import feeds
from schema.core.common import Node
from schema.core.context import Info
from schema.core.ids import expect_id, to_global_id


@strawberry.type
class CalendarFeed(Node):
    created_at: datetime

    @classmethod
    def from_model(cls, feed: FeedModel) -> CalendarFeed:
        return cls(
            id=strawberry.ID(to_global_id("CalendarFeed", feed.id)), created_at=feed.created_at
        )


@strawberry.type
class CreateCalendarFeedPayload:
    feed: CalendarFeed
    url: str = strawberry.field(
        description="Shown once: anyone with this link can read your visits until you revoke it."
    )


@strawberry.type
class RevokeCalendarFeedPayload:
    ok: bool


@strawberry.type
class FeedQueries:
    @strawberry.field(description="Your active calendar links (the URLs are not shown again).")
    async def calendar_feeds(self, info: Info) -> list[CalendarFeed]:
        return [CalendarFeed.from_model(f) for f in await feeds.list_feeds(info.context.viewer)]


@strawberry.type
class FeedMutations:
    @strawberry.mutation(description="A secret .ics link to your visits (CLIENT, WORKER).")
    async def create_calendar_feed(self, info: Info) -> CreateCalendarFeedPayload:
        feed, url = await feeds.create(info.context.runtime, info.context.viewer)
        return CreateCalendarFeedPayload(feed=CalendarFeed.from_model(feed), url=url)

    @strawberry.mutation(description="The link stops working at once.")
    async def revoke_calendar_feed(
        self, info: Info, id: strawberry.ID
    ) -> RevokeCalendarFeedPayload:
        await feeds.revoke(info.context.viewer, expect_id(id, "CalendarFeed"))
        return RevokeCalendarFeedPayload(ok=True)
