"""Pure billing arithmetic: worked time, line amounts, totals, tax-credit ceilings, money text.

Everything is integer cents. Rounding is half-up (away from zero for credit notes),
per line: a line's VAT is rounded once, and totals are the sums of the rounded lines,
so an invoice always adds up to the cent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ROUNDING_MODES = ("NEAREST", "UP", "DOWN")


def div_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero, in integers only."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    quotient, remainder = divmod(abs(numerator), denominator)
    if remainder * 2 >= denominator:
        quotient += 1
    return sign * quotient


def round_minutes(minutes: int, step: int, mode: str = "NEAREST") -> int:
    """Worked minutes rounded to the agency's step (15 → quarter hours)."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    if step <= 1:
        return minutes
    if mode == "UP":
        return -(-minutes // step) * step
    if mode == "DOWN":
        return minutes // step * step
    if mode == "NEAREST":
        return div_half_up(minutes, step) * step
    raise ValueError(f"unknown rounding mode {mode!r}")


@dataclass(frozen=True)
class LineAmounts:
    excl_cents: int
    vat_cents: int
    incl_cents: int


def line_amounts(minutes: int, hourly_rate_cents: int, vat_rate_bp: int) -> LineAmounts:
    """Hours x price excluding VAT, then VAT on that, each rounded half-up once."""
    excl = div_half_up(minutes * hourly_rate_cents, 60)
    vat = div_half_up(excl * vat_rate_bp, 10_000)
    return LineAmounts(excl, vat, excl + vat)


def totals(lines: list[LineAmounts]) -> LineAmounts:
    return LineAmounts(
        sum(line.excl_cents for line in lines),
        sum(line.vat_cents for line in lines),
        sum(line.incl_cents for line in lines),
    )


@dataclass(frozen=True)
class Law:
    """One row of the tax-credit table (models.billing.tax_credit.TaxCreditRule)."""

    year: int
    rate_bp: int
    base_ceiling_cents: int
    increment_cents: int
    max_ceiling_cents: int
    disability_ceiling_cents: int
    first_year_base_ceiling_cents: int
    first_year_max_ceiling_cents: int


@dataclass(frozen=True)
class Household:
    dependants: int = 0
    members_over_65: int = 0
    disability: bool = False
    first_year: bool = False


def yearly_ceiling(law: Law, household: Household) -> int:
    """Expenses that open the tax credit in one year (CGI art. 199 sexdecies)."""
    if household.disability:
        return law.disability_ceiling_cents
    raises = (household.dependants + household.members_over_65) * law.increment_cents
    if household.first_year:
        return min(law.first_year_base_ceiling_cents + raises, law.first_year_max_ceiling_cents)
    return min(law.base_ceiling_cents + raises, law.max_ceiling_cents)


@dataclass(frozen=True)
class Advance:
    eligible_cents: int
    advance_cents: int
    amount_due_cents: int
    note: str


def advance_for(
    total_incl_cents: int,
    eligible_expense_cents: int,
    used_before_cents: int,
    ceiling_cents: int,
    rate_bp: int,
    enrolled: bool,
) -> Advance:
    """The immediate advance on one invoice, given what the year's earlier invoices used."""
    room = max(0, ceiling_cents - used_before_cents)
    eligible = max(0, min(eligible_expense_cents, room))
    note = ""
    if eligible_expense_cents > 0 and eligible < eligible_expense_cents:
        if eligible == 0:
            note = (
                f"Plafond annuel de {money_fr(ceiling_cents)} € de dépenses atteint : "
                "cette facture est due en totalité, sans avance immédiate."
            )
        else:
            note = (
                f"Plafond annuel de {money_fr(ceiling_cents)} € de dépenses atteint sur cette "
                f"facture : avance calculée sur {money_fr(eligible)} € seulement."
            )
    advance = div_half_up(eligible * rate_bp, 10_000) if enrolled else 0
    return Advance(eligible, advance, total_incl_cents - advance, note if enrolled else "")


def eligible_paid(paid_cents: int, due_cents: int, not_eligible_cents: int) -> int:
    """The part of a payment that opens the tax credit, pro rata of the invoice's amount due.

    `not_eligible_cents` is what the invoice charges outside the tax credit (a late
    cancellation, a service not eligible): the household's payment covers it in the
    same proportion as the rest.
    """
    if due_cents <= 0 or not_eligible_cents <= 0:
        return paid_cents
    eligible_due = max(0, due_cents - not_eligible_cents)
    return min(paid_cents, div_half_up(paid_cents * eligible_due, due_cents))


# Below this many cents (in magnitude), `cents / 100` is a double within 0.005 of the exact
# amount (its error is at most the amount times 2**-53), so writing it with two decimals
# gives the exact amount's digits.
_EXACT_AS_FLOAT = 10**15


def money(cents: int) -> str:
    """Cents as a decimal string in euros: 12340 → "123.40"."""
    if type(cents) is int:  # a page of invoices writes hundreds of amounts
        if -_EXACT_AS_FLOAT < cents < _EXACT_AS_FLOAT:
            return f"{cents / 100:.2f}"  # one C call: half the time of the integer digits
        whole, part = divmod(-cents if cents < 0 else cents, 100)
        return f"{'-' if cents < 0 else ''}{whole}.{part:02d}"
    return str((Decimal(cents) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def money_fr(cents: int) -> str:
    """Cents as French spreadsheets and documents write them: 12340 → "123,40"."""
    return money(cents).replace(".", ",")


# The one format of an amount given to the API, as it writes them: ASCII digits, a point
# and at most two decimals ("120", "120.5", "120.50"). No comma, no spaces, no sign, no
# exponent, no other digits: "1,5", " 1", "١" and "１" used to be read as amounts.
AMOUNT_RE = re.compile(r"(0|[1-9][0-9]{0,8})(\.[0-9]{1,2})?", re.ASCII)


def parse_money(text: str) -> int:
    """An amount in euros written as AMOUNT_RE says, as cents (ValueError otherwise)."""
    found = AMOUNT_RE.fullmatch(text)
    if found is None:
        raise ValueError("not an amount (digits, a point, at most two decimals)")
    euros, decimals = found.group(1), (found.group(2) or ".")[1:]
    return int(euros) * 100 + int(decimals.ljust(2, "0"))


def hours(minutes: int) -> str:
    """Minutes as hours with a decimal point, to the hundredth: 90 → "1.50"."""
    return money(div_half_up(minutes * 100, 60))


def hours_text(minutes: int) -> str:
    """Minutes as hours with a decimal comma: 90 → "1,50"."""
    return hours(minutes).replace(".", ",")
