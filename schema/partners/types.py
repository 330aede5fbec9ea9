"""Partner applications and API keys as partners and ADMINs see them."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.partners import PartnerApiKey as PartnerApiKeyModel
from models.partners import PartnerApplication as PartnerApplicationModel
from models.partners import PartnerScope as PartnerScopeEnum
from resolvers.partners import scopes, webhooks
from schema.core.common import Node, UserErrorType
from schema.core.context import Info
from schema.core.ids import expect_id, to_global_id
from schema.partners.webhooks import WebhookEndpoint
from services.clock import utcnow


@strawberry.type(description="An agency's integration (accounting, payroll, booking site...).")
class PartnerApplication(Node):
    name: str
    description: str
    created_at: datetime
    disabled_at: datetime | None

    @strawberry.field(description="Its webhook endpoints, oldest first (docs/webhooks.md).")
    async def webhook_endpoints(self, info: Info) -> list[WebhookEndpoint]:
        rows = await webhooks.of_application(
            info.context.viewer, expect_id(self.id, "PartnerApplication")
        )
        return [WebhookEndpoint.from_model(row) for row in rows]

    @classmethod
    def from_model(cls, row: PartnerApplicationModel) -> PartnerApplication:
        return cls(
            id=strawberry.ID(to_global_id("PartnerApplication", row.id)),
            name=row.name,
            description=row.description,
            created_at=row.created_at,
            disabled_at=row.disabled_at,
        )


@strawberry.input
class RegisterPartnerApplicationInput:
    name: str = strawberry.field(description="1 to 100 characters, unique in the agency.")
    description: str = strawberry.field(default="", description="500 characters at most.")


@strawberry.type
class RegisterPartnerApplicationPayload:
    application: PartnerApplication | None
    user_errors: list[UserErrorType]


PartnerScope = strawberry.enum(
    PartnerScopeEnum,
    name="PartnerScope",
    description="What an API key may do; `VISITS_READ` is `visits:read` in the docs, etc.",
)


@strawberry.type(description="An API key of a partner application. Its secret is never shown.")
class PartnerApiKey(Node):
    application_id: strawberry.ID
    label: str
    hint: str = strawberry.field(description="The secret's first characters, to tell keys apart.")
    scopes: list[PartnerScope]  # type: ignore[valid-type]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None = strawberry.field(
        description="Last request made with the key (updated at most once a minute)."
    )
    last_used_network: str = strawberry.field(
        description="The network (/24 or /48) of that request, never the full address."
    )
    active: bool = strawberry.field(description="Neither revoked nor expired.")

    @classmethod
    def from_model(cls, row: PartnerApiKeyModel) -> PartnerApiKey:
        return cls(
            id=strawberry.ID(to_global_id("PartnerApiKey", row.id)),
            application_id=strawberry.ID(to_global_id("PartnerApplication", row.application_id)),
            label=row.label,
            hint=row.hint + "…",
            scopes=sorted(scopes.decode(row.scopes)),
            created_at=row.created_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            last_used_at=row.last_used_at,
            last_used_network=row.last_used_network,
            active=row.revoked_at is None and row.expires_at > utcnow(),
        )


@strawberry.input
class IssuePartnerApiKeyInput:
    application_id: strawberry.ID
    scopes: list[PartnerScope] = strawberry.field(  # type: ignore[valid-type]
        description="At least one; each opens the operations listed in docs/partners.md."
    )
    expires_at: datetime | None = strawberry.field(
        default=None,
        description="From one hour ahead to PARTNER_KEY_MAX_DAYS (365 by default), the "
        "longest when left out.",
    )
    label: str = strawberry.field(default="", description="100 characters at most.")


@strawberry.type
class IssuePartnerApiKeyPayload:
    api_key: PartnerApiKey | None
    secret: str | None = strawberry.field(
        description="The key itself, shown this once: it cannot be read again."
    )
    user_errors: list[UserErrorType]


@strawberry.input
class RevokePartnerApiKeyInput:
    key_id: strawberry.ID


@strawberry.type
class RevokePartnerApiKeyPayload:
    api_key: PartnerApiKey | None
    user_errors: list[UserErrorType]
