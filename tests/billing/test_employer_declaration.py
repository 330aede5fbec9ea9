"""Mandataire households: the month's CESU declaration data (hours and net pay per worker),
downloadable as a CSV by the household and its agency's staff."""

from __future__ import annotations

import csv
import io

import pytest

from models.accounts.people import Account, Worker
from schema.core.ids import to_global_id
from services.spreadsheet import safe_cell
from tests.billing import factories as bh
from tests.billing.factories import paris

DECLARATION = """
query D($month: String!, $wage: String!, $clientId: ID) {
  employerDeclaration(month: $month, netHourlyWage: $wage, clientId: $clientId) {
    month filename csv
    lines { lastName firstName employeeNumber hours netHourlyWage netPay visits }
  }
}
"""


async def test_the_month_per_worker_as_the_cesu_asks(api, mandataire):
    await bh.visit(mandataire, paris(2026, 9, 29, 9), worked=(0, 120))  # another month
    await bh.visit(mandataire, paris(2026, 10, 6, 9), worked=(0, 60))
    await bh.visit(mandataire, paris(2026, 10, 13, 9), worked=(0, 90))
    found = await api.data(
        DECLARATION, {"month": "2026-10", "wage": "12.40"}, token=mandataire.client_token
    )
    declaration = found["employerDeclaration"]
    [line] = declaration["lines"]
    assert (line["hours"], line["netHourlyWage"], line["netPay"], line["visits"]) == (
        "2.50",
        "12.40",
        "31.00",
        2,
    )
    assert line["employeeNumber"] == mandataire.employee_number
    rows = list(csv.reader(io.StringIO(declaration["csv"]), delimiter=";"))
    assert rows[0][:3] == ["Période d'emploi", "N° client employeur", "Employeur"]
    assert rows[1][0] == "2026-10" and rows[1][6:9] == ["2,50", "12,40", "31,00"]
    assert declaration["filename"].endswith("-2026-10.csv")
    # Staff of the agency read the same declaration for the household.
    staff = await api.data(
        DECLARATION,
        {
            "month": "2026-10",
            "wage": "12.40",
            "clientId": to_global_id("Client", mandataire.client_id),
        },
        token=mandataire.staff_token,
    )
    assert staff["employerDeclaration"] == declaration


async def test_a_cell_a_spreadsheet_would_run_is_neutralised(api, mandataire):
    worker = await Worker.get(id=mandataire.worker_id)
    await Account.filter(id=worker.account_id).update(last_name='=HYPERLINK("x")')
    await bh.visit(mandataire, paris(2026, 10, 6, 9), worked=(0, 60))
    found = await api.data(
        DECLARATION, {"month": "2026-10", "wage": "12"}, token=mandataire.client_token
    )
    rows = list(csv.reader(io.StringIO(found["employerDeclaration"]["csv"]), delimiter=";"))
    assert rows[1][3] == '\'=HYPERLINK("x")'


# The declaration goes through the same guard as every CSV (services/spreadsheet.py), which
# leaves plain numbers such as "-2" alone: the cases are formulas.
@pytest.mark.parametrize("text", ["=1+1", "+A1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_safe_cell_prefixes_formula_starts(text):
    assert safe_cell(text) == "'" + text
    assert safe_cell("Ménage " + text) == "Ménage " + text


async def test_only_mandataire_households_and_their_agency(api, settings, mandataire):
    other = await bh.team(api, settings)  # prestataire
    variables = {"month": "2026-10", "wage": "12"}
    assert await api.error_code(DECLARATION, variables, token=other.client_token) == (
        "BAD_USER_INPUT"
    )
    theirs = {**variables, "clientId": to_global_id("Client", mandataire.client_id)}
    assert await api.error_code(DECLARATION, theirs, token=other.staff_token) == "BAD_USER_INPUT"
    assert await api.error_code(DECLARATION, theirs, token=mandataire.worker_token) == "FORBIDDEN"
    bad_wage = {"month": "2026-10", "wage": "-3"}
    assert (
        await api.error_code(DECLARATION, bad_wage, token=mandataire.client_token)
        == "BAD_USER_INPUT"
    )
