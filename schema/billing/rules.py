"""The agency's billing rule (ADMIN): rounding of worked time, payment terms, fees."""

from __future__ import annotations

import strawberry

from resolvers.billing import rules as billing_rules
from schema.billing.types import MONEY
from schema.core.common import UserErrorType, user_errors
from schema.core.context import Info
from services.billing import money


@strawberry.type(description="How the agency invoices worked time.")
class AgencyBillingRule:
    rounding_step_minutes: int
    rounding_mode: str
    payment_terms_days: int
    mandate_fee: str = strawberry.field(description="Per hour, excluding VAT. " + MONEY)
    travel_fee: str = strawberry.field(
        description="Travel costs billed per visit in prestataire mode, excluding VAT "
        "(0: not billed). " + MONEY
    )


@strawberry.input
class SetAgencyBillingRuleInput:
    rounding_step_minutes: int = strawberry.field(description="1, 5, 6, 10, 15, 30 or 60.")
    rounding_mode: str = strawberry.field(description="NEAREST (half-up), UP or DOWN.")
    payment_terms_days: int = strawberry.field(description="0 to 60.")
    mandate_fee: str = strawberry.field(description='Euros per hour, e.g. "2.50".')
    travel_fee: str = strawberry.field(
        default="0", description='Euros per visit excluding VAT, e.g. "4.00"; 0: not billed.'
    )


@strawberry.type
class SetAgencyBillingRulePayload:
    rule: AgencyBillingRule | None
    user_errors: list[UserErrorType]


@strawberry.type
class BillingRuleMutations:
    @strawberry.mutation(
        description="Sets how the agency rounds worked time, its payment terms and its "
        "mandataire fee (ADMIN)."
    )
    async def set_agency_billing_rule(
        self, info: Info, input: SetAgencyBillingRuleInput
    ) -> SetAgencyBillingRulePayload:
        result = await billing_rules.set_billing_rule(
            info.context.viewer,
            billing_rules.RuleData(
                rounding_step_minutes=input.rounding_step_minutes,
                rounding_mode=input.rounding_mode,
                payment_terms_days=input.payment_terms_days,
                mandate_fee=input.mandate_fee,
                travel_fee=input.travel_fee,
            ),
        )
        rule = result.rule
        return SetAgencyBillingRulePayload(
            rule=AgencyBillingRule(
                rounding_step_minutes=rule.rounding_step_minutes,
                rounding_mode=rule.rounding_mode,
                payment_terms_days=rule.payment_terms_days,
                mandate_fee=money(rule.mandate_fee_cents_per_hour),
                travel_fee=money(rule.travel_fee_cents),
            )
            if rule
            else None,
            user_errors=user_errors(result.user_errors),
        )
