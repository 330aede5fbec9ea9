"""The agency's billing rule: rounding of worked time, payment terms, mandataire and travel fees."""

from __future__ import annotations

from dataclasses import dataclass

from models.billing.invoices import AgencyBillingRule
from resolvers.core import guards
from resolvers.core.errors import UserError, user_error
from resolvers.core.runtime import Viewer
from services import billing

ROUNDING_STEPS = (1, 5, 6, 10, 15, 30, 60)


@dataclass(frozen=True)
class RuleData:
    rounding_step_minutes: int
    rounding_mode: str
    payment_terms_days: int
    mandate_fee: str
    travel_fee: str = "0"


@dataclass(frozen=True)
class RuleResult:
    rule: AgencyBillingRule | None
    user_errors: list[UserError]


async def set_billing_rule(viewer: Viewer | None, data: RuleData) -> RuleResult:
    """The agency's rounding of worked time, payment terms and mandataire fee (ADMIN)."""
    admin = guards.admin(viewer)
    errors = []
    if data.rounding_step_minutes not in ROUNDING_STEPS:
        errors.append(
            user_error(
                "roundingStepMinutes", "Pas de 1, 5, 6, 10, 15, 30 ou 60 minutes.", "INVALID"
            )
        )
    if data.rounding_mode not in billing.ROUNDING_MODES:
        errors.append(user_error("roundingMode", "NEAREST, UP ou DOWN.", "INVALID"))
    if not 0 <= data.payment_terms_days <= 60:
        errors.append(user_error("paymentTermsDays", "Entre 0 et 60 jours.", "OUT_OF_RANGE"))
    try:
        fee = billing.parse_money(data.mandate_fee)
    except ValueError:
        fee = -1
    if not 0 <= fee <= 10_000:
        errors.append(user_error("mandateFee", "Entre 0 et 100 € de l'heure.", "INVALID_AMOUNT"))
    try:
        travel = billing.parse_money(data.travel_fee)
    except ValueError:
        travel = -1
    if not 0 <= travel <= 10_000:
        errors.append(user_error("travelFee", "Entre 0 et 100 € par visite.", "INVALID_AMOUNT"))
    if errors:
        return RuleResult(None, errors)
    values = {
        "rounding_step_minutes": data.rounding_step_minutes,
        "rounding_mode": data.rounding_mode,
        "payment_terms_days": data.payment_terms_days,
        "mandate_fee_cents_per_hour": fee,
        "travel_fee_cents": travel,
    }
    rule, _ = await AgencyBillingRule.update_or_create(agency_id=admin.agency_id, defaults=values)
    return RuleResult(rule, [])
