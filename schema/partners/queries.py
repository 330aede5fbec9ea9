"""What an ADMIN reads of its agency's partner applications and keys."""

from __future__ import annotations

import strawberry

from resolvers.partners import applications
from schema.context import Info
from schema.partners.types import PartnerApplication


@strawberry.type
class PartnerQueries:
    @strawberry.field(description="The agency's partner applications, oldest first (ADMIN).")
    async def partner_applications(self, info: Info) -> list[PartnerApplication]:
        rows = await applications.of_agency(info.context.viewer)
        return [PartnerApplication.from_model(row) for row in rows]
