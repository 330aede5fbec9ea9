"""Registering partner applications and managing their API keys (ADMIN)."""

from __future__ import annotations

import strawberry

from resolvers.partners import applications, keys
from schema.common import user_errors
from schema.context import Info
from schema.ids import expect_id
from schema.partners.types import (
    IssuePartnerApiKeyInput,
    IssuePartnerApiKeyPayload,
    PartnerApiKey,
    PartnerApplication,
    RegisterPartnerApplicationInput,
    RegisterPartnerApplicationPayload,
    RevokePartnerApiKeyInput,
    RevokePartnerApiKeyPayload,
)


@strawberry.type
class PartnerMutations:
    @strawberry.mutation(description="Registers an integration of the agency (ADMIN).")
    async def register_partner_application(
        self, info: Info, input: RegisterPartnerApplicationInput
    ) -> RegisterPartnerApplicationPayload:
        result = await applications.register(
            info.context.viewer, input.name, input.description, info.context.meta
        )
        return RegisterPartnerApplicationPayload(
            application=(
                PartnerApplication.from_model(result.application) if result.application else None
            ),
            user_errors=user_errors(result.user_errors),
        )

    @strawberry.mutation(
        description="Issues an API key for an application; its secret is in this answer only "
        "(ADMIN)."
    )
    async def issue_partner_api_key(
        self, info: Info, input: IssuePartnerApiKeyInput
    ) -> IssuePartnerApiKeyPayload:
        data = keys.IssueData(
            application_id=expect_id(input.application_id, "PartnerApplication"),
            scopes=list(input.scopes),
            expires_at=input.expires_at,
            label=input.label,
        )
        result = await keys.issue(
            info.context.runtime, info.context.viewer, data, info.context.meta
        )
        return IssuePartnerApiKeyPayload(
            api_key=PartnerApiKey.from_model(result.key) if result.key else None,
            secret=result.secret,
            user_errors=user_errors(result.user_errors),
        )

    @strawberry.mutation(description="Revokes an API key at once, everywhere (ADMIN).")
    async def revoke_partner_api_key(
        self, info: Info, input: RevokePartnerApiKeyInput
    ) -> RevokePartnerApiKeyPayload:
        result = await keys.revoke(
            info.context.runtime,
            info.context.viewer,
            expect_id(input.key_id, "PartnerApiKey"),
            info.context.meta,
        )
        return RevokePartnerApiKeyPayload(
            api_key=PartnerApiKey.from_model(result.key) if result.key else None,
            user_errors=user_errors(result.user_errors),
        )
