"""Webhook endpoints of a partner application: subscribe, change, rotate, delete, replay.

Who may: an ADMIN of the application's agency, or the application itself through an API
key with the `webhooks:write` scope (`_manager`). An endpoint starts at
the head of the log (events from now on); its secret is shown once, at subscription
and at rotation, and kept sealed because every delivery is signed with it.
The URL is checked twice against SSRF: here (syntax, https in production, where its
host resolves) and again by the delivery client before every request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.enums import EventType
from models.partners import PartnerApplication, PartnerScope
from models.webhooks import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint
from resolvers.core import guards
from resolvers.core.errors import Forbidden, NotFound, UserError, user_error
from resolvers.core.runtime import Runtime, Viewer
from services import webhook_signing
from services.clock import utcnow
from services.sealing import Sealer
from services.webhook_http import Refused, check_target, url_problem
from subscriptions.hub import newest_id


@dataclass(frozen=True)
class EndpointResult:
    endpoint: WebhookEndpoint | None
    user_errors: list[UserError] = field(default_factory=list)
    # Shown once: at subscription and at rotation.
    secret: str | None = None


def _failed(field_name: str | None, message: str, code: str) -> EndpointResult:
    return EndpointResult(None, [user_error(field_name, message, code)])


def _manager(viewer: Viewer | None) -> Viewer:
    """Who may manage webhooks: an ADMIN of the agency, or a partner's API key with the
    `webhooks:write` scope, for its own application only (see `application_of`)."""
    viewer = guards.signed_in(viewer)
    if viewer.is_partner:
        if PartnerScope.WEBHOOKS_WRITE not in viewer.scopes:
            raise Forbidden("Cette clé n'a pas le droit webhooks:write.")
        return viewer
    return guards.admin(viewer)


async def application_of(viewer: Viewer | None, application_id: int) -> PartnerApplication:
    manager = _manager(viewer)
    if manager.is_partner and manager.application_id != application_id:
        raise NotFound("Application introuvable.")
    application = await PartnerApplication.get_or_none(
        id=application_id, agency_id=manager.agency_id
    )
    if application is None:
        raise NotFound("Application introuvable.")
    return application


async def endpoint_of(viewer: Viewer | None, endpoint_id: int) -> WebhookEndpoint:
    manager = _manager(viewer)
    query = WebhookEndpoint.filter(id=endpoint_id, agency_id=manager.agency_id)
    if manager.is_partner:
        query = query.filter(application_id=manager.application_id)
    endpoint = await query.first()
    if endpoint is None:
        raise NotFound("Webhook introuvable.")
    return endpoint


async def _url_errors(rt: Runtime, url: str) -> list[UserError]:
    problem = url_problem(url, https_only=rt.settings.production)
    if problem is not None:
        return [user_error("url", problem, "INVALID_URL")]
    try:
        await check_target(url, allow_loopback=rt.settings.webhook_allow_loopback)
    except Refused:
        return [
            user_error(
                "url",
                "Cette adresse n'est pas joignable depuis Internet (réseau privé, local ou "
                "réservé) : choisissez une adresse publique.",
                "URL_NOT_ALLOWED",
            )
        ]
    return []


def _type_errors(event_types: list[EventType]) -> list[UserError]:
    if not 1 <= len(event_types) <= len(EventType) or len(set(event_types)) != len(event_types):
        return [user_error("eventTypes", "Au moins un type, sans doublon.", "INVALID")]
    return []


def _sealer(rt: Runtime) -> Sealer:
    return Sealer(rt.settings.data_encryption_key, rt.settings.secret_key)


async def subscribe(
    rt: Runtime, viewer: Viewer | None, application_id: int, url: str, event_types: list[EventType]
) -> EndpointResult:
    application = await application_of(viewer, application_id)
    if application.disabled_at is not None:
        return _failed("applicationId", "Cette application est désactivée.", "DISABLED")
    errors = _type_errors(event_types) or await _url_errors(rt, url.strip())
    if errors:
        return EndpointResult(None, errors)
    secret = webhook_signing.new_secret()
    now = utcnow()
    async with in_transaction():
        count = await WebhookEndpoint.filter(application_id=application.id).count()
        if count >= rt.settings.webhook_max_endpoints:
            return _failed(
                None, f"{rt.settings.webhook_max_endpoints} webhooks au plus.", "TOO_MANY"
            )
        endpoint = await WebhookEndpoint.create(
            application_id=application.id,
            agency_id=application.agency_id,
            url=url.strip(),
            event_types=sorted(str(t) for t in event_types),
            secret_sealed=_sealer(rt).seal(secret),
            created_at=now,
            created_by_id=viewer.person_id if viewer else None,
            updated_at=now,
            # From now on: what happened before is the partner's to ask with replayWebhook.
            cursor=await newest_id(Q(agency_id=application.agency_id)),
            next_attempt_at=now,
        )
    return EndpointResult(endpoint, [], secret)


async def update(
    rt: Runtime,
    viewer: Viewer | None,
    endpoint_id: int,
    url: str | None,
    event_types: list[EventType] | None,
    enabled: bool | None,
) -> EndpointResult:
    endpoint = await endpoint_of(viewer, endpoint_id)
    changes: dict[str, object] = {}
    if event_types is not None:
        errors = _type_errors(event_types)
        if errors:
            return EndpointResult(None, errors)
        changes["event_types"] = sorted(str(t) for t in event_types)
    if url is not None:
        errors = await _url_errors(rt, url.strip())
        if errors:
            return EndpointResult(None, errors)
        changes["url"] = url.strip()
    now = utcnow()
    if enabled is True and endpoint.disabled_at is not None:
        # Back from where it stopped; the failure count starts again.
        changes.update(
            disabled_at=None, disabled_reason="", failing_since=None, next_attempt_at=now
        )
    elif enabled is False and endpoint.disabled_at is None:
        changes.update(disabled_at=now, disabled_reason="BY_ADMIN")
    if changes:
        await WebhookEndpoint.filter(id=endpoint.id).update(**changes, updated_at=now)
    return EndpointResult(await WebhookEndpoint.get(id=endpoint.id))


async def delete(viewer: Viewer | None, endpoint_id: int) -> int:
    endpoint = await endpoint_of(viewer, endpoint_id)
    await endpoint.delete()  # its deliveries go with it
    return endpoint.id


async def rotate_secret(rt: Runtime, viewer: Viewer | None, endpoint_id: int) -> EndpointResult:
    """A new secret; the one it replaces still signs for WEBHOOK_SECRET_OVERLAP_HOURS."""
    endpoint = await endpoint_of(viewer, endpoint_id)
    secret = webhook_signing.new_secret()
    now = utcnow()
    overlap = timedelta(hours=rt.settings.webhook_secret_overlap_hours)
    await WebhookEndpoint.filter(id=endpoint.id).update(
        secret_sealed=_sealer(rt).seal(secret),
        previous_secret_sealed=endpoint.secret_sealed if overlap else "",
        previous_secret_until=now + overlap if overlap else None,
        updated_at=now,
    )
    return EndpointResult(await WebhookEndpoint.get(id=endpoint.id), [], secret)


async def replay(viewer: Viewer | None, endpoint_id: int, since_id: int) -> EndpointResult:
    """Sends again, in order, every event of the endpoint's types after `since_id`.

    The cursor goes back to `since_id`; waiting deliveries after it are dropped, since
    the log gives them again, in order. A delivery in flight may still arrive once
    more: the partner drops it by its id."""
    endpoint = await endpoint_of(viewer, endpoint_id)
    if since_id >= endpoint.cursor:
        return EndpointResult(endpoint)  # nothing taken after it yet: it comes anyway
    async with in_transaction():
        await WebhookDelivery.filter(
            endpoint_id=endpoint.id, status=WebhookDeliveryStatus.PENDING, event_id__gt=since_id
        ).delete()
        await WebhookEndpoint.filter(id=endpoint.id).update(cursor=since_id, updated_at=utcnow())
    return EndpointResult(await WebhookEndpoint.get(id=endpoint.id))


async def of_application(viewer: Viewer | None, application_id: int) -> list[WebhookEndpoint]:
    application = await application_of(viewer, application_id)
    return await WebhookEndpoint.filter(application_id=application.id).order_by("id")
