"""The help centre as the API shows it: articles and FAQ, categories, news, webinars, tips."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TypeVar

import strawberry

from models.help import HelpArticleKind as HelpArticleKindEnum
from models.help import HelpCategory as HelpCategoryEnum
from models.help import NewsItem as NewsItemModel
from models.help import NewsKind as NewsKindEnum
from resolvers.core.errors import BadInput
from resolvers.core.runtime import Viewer
from resolvers.help import articles as help_centre
from resolvers.help import news, tips, webinars
from schema.core import nodes
from schema.core.common import Connection, Node, Page, connection, page_size
from schema.core.context import Context, Info
from schema.core.ids import expect_id, to_global_id
from schema.engine import plans
from schema.engine.row_fields import column, global_id
from schema.engine.rows import RowType
from services.clock import utcnow
from services.markdown import to_html

HelpArticleKind = strawberry.enum(HelpArticleKindEnum, name="HelpArticleKind")
HelpCategoryCode = strawberry.enum(HelpCategoryEnum, name="HelpCategoryCode")
NewsKind = strawberry.enum(NewsKindEnum, name="NewsKind")
MAX_OFFSET = 10_000
T = TypeVar("T")


@strawberry.enum(description="Drafts are seen by the agency staff only.")
class PublicationStatus(Enum):
    DRAFT = "DRAFT"
    SCHEDULED = "SCHEDULED"
    PUBLISHED = "PUBLISHED"
    EXPIRED = "EXPIRED"


def _status(published_at: datetime | None, expires_at: datetime | None = None) -> PublicationStatus:
    now = utcnow()
    if published_at is None:
        return PublicationStatus.DRAFT
    if published_at > now:
        return PublicationStatus.SCHEDULED
    if expires_at is not None and expires_at <= now:
        return PublicationStatus.EXPIRED
    return PublicationStatus.PUBLISHED


def offset_cursor(offset: int) -> str:
    return to_global_id("offset", offset)


def after_offset(after: str | None) -> int:
    """The offset of the row after `after` (offset cursors: ranked lists have no keyset)."""
    if after is None:
        return 0
    offset = expect_id(after, "offset") + 1
    if offset > MAX_OFFSET:
        raise BadInput("Curseur invalide.")
    return offset


def page(nodes_: list[T], offset: int, size: int) -> Connection[T]:
    return connection(
        nodes_, [offset_cursor(offset + i) for i in range(len(nodes_))], size, offset > 0
    )


@strawberry.type
class HelpArticle(Node):
    slug: str
    kind: HelpArticleKind  # type: ignore[valid-type]
    category: HelpCategoryCode  # type: ignore[valid-type]
    title: str
    body: str = strawberry.field(description="The Markdown as written; render it with care.")
    search_terms: str = strawberry.field(
        description="Words that find the article besides its text (synonyms, materials)."
    )
    shared: bool = strawberry.field(description="True for articles common to every agency.")
    status: PublicationStatus
    published_at: datetime | None
    updated_at: datetime

    @strawberry.field(description="The body as sanitized HTML: no raw HTML, safe links only.")
    def body_html(self) -> str:
        return to_html(self.body)


# An article as its row reads it: the search is planned (schema/engine/planner.py), and
# graphql-core's objects are built from the same declaration.
ARTICLE_ROWS = RowType(
    HelpArticle,
    {
        "id": global_id("id", "HelpArticle"),
        "slug": column("slug"),
        "kind": column("kind"),
        "category": column("category"),
        "title": column("title"),
        "body": column("body"),
        "search_terms": column("search_terms"),
        "shared": column("agency_id", lambda agency_id: agency_id is None),
        "status": column("published_at", lambda published_at: _status(published_at)),
        "published_at": column("published_at"),
        "updated_at": column("updated_at"),
    },
    computed={"body_html": column("body", to_html)},
)


async def _articles_page(
    context: Context,
    columns: tuple[str, ...] | None,
    search: str | None = None,
    category: HelpCategoryEnum | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Page:
    size, offset = page_size(first), after_offset(after)
    rows = await help_centre.list_articles(context.viewer, search, category, offset, size, columns)
    return Page(rows, [offset_cursor(offset + i) for i in range(len(rows))], size, offset > 0)


@strawberry.type
class HelpCategory:
    code: HelpCategoryCode  # type: ignore[valid-type]
    label: str
    article_count: int = strawberry.field(description="Published articles you can read.")


@strawberry.type
class NewsItem(Node):
    kind: NewsKind  # type: ignore[valid-type]
    title: str
    body: str = strawberry.field(description="The Markdown as written.")
    status: PublicationStatus
    published_at: datetime | None
    expires_at: datetime | None

    @strawberry.field(description="The body as sanitized HTML.")
    def body_html(self) -> str:
        return to_html(self.body)

    @classmethod
    def from_model(cls, row: NewsItemModel) -> NewsItem:
        return cls(
            id=strawberry.ID(to_global_id("NewsItem", row.id)),
            kind=row.kind,
            title=row.title,
            body=row.body,
            status=_status(row.published_at, row.expires_at),
            published_at=row.published_at,
            expires_at=row.expires_at,
        )


@strawberry.type
class Webinar(Node):
    title: str
    description: str = strawberry.field(description="Plain text.")
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    capacity: int
    registration_count: int
    seats_left: int
    registered: bool = strawberry.field(description="Whether you (a client) are registered.")
    link: str | None = strawberry.field(description="To join: for registered clients and staff.")
    status: PublicationStatus
    published_at: datetime | None

    @classmethod
    def from_view(cls, view: webinars.WebinarView) -> Webinar:
        row = view.webinar
        return cls(
            id=strawberry.ID(to_global_id("Webinar", row.id)),
            title=row.title,
            description=row.description,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            duration_minutes=row.duration_minutes,
            capacity=row.capacity,
            registration_count=view.registration_count,
            seats_left=max(0, row.capacity - view.registration_count),
            registered=view.registered,
            link=row.link if view.show_link else None,
            status=_status(row.published_at),
            published_at=row.published_at,
        )


@strawberry.type
class Tip:
    key: str = strawberry.field(description="Stable name of the rule, e.g. EXTRA_VISIT.")
    title: str
    reason: str = strawberry.field(description="Why this tip is shown to you, in French.")
    article: HelpArticle | None
    webinar: Webinar | None


@strawberry.type
class HelpQueries:
    @strawberry.field(
        description="Help articles and FAQ you can read; with `search`, ranked by relevance."
    )
    async def help_articles(
        self,
        info: Info,
        search: str | None = None,
        category: HelpCategoryCode | None = None,  # type: ignore[valid-type]
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[HelpArticle]:
        found = await _articles_page(info.context, None, search, category, first, after)
        return found.connection(ARTICLE_ROWS)

    @strawberry.field(description="One article by id or by slug; null if absent or not yours.")
    async def help_article(
        self, info: Info, id: strawberry.ID | None = None, slug: str | None = None
    ) -> HelpArticle | None:
        pk = expect_id(id, "HelpArticle") if id is not None else None
        row = await help_centre.get_article(info.context.viewer, pk, slug)
        return ARTICLE_ROWS.from_model(row) if row else None

    @strawberry.field(description="Every category, with the number of articles in it.")
    async def help_categories(self, info: Info) -> list[HelpCategory]:
        return [
            HelpCategory(code=c.category, label=c.label, article_count=c.article_count)
            for c in await help_centre.categories(info.context.viewer)
        ]

    @strawberry.field(description="News of your agency, newest first.")
    async def news_items(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[NewsItem]:
        size, offset = page_size(first), after_offset(after)
        rows = await news.list_news(info.context.viewer, offset, size)
        return page([NewsItem.from_model(r) for r in rows], offset, size)

    @strawberry.field(description="Webinars of your agency, soonest first; past ones on demand.")
    async def webinars(
        self,
        info: Info,
        include_past: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Webinar]:
        size, offset = page_size(first), after_offset(after)
        views = await webinars.list_webinars(info.context.viewer, include_past, offset, size)
        return page([Webinar.from_view(v) for v in views], offset, size)

    @strawberry.field(description="Tips for the signed-in client, each saying why it is shown.")
    async def tips(self, info: Info) -> list[Tip]:
        return [
            Tip(
                key=t.key,
                title=t.title,
                reason=t.reason,
                article=ARTICLE_ROWS.from_model(t.article) if t.article else None,
                webinar=Webinar.from_view(t.webinar) if t.webinar else None,
            )
            for t in await tips.tips(info.context.viewer)
        ]


async def _article_node(viewer: Viewer, pk: int) -> HelpArticle | None:
    row = await help_centre.node_article(viewer, pk)
    return ARTICLE_ROWS.from_model(row) if row else None


async def _news_node(viewer: Viewer, pk: int) -> NewsItem | None:
    row = await news.node_news(viewer, pk)
    return NewsItem.from_model(row) if row else None


async def _webinar_node(viewer: Viewer, pk: int) -> Webinar | None:
    view = await webinars.node_webinar(viewer, pk)
    return Webinar.from_view(view) if view else None


nodes.register("HelpArticle", _article_node)
plans.plan_connection("helpArticles", ARTICLE_ROWS, _articles_page)
nodes.register("NewsItem", _news_node)
nodes.register("Webinar", _webinar_node)
