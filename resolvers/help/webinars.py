"""Webinars of an agency: the ADMIN plans them, clients register and may cancel.

Rules: one registration per client, none once the webinar has started, none past
its capacity (the webinar row is locked while seats are counted, so two clients
cannot take the last seat together on PostgreSQL). The join link is shown only
to registered clients and to staff. A webinar with registered clients cannot be
unpublished or deleted before it ends (they would not be told).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from models.enums import Role
from models.help import Webinar, WebinarRegistration
from resolvers.core import guards
from resolvers.core.errors import Forbidden, UserError, user_error
from resolvers.core.lookups import client_id_for
from resolvers.core.runtime import Viewer
from resolvers.help import inputs as check
from resolvers.help.admin import DeleteResult
from resolvers.help.articles import Reader, reader, reader_or_none
from services.clock import utcnow

DESCRIPTION_MAX = 5000
CAPACITY_MAX = 10_000


@dataclass(frozen=True)
class WebinarView:
    webinar: Webinar
    registration_count: int
    registered: bool
    show_link: bool


@dataclass(frozen=True)
class WebinarData:
    title: str | None
    description: str | None
    starts_at: datetime | None
    duration_minutes: int | None
    link: str | None
    capacity: int | None


@dataclass(frozen=True)
class WebinarResult:
    webinar: WebinarView | None
    user_errors: list[UserError]


def _visible(who: Reader) -> Q:
    mine = Q(agency_id=who.agency_id)
    return mine if who.is_staff else mine & Q(published_at__isnull=False)


async def views(who: Reader, rows: list[Webinar]) -> list[WebinarView]:
    """Rows with their seat counts and the reader's registrations: two queries per page."""
    ids = [row.id for row in rows]
    counts: dict[int, int] = {}
    mine: set[int] = set()
    if ids:
        grouped = (
            await WebinarRegistration.filter(webinar_id__in=ids)
            .annotate(count=Count("id"))
            .group_by("webinar_id")
            .values_list("webinar_id", "count")
        )
        counts = {int(pk): int(count) for pk, count in grouped}
        if who.client_id is not None:
            found = await WebinarRegistration.filter(
                webinar_id__in=ids, client_id=who.client_id
            ).values_list("webinar_id", flat=True)
            mine = {int(pk) for pk in found}  # type: ignore[call-overload]
    return [
        WebinarView(row, counts.get(row.id, 0), row.id in mine, who.is_staff or row.id in mine)
        for row in rows
    ]


async def list_webinars(
    viewer: Viewer | None, include_past: bool, offset: int, size: int
) -> list[WebinarView]:
    who = await reader(viewer)
    query = Webinar.filter(_visible(who))
    if not include_past:
        query = query.filter(ends_at__gt=utcnow())
    rows = await query.order_by("starts_at", "id").offset(offset).limit(size + 1)
    return await views(who, rows)


async def node_webinar(viewer: Viewer, pk: int) -> WebinarView | None:
    who = await reader_or_none(viewer)
    row = await Webinar.filter(_visible(who), id=pk).first() if who else None
    return (await views(who, [row]))[0] if who and row else None


def _check(data: WebinarData, current: Webinar | None, errors: list[UserError]) -> None:
    now = utcnow()
    if data.title is not None or current is None:
        check.title(data.title or "", errors)
    if data.description is not None and len(data.description.strip()) > DESCRIPTION_MAX:
        errors.append(
            user_error("description", f"{DESCRIPTION_MAX} caractères au plus.", "INVALID_LENGTH")
        )
    if data.starts_at is not None:
        check.future(data.starts_at, now, errors, "startsAt")
    elif current is None:
        errors.append(user_error("startsAt", "La date est requise.", "REQUIRED"))
    if data.duration_minutes is not None or current is None:
        check.in_range(data.duration_minutes or 0, 15, 480, errors, "durationMinutes")
    if data.link is not None or current is None:
        check.https_link(data.link or "", errors)
    if data.capacity is not None or current is None:
        check.in_range(data.capacity or 0, 1, CAPACITY_MAX, errors, "capacity")


def _apply(webinar: Webinar, data: WebinarData) -> None:
    if data.title is not None:
        webinar.title = data.title.strip()
    if data.description is not None:
        webinar.description = data.description.strip()
    if data.starts_at is not None:
        webinar.starts_at = data.starts_at
    if data.duration_minutes is not None:
        webinar.duration_minutes = data.duration_minutes
    if data.link is not None:
        webinar.link = data.link.strip()
    if data.capacity is not None:
        webinar.capacity = data.capacity
    webinar.ends_at = webinar.starts_at + timedelta(minutes=webinar.duration_minutes)
    webinar.updated_at = utcnow()


async def _staff_view(viewer: Viewer, webinar: Webinar) -> WebinarView:
    who = await reader(viewer)
    return (await views(who, [webinar]))[0]


async def create_webinar(viewer: Viewer | None, data: WebinarData) -> WebinarResult:
    admin = check.editor(viewer)
    errors: list[UserError] = []
    _check(data, None, errors)
    if errors:
        return WebinarResult(None, errors)
    webinar = Webinar(agency_id=admin.agency_id, description="", created_at=utcnow())
    _apply(webinar, data)
    await webinar.save()
    return WebinarResult(await _staff_view(admin, webinar), [])


async def _editable(viewer: Viewer | None, webinar_id: int) -> tuple[Viewer, Webinar | None]:
    admin = check.editor(viewer)
    return admin, await Webinar.get_or_none(id=webinar_id, agency_id=admin.agency_id)


async def update_webinar(
    viewer: Viewer | None, webinar_id: int, data: WebinarData
) -> WebinarResult:
    admin, webinar = await _editable(viewer, webinar_id)
    if webinar is None:
        return WebinarResult(None, [check.not_found()])
    errors: list[UserError] = []
    _check(data, webinar, errors)
    taken = await WebinarRegistration.filter(webinar_id=webinar.id).count()
    if data.capacity is not None and not errors and data.capacity < taken:
        errors.append(
            user_error(
                "capacity",
                f"{taken} clients sont déjà inscrits : la capacité ne peut pas être inférieure.",
                "BELOW_REGISTRATIONS",
            )
        )
    if errors:
        return WebinarResult(None, errors)
    _apply(webinar, data)
    await webinar.save()
    return WebinarResult(await _staff_view(admin, webinar), [])


async def _has_attendees(webinar: Webinar) -> bool:
    upcoming = webinar.ends_at > utcnow()
    return upcoming and await WebinarRegistration.exists(webinar_id=webinar.id)


def _attendees_error() -> UserError:
    return user_error(
        "id",
        "Des clients sont inscrits à ce webinaire : modifiez-le plutôt que de le retirer.",
        "HAS_REGISTRATIONS",
    )


async def set_webinar_published(
    viewer: Viewer | None, webinar_id: int, published: bool
) -> WebinarResult:
    admin, webinar = await _editable(viewer, webinar_id)
    if webinar is None:
        return WebinarResult(None, [check.not_found()])
    if not published and await _has_attendees(webinar):
        return WebinarResult(None, [_attendees_error()])
    if published and webinar.published_at is None:
        webinar.published_at = utcnow()
    elif not published:
        webinar.published_at = None
    await webinar.save(update_fields=["published_at"])
    return WebinarResult(await _staff_view(admin, webinar), [])


async def delete_webinar(viewer: Viewer | None, webinar_id: int) -> DeleteResult:
    _, webinar = await _editable(viewer, webinar_id)
    if webinar is None:
        return DeleteResult(None, [check.not_found()])
    if await _has_attendees(webinar):
        return DeleteResult(None, [_attendees_error()])
    await webinar.delete()
    return DeleteResult(webinar_id, [])


async def _registrant(viewer: Viewer | None) -> tuple[Reader, int]:
    signed = guards.signed_in(viewer)
    if signed.role is not Role.CLIENT:
        raise Forbidden("Seuls les clients s'inscrivent aux webinaires.")
    who = await reader(signed)
    return who, who.client_id or await client_id_for(signed) or 0


async def register(viewer: Viewer | None, webinar_id: int) -> WebinarResult:
    who, client_id = await _registrant(viewer)
    now = utcnow()
    async with in_transaction():
        webinar = await Webinar.filter(_visible(who), id=webinar_id).select_for_update().first()
        if webinar is None:
            return WebinarResult(None, [check.not_found("webinarId")])
        error = None
        if webinar.starts_at <= now:
            error = user_error("webinarId", "Le webinaire a déjà commencé.", "ALREADY_STARTED")
        elif await WebinarRegistration.exists(webinar_id=webinar.id, client_id=client_id):
            error = user_error("webinarId", "Vous êtes déjà inscrit.", "ALREADY_REGISTERED")
        elif await WebinarRegistration.filter(webinar_id=webinar.id).count() >= webinar.capacity:
            error = user_error("webinarId", "Le webinaire est complet.", "FULL")
        if error is not None:
            return WebinarResult(None, [error])
        try:
            async with in_transaction():
                await WebinarRegistration.create(
                    webinar_id=webinar.id, client_id=client_id, created_at=now
                )
        except IntegrityError:
            return WebinarResult(
                None, [user_error("webinarId", "Vous êtes déjà inscrit.", "ALREADY_REGISTERED")]
            )
    return WebinarResult((await views(who, [webinar]))[0], [])


async def cancel_registration(viewer: Viewer | None, webinar_id: int) -> WebinarResult:
    who, client_id = await _registrant(viewer)
    webinar = await Webinar.filter(_visible(who), id=webinar_id).first()
    if webinar is None:
        return WebinarResult(None, [check.not_found("webinarId")])
    if webinar.starts_at <= utcnow():
        return WebinarResult(
            None, [user_error("webinarId", "Le webinaire a déjà commencé.", "ALREADY_STARTED")]
        )
    deleted = await WebinarRegistration.filter(webinar_id=webinar.id, client_id=client_id).delete()
    if not deleted:
        return WebinarResult(
            None, [user_error("webinarId", "Vous n'êtes pas inscrit.", "NOT_REGISTERED")]
        )
    return WebinarResult((await views(who, [webinar]))[0], [])
