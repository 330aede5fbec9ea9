"""Partner applications and API keys as partners and ADMINs see them."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.partners import PartnerApplication as PartnerApplicationModel
from schema.common import Node, UserErrorType
from schema.ids import to_global_id


@strawberry.type(description="An agency's integration (accounting, payroll, booking site...).")
class PartnerApplication(Node):
    name: str
    description: str
    created_at: datetime
    disabled_at: datetime | None

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
