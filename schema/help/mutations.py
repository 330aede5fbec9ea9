"""Help-centre mutations: the agency ADMIN manages content, clients register for webinars."""

from __future__ import annotations

from datetime import datetime

import strawberry

from resolvers.help import admin as help_admin
from resolvers.help import news, webinars
from schema.core.common import UserErrorType, user_errors
from schema.core.context import Info
from schema.core.ids import expect_id, to_global_id
from schema.help.queries import (
    ARTICLE_ROWS,
    HelpArticle,
    HelpArticleKind,
    HelpCategoryCode,
    NewsItem,
    NewsKind,
    Webinar,
)


@strawberry.input
class CreateHelpArticleInput:
    kind: HelpArticleKind  # type: ignore[valid-type]
    category: HelpCategoryCode  # type: ignore[valid-type]
    title: str = strawberry.field(description="3 to 200 characters.")
    body: str = strawberry.field(description="Markdown, up to 20,000 characters.")
    slug: str | None = strawberry.field(
        default=None, description="e.g. bien-demarrer; derived from the title when left out."
    )
    search_terms: str | None = strawberry.field(
        default=None, description="Words that find the article besides its text (500 chars)."
    )


@strawberry.input
class UpdateHelpArticleInput:
    id: strawberry.ID
    kind: HelpArticleKind | None = None  # type: ignore[valid-type]
    category: HelpCategoryCode | None = None  # type: ignore[valid-type]
    title: str | None = None
    body: str | None = None
    slug: str | None = None
    search_terms: str | None = None


@strawberry.input
class HelpContentInput:
    id: strawberry.ID = strawberry.field(description="A HelpArticle, NewsItem or Webinar id.")


@strawberry.input
class CreateNewsItemInput:
    kind: NewsKind  # type: ignore[valid-type]
    title: str
    body: str = strawberry.field(description="Markdown, up to 20,000 characters.")
    expires_at: datetime | None = None


@strawberry.input
class UpdateNewsItemInput:
    id: strawberry.ID
    kind: NewsKind | None = None  # type: ignore[valid-type]
    title: str | None = None
    body: str | None = None
    expires_at: datetime | None = None
    clear_expiry: bool = False


@strawberry.input
class PublishNewsItemInput:
    id: strawberry.ID
    publish_at: datetime | None = strawberry.field(
        default=None, description="Later publication; now when left out."
    )


@strawberry.input
class CreateWebinarInput:
    title: str
    starts_at: datetime
    duration_minutes: int = strawberry.field(description="15 to 480.")
    link: str = strawberry.field(description="https:// address to join.")
    capacity: int = strawberry.field(description="1 to 10,000 seats.")
    description: str | None = None


@strawberry.input
class UpdateWebinarInput:
    id: strawberry.ID
    title: str | None = None
    starts_at: datetime | None = None
    duration_minutes: int | None = None
    link: str | None = None
    capacity: int | None = None
    description: str | None = None


@strawberry.input
class WebinarRegistrationInput:
    webinar_id: strawberry.ID


@strawberry.type
class HelpArticlePayload:
    help_article: HelpArticle | None
    user_errors: list[UserErrorType]


@strawberry.type
class NewsItemPayload:
    news_item: NewsItem | None
    user_errors: list[UserErrorType]


@strawberry.type
class WebinarPayload:
    webinar: Webinar | None
    user_errors: list[UserErrorType]


@strawberry.type
class DeleteHelpContentPayload:
    deleted_id: strawberry.ID | None
    user_errors: list[UserErrorType]


def _article(result: help_admin.ArticleResult) -> HelpArticlePayload:
    article = ARTICLE_ROWS.from_model(result.article) if result.article else None
    return HelpArticlePayload(help_article=article, user_errors=user_errors(result.user_errors))


def _news(result: news.NewsResult) -> NewsItemPayload:
    item = NewsItem.from_model(result.item) if result.item else None
    return NewsItemPayload(news_item=item, user_errors=user_errors(result.user_errors))


def _webinar(result: webinars.WebinarResult) -> WebinarPayload:
    webinar = Webinar.from_view(result.webinar) if result.webinar else None
    return WebinarPayload(webinar=webinar, user_errors=user_errors(result.user_errors))


def _deleted(type_name: str, result: help_admin.DeleteResult) -> DeleteHelpContentPayload:
    deleted = result.deleted_id
    return DeleteHelpContentPayload(
        deleted_id=strawberry.ID(to_global_id(type_name, deleted)) if deleted else None,
        user_errors=user_errors(result.user_errors),
    )


def _article_data(input: CreateHelpArticleInput | UpdateHelpArticleInput) -> help_admin.ArticleData:
    return help_admin.ArticleData(
        input.kind, input.category, input.title, input.body, input.slug, input.search_terms
    )


def _webinar_data(input: CreateWebinarInput | UpdateWebinarInput) -> webinars.WebinarData:
    return webinars.WebinarData(
        input.title,
        input.description,
        input.starts_at,
        input.duration_minutes,
        input.link,
        input.capacity,
    )


@strawberry.type
class HelpMutations:
    @strawberry.mutation(description="Writes a draft article or FAQ entry (ADMIN).")
    async def create_help_article(
        self, info: Info, input: CreateHelpArticleInput
    ) -> HelpArticlePayload:
        return _article(await help_admin.create_article(info.context.viewer, _article_data(input)))

    @strawberry.mutation(description="Changes an article of the agency (ADMIN).")
    async def update_help_article(
        self, info: Info, input: UpdateHelpArticleInput
    ) -> HelpArticlePayload:
        pk = expect_id(input.id, "HelpArticle")
        data = _article_data(input)
        return _article(await help_admin.update_article(info.context.viewer, pk, data))

    @strawberry.mutation(description="Shows an article to the agency's clients (ADMIN).")
    async def publish_help_article(self, info: Info, input: HelpContentInput) -> HelpArticlePayload:
        pk = expect_id(input.id, "HelpArticle")
        return _article(await help_admin.set_article_published(info.context.viewer, pk, True))

    @strawberry.mutation(description="Makes an article a draft again (ADMIN).")
    async def unpublish_help_article(
        self, info: Info, input: HelpContentInput
    ) -> HelpArticlePayload:
        pk = expect_id(input.id, "HelpArticle")
        return _article(await help_admin.set_article_published(info.context.viewer, pk, False))

    @strawberry.mutation(description="Deletes an article of the agency (ADMIN).")
    async def delete_help_article(
        self, info: Info, input: HelpContentInput
    ) -> DeleteHelpContentPayload:
        pk = expect_id(input.id, "HelpArticle")
        return _deleted("HelpArticle", await help_admin.delete_article(info.context.viewer, pk))

    @strawberry.mutation(description="Writes a draft news item (ADMIN).")
    async def create_news_item(self, info: Info, input: CreateNewsItemInput) -> NewsItemPayload:
        data = news.NewsData(input.kind, input.title, input.body, input.expires_at)
        return _news(await news.create_news(info.context.viewer, data))

    @strawberry.mutation(description="Changes a news item (ADMIN).")
    async def update_news_item(self, info: Info, input: UpdateNewsItemInput) -> NewsItemPayload:
        pk = expect_id(input.id, "NewsItem")
        data = news.NewsData(
            input.kind, input.title, input.body, input.expires_at, input.clear_expiry
        )
        return _news(await news.update_news(info.context.viewer, pk, data))

    @strawberry.mutation(description="Publishes a news item now or later (ADMIN).")
    async def publish_news_item(self, info: Info, input: PublishNewsItemInput) -> NewsItemPayload:
        pk = expect_id(input.id, "NewsItem")
        return _news(await news.publish_news(info.context.viewer, pk, input.publish_at))

    @strawberry.mutation(description="Makes a news item a draft again (ADMIN).")
    async def unpublish_news_item(self, info: Info, input: HelpContentInput) -> NewsItemPayload:
        pk = expect_id(input.id, "NewsItem")
        return _news(await news.unpublish_news(info.context.viewer, pk))

    @strawberry.mutation(description="Deletes a news item (ADMIN).")
    async def delete_news_item(
        self, info: Info, input: HelpContentInput
    ) -> DeleteHelpContentPayload:
        pk = expect_id(input.id, "NewsItem")
        return _deleted("NewsItem", await news.delete_news(info.context.viewer, pk))

    @strawberry.mutation(description="Plans a draft webinar (ADMIN).")
    async def create_webinar(self, info: Info, input: CreateWebinarInput) -> WebinarPayload:
        return _webinar(await webinars.create_webinar(info.context.viewer, _webinar_data(input)))

    @strawberry.mutation(description="Changes a webinar (ADMIN).")
    async def update_webinar(self, info: Info, input: UpdateWebinarInput) -> WebinarPayload:
        pk = expect_id(input.id, "Webinar")
        data = _webinar_data(input)
        return _webinar(await webinars.update_webinar(info.context.viewer, pk, data))

    @strawberry.mutation(description="Opens a webinar to the agency's clients (ADMIN).")
    async def publish_webinar(self, info: Info, input: HelpContentInput) -> WebinarPayload:
        pk = expect_id(input.id, "Webinar")
        return _webinar(await webinars.set_webinar_published(info.context.viewer, pk, True))

    @strawberry.mutation(description="Hides a webinar nobody registered for yet (ADMIN).")
    async def unpublish_webinar(self, info: Info, input: HelpContentInput) -> WebinarPayload:
        pk = expect_id(input.id, "Webinar")
        return _webinar(await webinars.set_webinar_published(info.context.viewer, pk, False))

    @strawberry.mutation(description="Deletes a webinar nobody registered for yet (ADMIN).")
    async def delete_webinar(self, info: Info, input: HelpContentInput) -> DeleteHelpContentPayload:
        pk = expect_id(input.id, "Webinar")
        return _deleted("Webinar", await webinars.delete_webinar(info.context.viewer, pk))

    @strawberry.mutation(description="The signed-in client takes a seat at a webinar.")
    async def register_for_webinar(
        self, info: Info, input: WebinarRegistrationInput
    ) -> WebinarPayload:
        pk = expect_id(input.webinar_id, "Webinar")
        return _webinar(await webinars.register(info.context.viewer, pk))

    @strawberry.mutation(description="The signed-in client gives their seat back.")
    async def cancel_webinar_registration(
        self, info: Info, input: WebinarRegistrationInput
    ) -> WebinarPayload:
        pk = expect_id(input.webinar_id, "Webinar")
        return _webinar(await webinars.cancel_registration(info.context.viewer, pk))
