"""The agency's self-service policy and opening hours: staff read them, ADMIN changes them."""

from __future__ import annotations

from datetime import time

import strawberry

from models.enums import AbsencePolicy as AbsencePolicyEnum
from resolvers.agency import policy
from resolvers.agency.opening_hours import Span
from schema.core.common import UserErrorType, user_errors
from schema.core.context import Info

AbsencePolicy = strawberry.enum(AbsencePolicyEnum, name="AbsencePolicy")


@strawberry.type(name="AgencyPolicy")
class AgencyPolicyType:
    min_notice_hours: int = strawberry.field(
        description="Changes and cancellations must come this long before the visit."
    )
    auto_approve: bool = strawberry.field(
        description="Requests that pass every rule are approved at once."
    )
    absence_policy: AbsencePolicy  # type: ignore[valid-type]
    late_cancellation_billable: bool = strawberry.field(
        description="Cancellations inside the notice period are invoiced."
    )

    @classmethod
    def from_policy(cls, value: policy.Policy) -> AgencyPolicyType:
        return cls(
            min_notice_hours=value.min_notice_hours,
            auto_approve=value.auto_approve,
            absence_policy=value.absence_policy,
            late_cancellation_billable=value.late_cancellation_billable,
        )


@strawberry.type
class OpeningSpan:
    weekday: int = strawberry.field(description="0 = Monday … 6 = Sunday.")
    opens_at: time = strawberry.field(description="Wall-clock time in the agency's zone.")
    closes_at: time

    @classmethod
    def from_span(cls, span: Span) -> OpeningSpan:
        return cls(weekday=span.weekday, opens_at=span.opens_at, closes_at=span.closes_at)


@strawberry.input
class UpdateAgencyPolicyInput:
    min_notice_hours: int | None = None
    auto_approve: bool | None = None
    absence_policy: AbsencePolicy | None = None  # type: ignore[valid-type]
    late_cancellation_billable: bool | None = None


@strawberry.input
class OpeningSpanInput:
    weekday: int
    opens_at: time
    closes_at: time


@strawberry.input
class SetOpeningHoursInput:
    spans: list[OpeningSpanInput] = strawberry.field(
        description="Every span of the week (21 at most); empty restores the default hours."
    )


@strawberry.type
class AgencyPolicyPayload:
    policy: AgencyPolicyType | None
    user_errors: list[UserErrorType]


@strawberry.type
class OpeningHoursPayload:
    spans: list[OpeningSpan] | None
    user_errors: list[UserErrorType]


@strawberry.type
class PolicyQueries:
    @strawberry.field(description="How the agency handles client requests (ADVISOR, ADMIN).")
    async def agency_policy(self, info: Info) -> AgencyPolicyType:
        return AgencyPolicyType.from_policy(await policy.read_policy(info.context.viewer))

    @strawberry.field(description="The agency's service hours, in which visits can be booked.")
    async def opening_hours(self, info: Info) -> list[OpeningSpan]:
        spans = await policy.read_opening_hours(info.context.viewer)
        return [OpeningSpan.from_span(span) for span in spans]


@strawberry.type
class PolicyMutations:
    @strawberry.mutation(description="Changes the agency's request policy (ADMIN).")
    async def update_agency_policy(
        self, info: Info, input: UpdateAgencyPolicyInput
    ) -> AgencyPolicyPayload:
        result = await policy.update_policy(
            info.context.viewer,
            policy.PolicyChange(
                min_notice_hours=input.min_notice_hours,
                auto_approve=input.auto_approve,
                absence_policy=input.absence_policy,
                late_cancellation_billable=input.late_cancellation_billable,
            ),
        )
        return AgencyPolicyPayload(
            policy=AgencyPolicyType.from_policy(result.policy) if result.policy else None,
            user_errors=user_errors(result.user_errors),
        )

    @strawberry.mutation(description="Sets the agency's opening hours for the week (ADMIN).")
    async def set_opening_hours(
        self, info: Info, input: SetOpeningHoursInput
    ) -> OpeningHoursPayload:
        spans = [Span(s.weekday, s.opens_at, s.closes_at) for s in input.spans]
        result = await policy.set_opening_hours(info.context.viewer, spans)
        return OpeningHoursPayload(
            spans=[OpeningSpan.from_span(s) for s in result.spans] if result.spans else None,
            user_errors=user_errors(result.user_errors),
        )
