"""The agency ADMIN writes help articles and FAQ: create, update, publish, unpublish, delete.

Articles shared by every agency (no agency) are read-only here: an agency that
wants its own version writes an article with the same slug, which replaces the
shared one for its clients.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models.help import HelpArticle, HelpArticleKind, HelpCategory
from resolvers.core.errors import UserError, user_error
from resolvers.core.runtime import Viewer
from resolvers.help import inputs as check
from services import search_text
from services.clock import utcnow


@dataclass(frozen=True)
class ArticleData:
    kind: HelpArticleKind | None
    category: HelpCategory | None
    title: str | None
    body: str | None
    slug: str | None
    search_terms: str | None = None


@dataclass(frozen=True)
class ArticleResult:
    article: HelpArticle | None
    user_errors: list[UserError]


@dataclass(frozen=True)
class DeleteResult:
    deleted_id: int | None
    user_errors: list[UserError]


def _slug_taken() -> UserError:
    return user_error("slug", "Un article de l'agence a déjà cette adresse.", "SLUG_TAKEN")


async def _free_slug(agency_id: int, wanted: str, exclude_id: int | None = None) -> bool:
    query = HelpArticle.filter(agency_id=agency_id, slug=wanted)
    if exclude_id is not None:
        query = query.exclude(id=exclude_id)
    return not await query.exists()


async def _derived_slug(agency_id: int, title: str) -> str:
    """A slug from the title, numbered when the agency has it already."""
    base = search_text.slugify(title, check.SLUG_MAX - 3) or "article"
    base = base if len(base) >= check.SLUG_MIN else f"{base}-aide"
    for number in range(1, 100):
        candidate = base if number == 1 else f"{base}-{number}"
        if await _free_slug(agency_id, candidate):
            return candidate
    return base


def index_article(article: HelpArticle) -> None:
    article.title_search = search_text.stored(article.title)[:400]
    article.search_text = search_text.stored(
        f"{article.title}\n{article.search_terms}\n{article.body}"
    )


async def create_article(viewer: Viewer | None, data: ArticleData) -> ArticleResult:
    admin = check.editor(viewer)
    agency_id = admin.agency_id or 0
    errors: list[UserError] = []
    title = check.title(data.title or "", errors)
    body = check.body(data.body or "", errors)
    slug = check.slug(data.slug, errors) if data.slug is not None else None
    terms = check.terms(data.search_terms or "", errors)
    if data.kind is None or data.category is None:
        errors.append(user_error("kind", "Type et catégorie sont requis.", "REQUIRED"))
    if not errors and slug is not None and not await _free_slug(agency_id, slug):
        errors.append(_slug_taken())
    if errors or data.kind is None or data.category is None:
        return ArticleResult(None, errors)
    now = utcnow()
    article = HelpArticle(
        agency_id=agency_id,
        slug=slug or await _derived_slug(agency_id, title),
        kind=data.kind,
        category=data.category,
        title=title,
        body=body,
        search_terms=terms,
        created_by_id=admin.account_id,
        created_at=now,
        updated_at=now,
    )
    return await _saved(article)


async def _saved(article: HelpArticle) -> ArticleResult:
    """Indexes and saves the article; a slug taken meanwhile by another write is a user error."""
    index_article(article)
    try:
        async with in_transaction():
            await article.save()
    except IntegrityError:
        return ArticleResult(None, [_slug_taken()])
    return ArticleResult(article, [])


async def _editable(viewer: Viewer | None, article_id: int) -> HelpArticle | UserError:
    admin = check.editor(viewer)
    article = await HelpArticle.get_or_none(id=article_id)
    if article is None or article.agency_id not in (None, admin.agency_id):
        return check.not_found()
    if article.agency_id is None:
        return user_error(
            "id",
            "Cet article est commun à toutes les agences : écrivez un article de l'agence "
            "avec la même adresse (slug) pour le remplacer.",
            "SHARED_ARTICLE",
        )
    return article


async def update_article(
    viewer: Viewer | None, article_id: int, data: ArticleData
) -> ArticleResult:
    found = await _editable(viewer, article_id)
    if isinstance(found, UserError):
        return ArticleResult(None, [found])
    article = found
    errors: list[UserError] = []
    if data.title is not None:
        article.title = check.title(data.title, errors)
    if data.body is not None:
        article.body = check.body(data.body, errors)
    if data.search_terms is not None:
        article.search_terms = check.terms(data.search_terms, errors)
    if data.slug is not None:
        article.slug = check.slug(data.slug, errors)
        if not errors and not await _free_slug(article.agency_id or 0, data.slug, article.id):
            errors.append(_slug_taken())
    if errors:
        return ArticleResult(None, errors)
    article.kind = data.kind or article.kind
    article.category = data.category or article.category
    article.updated_at = utcnow()
    return await _saved(article)


async def set_article_published(
    viewer: Viewer | None, article_id: int, published: bool
) -> ArticleResult:
    """Publishing a published article changes nothing; unpublishing makes a draft again."""
    found = await _editable(viewer, article_id)
    if isinstance(found, UserError):
        return ArticleResult(None, [found])
    article = found
    if published and article.published_at is None:
        article.published_at = utcnow()
    elif not published:
        article.published_at = None
    await article.save(update_fields=["published_at"])
    return ArticleResult(article, [])


async def delete_article(viewer: Viewer | None, article_id: int) -> DeleteResult:
    found = await _editable(viewer, article_id)
    if isinstance(found, UserError):
        return DeleteResult(None, [found])
    await found.delete()
    return DeleteResult(article_id, [])
