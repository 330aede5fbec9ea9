"""Registering partner applications and managing their API keys (ADMIN)."""

from __future__ import annotations

import strawberry

from resolvers.partners import applications
from schema.common import user_errors
from schema.context import Info
from schema.partners.types import (
    PartnerApplication,
    RegisterPartnerApplicationInput,
    RegisterPartnerApplicationPayload,
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
