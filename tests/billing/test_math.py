"""Pure billing arithmetic: rounding, VAT, totals, tax-credit ceilings across a year."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services import billing
from services.billing import Household, Law

LAW_2026 = Law(2026, 5000, 1_200_000, 150_000, 1_500_000, 2_000_000, 1_500_000, 1_800_000)


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(5, 2, 3), (4, 2, 2), (7, 3, 2), (-5, 2, -3), (1, 3, 0), (149, 100, 1), (150, 100, 2)],
)
def test_division_rounds_half_away_from_zero(numerator, denominator, expected):
    assert billing.div_half_up(numerator, denominator) == expected


@pytest.mark.parametrize(
    ("minutes", "step", "mode", "expected"),
    [
        (127, 15, "NEAREST", 120),
        (128, 15, "NEAREST", 135),  # 8.53 quarters → 9
        (112, 15, "NEAREST", 105),
        (113, 15, "NEAREST", 120),  # 7.53 quarters
        (121, 15, "UP", 135),
        (134, 15, "DOWN", 120),
        (97, 1, "NEAREST", 97),
        (0, 15, "UP", 0),
    ],
)
def test_worked_minutes_follow_the_agency_rule(minutes, step, mode, expected):
    assert billing.round_minutes(minutes, step, mode) == expected


def test_unknown_rounding_mode_is_refused():
    with pytest.raises(ValueError, match="rounding mode"):
        billing.round_minutes(60, 15, "BANKERS")


def test_line_vat_is_rounded_half_up_once_per_line():
    # 1 h 20 at 31.17 €/h = 41.56 € HT, VAT 10 % = 4.156 → 4.16
    line = billing.line_amounts(80, 3117, 1000)
    assert (line.excl_cents, line.vat_cents, line.incl_cents) == (4156, 416, 4572)
    # 20 % VAT: 0.5 cent rounds up
    assert billing.line_amounts(1, 2250, 2000).vat_cents == 8  # 37.5 cts HT → 38, VAT 7.6 → 8


def test_totals_are_the_sums_of_rounded_lines():
    lines = [billing.line_amounts(50, 3117, 1000) for _ in range(3)]
    total = billing.totals(lines)
    assert total.excl_cents == 3 * lines[0].excl_cents
    assert total.vat_cents == 3 * lines[0].vat_cents
    assert total.incl_cents == total.excl_cents + total.vat_cents


@pytest.mark.parametrize(
    ("household", "ceiling"),
    [
        (Household(), 1_200_000),
        (Household(dependants=1), 1_350_000),
        (Household(dependants=1, members_over_65=1), 1_500_000),
        (Household(dependants=4), 1_500_000),  # capped at 15,000 €
        (Household(dependants=2, disability=True), 2_000_000),
        (Household(first_year=True), 1_500_000),
        (Household(first_year=True, dependants=3), 1_800_000),  # capped at 18,000 €
    ],
)
def test_yearly_ceiling(household, ceiling):
    assert billing.yearly_ceiling(LAW_2026, household) == ceiling


def test_advance_is_half_of_the_eligible_amount():
    advance = billing.advance_for(16_500, 16_500, 0, 1_200_000, 5000, enrolled=True)
    assert (advance.eligible_cents, advance.advance_cents, advance.amount_due_cents) == (
        16_500,
        8_250,
        8_250,
    )
    assert advance.note == ""
    odd = billing.advance_for(1_001, 1_001, 0, 1_200_000, 5000, enrolled=True)
    assert (odd.advance_cents, odd.amount_due_cents) == (501, 500)


def test_no_advance_without_enrolment():
    advance = billing.advance_for(16_500, 16_500, 0, 1_200_000, 5000, enrolled=False)
    assert (advance.eligible_cents, advance.advance_cents, advance.amount_due_cents) == (
        16_500,
        0,
        16_500,
    )


def test_ceiling_across_a_year_of_invoices():
    """Twelve monthly invoices of 1,100 €: the 12,000 € ceiling is reached in November."""
    used = 0
    results = []
    for _month in range(12):
        advance = billing.advance_for(110_000, 110_000, used, 1_200_000, 5000, enrolled=True)
        used += advance.eligible_cents
        results.append(advance)
    assert [r.advance_cents for r in results[:10]] == [55_000] * 10
    assert results[10].eligible_cents == 100_000  # 12,000 - 11,000 left
    assert results[10].advance_cents == 50_000
    assert results[10].amount_due_cents == 60_000
    assert "avance calculée sur 1000,00" in results[10].note
    assert results[11].advance_cents == 0
    assert results[11].amount_due_cents == 110_000
    assert "Plafond annuel de 12000,00 € de dépenses atteint" in results[11].note
    assert used == 1_200_000


def test_credit_note_amounts_give_the_ceiling_back():
    first = billing.advance_for(1_200_000, 1_200_000, 0, 1_200_000, 5000, enrolled=True)
    # A credit note subtracts its eligible amount from what the year used.
    used = first.eligible_cents - first.eligible_cents
    again = billing.advance_for(50_000, 50_000, used, 1_200_000, 5000, enrolled=True)
    assert again.advance_cents == 25_000


def test_money_texts():
    assert billing.money(12_340) == "123.40"
    assert billing.money(-5) == "-0.05"
    assert billing.money_fr(12_340) == "123,40"
    assert billing.hours_text(90) == "1,50"
    assert billing.hours_text(127) == "2,12"
    assert billing.hours(90) == "1.50" and billing.hours(127) == "2.12"


@given(
    st.one_of(
        st.integers(min_value=-(10**15), max_value=10**15),
        st.integers(min_value=-(10**15) - 10**6, max_value=-(10**15) + 10**6),
        st.integers(min_value=10**15 - 10**6, max_value=10**15 + 10**6),
        st.integers(min_value=-(10**24), max_value=10**24),
    )
)
def test_money_is_the_decimal_amount_rounded_to_the_cent(cents):
    # `money` writes whole cents with integers; the amount it must write is the decimal one.
    exact = (Decimal(cents) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert billing.money(cents) == str(exact)


@pytest.mark.parametrize(
    ("text", "cents"), [("12", 1200), ("12.5", 1250), ("12.50", 1250), ("0.01", 1), ("0", 0)]
)
def test_parse_money(text, cents):
    assert billing.parse_money(text) == cents


@pytest.mark.parametrize(
    "text",
    # The second line: what was read as an amount before there was one format.
    [
        "",
        "abc",
        "1.234",
        "NaN",
        "Infinity",
        "1e3000000000",
        "1000000000",
        "-1",
        "+1",
        "1,5",
        " 1",
        "1 ",
        "١",
        "１",
        "1_000",
        "01",
        ".5",
        "5.",
        "1.5\n",
    ],
)
def test_parse_money_refuses(text):
    with pytest.raises(ValueError, match=r"amount|decimals"):
        billing.parse_money(text)


def test_signed_links_expire_and_cover_their_path():
    from services import tokens

    link = tokens.sign_link("k" * 40, "/documents/invoices/1.pdf", 600, now=1_000_000)
    path, query = link.split("?")
    expires, signature = (part.split("=")[1] for part in query.split("&"))
    assert expires == "1000600"
    assert tokens.check_link("k" * 40, path, expires, signature, now=1_000_600)
    assert not tokens.check_link("k" * 40, path, expires, signature, now=1_000_601)
    assert not tokens.check_link("k" * 40, "/documents/invoices/2.pdf", expires, signature, now=0)
    assert not tokens.check_link("j" * 40, path, expires, signature, now=0)
    assert not tokens.check_link("k" * 40, path, "-1", signature, now=0)
    assert not tokens.check_link("k" * 40, path, expires, signature[:-1], now=0)


@pytest.mark.parametrize(
    "changes",
    [
        {"document_link_seconds": 5},
        {"document_link_seconds": 100_000},
        {"payslip_max_bytes": 10},
    ],
)
def test_billing_settings_are_bounded(changes):
    from services.config import ConfigError, Settings

    with pytest.raises(ConfigError):
        Settings().with_(**changes).validate()


@pytest.mark.parametrize(
    ("paid", "due", "outside", "expected"),
    [
        (8250, 8250, 6600, 1650),  # paid in full: all of the eligible part
        (4125, 8250, 6600, 825),  # half paid: half of it
        (1000, 3000, 0, 1000),  # nothing outside the tax credit
        (6600, 6600, 6600, 0),  # a late cancellation alone
        (1, 3, 1, 1),  # 0.67 rounded half-up
        (500, 0, 100, 500),  # nothing due (fully advanced): unchanged
    ],
)
def test_the_eligible_part_of_a_payment_is_pro_rata(paid, due, outside, expected):
    assert billing.eligible_paid(paid, due, outside) == expected
