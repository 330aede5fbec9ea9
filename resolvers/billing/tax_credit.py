"""The immediate advance of the tax credit: the year's law, the household's ceiling, what is left.

The law is data (models.billing.tax_credit.TaxCreditRule, one row per year); the arithmetic is
in services.billing. The expenses already counted in a year are the eligible amounts of
the client's invoices of that year, credit notes subtracting theirs.
"""

from __future__ import annotations

from tortoise.functions import Sum

from models.billing.invoices import Invoice
from models.billing.tax_credit import ClientBillingProfile, TaxCreditRule
from resolvers.core.errors import BadInput
from services import billing


async def law_for(year: int) -> billing.Law:
    """The row of `year`, or of the latest earlier year when the new law is not in yet."""
    rule = await TaxCreditRule.filter(year__lte=year).order_by("-year").first()
    if rule is None:
        raise BadInput(f"Aucun barème du crédit d'impôt pour {year}.")
    return billing.Law(
        year=rule.year,
        rate_bp=rule.rate_bp,
        base_ceiling_cents=rule.base_ceiling_cents,
        increment_cents=rule.increment_cents,
        max_ceiling_cents=rule.max_ceiling_cents,
        disability_ceiling_cents=rule.disability_ceiling_cents,
        first_year_base_ceiling_cents=rule.first_year_base_ceiling_cents,
        first_year_max_ceiling_cents=rule.first_year_max_ceiling_cents,
    )


def household(profile: ClientBillingProfile | None, year: int) -> billing.Household:
    if profile is None:
        return billing.Household()
    return billing.Household(
        dependants=profile.dependants,
        members_over_65=profile.members_over_65,
        disability=profile.disability,
        first_year=profile.first_direct_employment_year == year,
    )


async def used_in_year(client_id: int, year: int) -> int:
    rows = (
        await Invoice.filter(client_id=client_id, year=year)
        .annotate(used=Sum("eligible_cents"))
        .group_by("client_id")
        .values("used")
    )
    return int(rows[0]["used"] or 0) if rows else 0


async def advance_on(
    client_id: int,
    profile: ClientBillingProfile | None,
    year: int,
    total_incl_cents: int,
    eligible_expense_cents: int,
) -> billing.Advance:
    """Eligible amount, advance and amount due of a new invoice of `year`."""
    law = await law_for(year)
    ceiling = billing.yearly_ceiling(law, household(profile, year))
    return billing.advance_for(
        total_incl_cents,
        eligible_expense_cents,
        await used_in_year(client_id, year),
        ceiling,
        law.rate_bp,
        enrolled=bool(profile and profile.advance_enrolled),
    )
