"""An agency's care settings: claim deadline, premium phone line, anomaly thresholds."""

from __future__ import annotations

import strawberry

from resolvers.care import settings as care_settings
from schema.core.common import UserErrorType, user_errors
from schema.core.context import Info


@strawberry.type
class CareSettings:
    claim_deadline_days: int = strawberry.field(
        description="Days after a visit's end within which a household reports damage."
    )
    premium_support_phone: str = strawberry.field(
        description="The dedicated line shown to premium households (E.164; empty: none)."
    )
    early_check_in_minutes: int = strawberry.field(
        description="A check-in earlier than this before the start is flagged."
    )
    duration_tolerance_percent: int = strawberry.field(
        description="A visit shorter or longer than planned by more than this is flagged."
    )

    @classmethod
    def from_settings(cls, found: care_settings.CareSettings) -> CareSettings:
        return cls(
            claim_deadline_days=found.claim_deadline_days,
            premium_support_phone=found.premium_support_phone,
            early_check_in_minutes=found.early_check_in_minutes,
            duration_tolerance_percent=found.duration_tolerance_percent,
        )


@strawberry.input
class UpdateCareSettingsInput:
    claim_deadline_days: int | None = strawberry.field(default=None, description="1 to 90.")
    premium_support_phone: str | None = strawberry.field(
        default=None, description="A phone number; an empty string removes it."
    )
    early_check_in_minutes: int | None = strawberry.field(default=None, description="0 to 120.")
    duration_tolerance_percent: int | None = strawberry.field(
        default=None, description="10 to 300."
    )


@strawberry.type
class CareSettingsPayload:
    settings: CareSettings | None
    user_errors: list[UserErrorType]


@strawberry.type
class CareQueries:
    @strawberry.field(description="The agency's care settings (staff).")
    async def care_settings(self, info: Info) -> CareSettings:
        return CareSettings.from_settings(await care_settings.read(info.context.viewer))


@strawberry.type
class CareMutations:
    @strawberry.mutation(description="Changes the agency's care settings (ADMIN).")
    async def update_care_settings(
        self, info: Info, input: UpdateCareSettingsInput
    ) -> CareSettingsPayload:
        result = await care_settings.update(
            info.context.viewer,
            care_settings.CareChange(
                input.claim_deadline_days,
                input.premium_support_phone,
                input.early_check_in_minutes,
                input.duration_tolerance_percent,
            ),
        )
        return CareSettingsPayload(
            settings=CareSettings.from_settings(result.settings) if result.settings else None,
            user_errors=user_errors(result.user_errors),
        )
