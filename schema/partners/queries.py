"""What an ADMIN reads of its agency's partner applications and keys."""

from __future__ import annotations

import strawberry

from resolvers.partners import applications, keys
from schema.context import Info
from schema.ids import expect_id
from schema.partners.types import PartnerApiKey, PartnerApplication


@strawberry.type
class PartnerQueries:
    @strawberry.field(description="The agency's partner applications, oldest first (ADMIN).")
    async def partner_applications(self, info: Info) -> list[PartnerApplication]:
        rows = await applications.of_agency(info.context.viewer)
        return [PartnerApplication.from_model(row) for row in rows]

    @strawberry.field(
        description="An application's API keys, newest first, revoked and expired ones "
        "included; never their secrets (ADMIN)."
    )
    async def partner_api_keys(
        self, info: Info, application_id: strawberry.ID
    ) -> list[PartnerApiKey]:
        rows = await keys.of_application(
            info.context.viewer, expect_id(application_id, "PartnerApplication")
        )
        return [PartnerApiKey.from_model(row) for row in rows]
