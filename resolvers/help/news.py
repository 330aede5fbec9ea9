"""News of an agency (service changes, offers, openings), shown from publication to expiry.

Clients see the published, unexpired items of their agency, newest first; the
staff also see drafts, scheduled and expired ones. The ADMIN manages them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import F, Q
from tortoise.functions import Coalesce

from models.help import NewsItem, NewsKind
from resolvers.core.errors import UserError, user_error
from resolvers.core.runtime import Viewer
from resolvers.help import inputs as check
from resolvers.help.admin import DeleteResult
from resolvers.help.articles import Reader, reader, reader_or_none
from services.clock import utcnow


@dataclass(frozen=True)
class NewsData:
    kind: NewsKind | None
    title: str | None
    body: str | None
    expires_at: datetime | None
    clear_expiry: bool = False


@dataclass(frozen=True)
class NewsResult:
    item: NewsItem | None
    user_errors: list[UserError]


def _visible(who: Reader, now: datetime) -> Q:
    mine = Q(agency_id=who.agency_id)
    if who.is_staff:
        return mine
    return mine & Q(published_at__lte=now) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))


async def list_news(viewer: Viewer | None, offset: int, size: int) -> list[NewsItem]:
    who = await reader(viewer)
    return (
        await NewsItem.filter(_visible(who, utcnow()))
        .annotate(shown_at=Coalesce("published_at", F("created_at")))
        .order_by("-shown_at", "-id")
        .offset(offset)
        .limit(size + 1)
    )


async def node_news(viewer: Viewer, pk: int) -> NewsItem | None:
    who = await reader_or_none(viewer)
    if who is None:
        return None
    return await NewsItem.filter(_visible(who, utcnow()), id=pk).first()


def _expiry(value: datetime | None, published_at: datetime | None, errors: list[UserError]) -> None:
    if value is None:
        return
    now = utcnow()
    check.future(value, now, errors, "expiresAt")
    if published_at is not None and value.tzinfo is not None and value <= published_at:
        errors.append(
            user_error("expiresAt", "L'expiration suit la publication.", "EXPIRES_BEFORE_PUBLISHED")
        )


async def create_news(viewer: Viewer | None, data: NewsData) -> NewsResult:
    admin = check.editor(viewer)
    errors: list[UserError] = []
    title = check.title(data.title or "", errors)
    body = check.body(data.body or "", errors)
    _expiry(data.expires_at, None, errors)
    if data.kind is None:
        errors.append(user_error("kind", "Le type est requis.", "REQUIRED"))
    if errors or data.kind is None:
        return NewsResult(None, errors)
    now = utcnow()
    item = await NewsItem.create(
        agency_id=admin.agency_id,
        kind=data.kind,
        title=title,
        body=body,
        expires_at=data.expires_at,
        created_at=now,
        updated_at=now,
    )
    return NewsResult(item, [])


async def _editable(viewer: Viewer | None, item_id: int) -> NewsItem | None:
    admin = check.editor(viewer)
    return await NewsItem.get_or_none(id=item_id, agency_id=admin.agency_id)


async def update_news(viewer: Viewer | None, item_id: int, data: NewsData) -> NewsResult:
    item = await _editable(viewer, item_id)
    if item is None:
        return NewsResult(None, [check.not_found()])
    errors: list[UserError] = []
    if data.title is not None:
        item.title = check.title(data.title, errors)
    if data.body is not None:
        item.body = check.body(data.body, errors)
    if data.clear_expiry:
        item.expires_at = None
    elif data.expires_at is not None:
        _expiry(data.expires_at, item.published_at, errors)
        item.expires_at = data.expires_at
    if errors:
        return NewsResult(None, errors)
    item.kind = data.kind or item.kind
    item.updated_at = utcnow()
    await item.save()
    return NewsResult(item, [])


async def publish_news(
    viewer: Viewer | None, item_id: int, publish_at: datetime | None
) -> NewsResult:
    """Publishes now, or at `publish_at` (clients see it from then on)."""
    item = await _editable(viewer, item_id)
    if item is None:
        return NewsResult(None, [check.not_found()])
    now = utcnow()
    errors: list[UserError] = []
    when = check.future(publish_at, now, errors, "publishAt") if publish_at else now
    if not errors and item.expires_at is not None and item.expires_at <= when:
        errors.append(
            user_error("publishAt", "L'actualité aurait déjà expiré.", "EXPIRES_BEFORE_PUBLISHED")
        )
    if errors:
        return NewsResult(None, errors)
    item.published_at = when
    await item.save(update_fields=["published_at"])
    return NewsResult(item, [])


async def unpublish_news(viewer: Viewer | None, item_id: int) -> NewsResult:
    item = await _editable(viewer, item_id)
    if item is None:
        return NewsResult(None, [check.not_found()])
    item.published_at = None
    await item.save(update_fields=["published_at"])
    return NewsResult(item, [])


async def delete_news(viewer: Viewer | None, item_id: int) -> DeleteResult:
    item = await _editable(viewer, item_id)
    if item is None:
        return DeleteResult(None, [check.not_found()])
    await item.delete()
    return DeleteResult(item_id, [])
