"""Webhooks of partner applications: endpoints, their deliveries, and the mutations."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.enums import EventType as EventTypeEnum
from models.webhooks import WebhookDeliveryStatus as WebhookDeliveryStatusEnum
from models.webhooks import WebhookEndpoint as WebhookEndpointModel
from resolvers.partners import webhooks, webhooks_read
from schema.core.common import Connection, Node, UserErrorType, connection, page_size, user_errors
from schema.core.context import Info
from schema.core.ids import after_pk, cursor_for, expect_id, to_global_id

WebhookEventType = strawberry.enum(
    EventTypeEnum, name="WebhookEventType", description="Event types of the log a webhook takes."
)
WebhookDeliveryStatus = strawberry.enum(WebhookDeliveryStatusEnum, name="WebhookDeliveryStatus")


@strawberry.type(description="Where a partner application is called back, and for which events.")
class WebhookEndpoint(Node):
    application_id: strawberry.ID
    url: str
    event_types: list[WebhookEventType]  # type: ignore[valid-type]
    enabled: bool
    disabled_at: datetime | None
    disabled_reason: str = strawberry.field(description="FAILING, BY_ADMIN, or empty.")
    failing_since: datetime | None = strawberry.field(
        description="First failure since the last success: past the window, disabled."
    )
    cursor: str | None = strawberry.field(
        description="The last event of the log this endpoint has taken."
    )
    created_at: datetime
    previous_secret_until: datetime | None = strawberry.field(
        description="Until when deliveries are also signed with the secret rotated out."
    )

    @classmethod
    def from_model(cls, row: WebhookEndpointModel) -> WebhookEndpoint:
        return cls(
            id=strawberry.ID(to_global_id("WebhookEndpoint", row.id)),
            application_id=strawberry.ID(to_global_id("PartnerApplication", row.application_id)),
            url=row.url,
            event_types=[EventTypeEnum(t) for t in row.event_types],
            enabled=row.disabled_at is None,
            disabled_at=row.disabled_at,
            disabled_reason=row.disabled_reason,
            failing_since=row.failing_since,
            cursor=cursor_for(row.cursor) if row.cursor else None,
            created_at=row.created_at,
            previous_secret_until=row.previous_secret_until,
        )


@strawberry.type(description="One event sent (or to send) to one endpoint.")
class WebhookDelivery(Node):
    event_cursor: str = strawberry.field(
        description="The event's cursor: the webhook-id header and the body's id."
    )
    event_type: WebhookEventType  # type: ignore[valid-type]
    status: WebhookDeliveryStatus  # type: ignore[valid-type]
    attempts: int
    last_response_code: int | None
    last_error: str
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None

    @classmethod
    def from_view(cls, view: webhooks_read.DeliveryView) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(to_global_id("WebhookDelivery", view.id)),
            event_cursor=cursor_for(view.event_id),
            event_type=EventTypeEnum(view.event_type),
            status=view.status,
            attempts=view.attempts,
            last_response_code=view.last_status_code,
            last_error=view.last_error,
            created_at=view.created_at,
            last_attempt_at=view.last_attempt_at,
            next_attempt_at=view.next_attempt_at,
            delivered_at=view.delivered_at,
        )


@strawberry.input
class SubscribeWebhookInput:
    application_id: strawberry.ID
    url: str = strawberry.field(
        description="https:// in production, 2048 characters at most, a public address."
    )
    event_types: list[WebhookEventType] = strawberry.field(  # type: ignore[valid-type]
        description="At least one, without duplicates."
    )


@strawberry.input
class UpdateWebhookInput:
    endpoint_id: strawberry.ID
    url: str | None = None
    event_types: list[WebhookEventType] | None = None  # type: ignore[valid-type]
    enabled: bool | None = strawberry.field(
        default=None, description="true re-enables a disabled endpoint where it stopped."
    )


@strawberry.input
class WebhookEndpointInput:
    endpoint_id: strawberry.ID


@strawberry.input
class ReplayWebhookInput:
    endpoint_id: strawberry.ID
    since: str = strawberry.field(
        description="An event cursor: every event of the endpoint's types after it is sent again."
    )


@strawberry.type
class WebhookPayload:
    endpoint: WebhookEndpoint | None
    user_errors: list[UserErrorType]


@strawberry.type
class WebhookSecretPayload:
    endpoint: WebhookEndpoint | None
    secret: str | None = strawberry.field(
        description="The signing secret (whsec_…), shown this once: keep it now."
    )
    user_errors: list[UserErrorType]


@strawberry.type
class DeleteWebhookPayload:
    deleted_endpoint_id: strawberry.ID | None
    user_errors: list[UserErrorType]


def _payload(result: webhooks.EndpointResult) -> WebhookPayload:
    return WebhookPayload(
        endpoint=WebhookEndpoint.from_model(result.endpoint) if result.endpoint else None,
        user_errors=user_errors(result.user_errors),
    )


def _secret_payload(result: webhooks.EndpointResult) -> WebhookSecretPayload:
    return WebhookSecretPayload(
        endpoint=WebhookEndpoint.from_model(result.endpoint) if result.endpoint else None,
        secret=result.secret,
        user_errors=user_errors(result.user_errors),
    )


def _endpoint_pk(global_id: str) -> int:
    return expect_id(global_id, "WebhookEndpoint")


@strawberry.type
class WebhookQueries:
    @strawberry.field(description="The webhooks of a partner application (ADMIN).")
    async def webhook_endpoints(
        self, info: Info, application_id: strawberry.ID
    ) -> list[WebhookEndpoint]:
        rows = await webhooks.of_application(
            info.context.viewer, expect_id(application_id, "PartnerApplication")
        )
        return [WebhookEndpoint.from_model(row) for row in rows]

    @strawberry.field(description="Deliveries of one endpoint, newest first (ADMIN).")
    async def webhook_deliveries(
        self,
        info: Info,
        endpoint_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[WebhookDelivery]:
        size = page_size(first)
        after_id = expect_id(after, "WebhookDelivery") if after is not None else None
        page = await webhooks_read.deliveries(
            info.context.viewer, _endpoint_pk(endpoint_id), size, after_id
        )
        nodes = [WebhookDelivery.from_view(view) for view in page.views]
        cursors = [to_global_id("WebhookDelivery", view.id) for view in page.views]
        return connection(nodes, cursors, size, page.has_previous)


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(
        description="Subscribes an endpoint of an application to event types (ADMIN); the "
        "signing secret is in the payload, this once."
    )
    async def subscribe_webhook(
        self, info: Info, input: SubscribeWebhookInput
    ) -> WebhookSecretPayload:
        result = await webhooks.subscribe(
            info.context.runtime,
            info.context.viewer,
            expect_id(input.application_id, "PartnerApplication"),
            input.url,
            list(input.event_types),
        )
        return _secret_payload(result)

    @strawberry.mutation(description="Changes an endpoint's URL or types, or (re-)enables it.")
    async def update_webhook(self, info: Info, input: UpdateWebhookInput) -> WebhookPayload:
        result = await webhooks.update(
            info.context.runtime,
            info.context.viewer,
            _endpoint_pk(input.endpoint_id),
            input.url,
            list(input.event_types) if input.event_types is not None else None,
            input.enabled,
        )
        return _payload(result)

    @strawberry.mutation(description="Deletes an endpoint and its deliveries (ADMIN).")
    async def delete_webhook(self, info: Info, input: WebhookEndpointInput) -> DeleteWebhookPayload:
        pk = await webhooks.delete(info.context.viewer, _endpoint_pk(input.endpoint_id))
        return DeleteWebhookPayload(
            deleted_endpoint_id=strawberry.ID(to_global_id("WebhookEndpoint", pk)), user_errors=[]
        )

    @strawberry.mutation(
        description="A new signing secret, shown this once; the previous one still signs for "
        "WEBHOOK_SECRET_OVERLAP_HOURS."
    )
    async def rotate_webhook_secret(
        self, info: Info, input: WebhookEndpointInput
    ) -> WebhookSecretPayload:
        result = await webhooks.rotate_secret(
            info.context.runtime, info.context.viewer, _endpoint_pk(input.endpoint_id)
        )
        return _secret_payload(result)

    @strawberry.mutation(
        description="Sends again, in log order, the endpoint's events after the cursor `since`."
    )
    async def replay_webhook(self, info: Info, input: ReplayWebhookInput) -> WebhookPayload:
        since_id = after_pk(input.since)
        assert since_id is not None
        result = await webhooks.replay(
            info.context.viewer, _endpoint_pk(input.endpoint_id), since_id
        )
        return _payload(result)
