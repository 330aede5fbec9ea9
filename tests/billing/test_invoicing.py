"""The monthly invoicing run through the API: lines, rounding, advance, re-runs, strangers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from models.enums import InterventionStatus, Role
from schema.core.ids import to_global_id
from tests import factories
from tests.billing import factories as bh
from tests.billing.factories import INVOICE_DETAILS, INVOICES, RUN, paris
from tests.factories import codes
from tests.mailbox import body_of


async def test_a_month_of_visits_becomes_one_invoice(api, mailbox, t):
    await bh.enrol(api, t)
    # 127 min worked → 2 h (quarter hours, nearest); a corrected visit bills its planned 3 h.
    await bh.visit(t, paris(2026, 10, 6, 9), hours=2, worked=(3, 127))
    await bh.visit(t, paris(2026, 10, 13, 14), hours=3, worked=(0, 60), bill_planned_duration=True)
    await bh.visit(t, paris(2026, 10, 20, 9), status=InterventionStatus.CANCELLED)
    await bh.visit(t, paris(2026, 11, 3, 9), worked=(0, 120))  # next month
    payload = await bh.run(api, t, "2026-10")
    assert payload["userErrors"] == []
    assert len(payload["invoices"]) == 1

    [invoice] = await bh.invoices(api, t.client_token)
    assert invoice["number"] == "F2026-000001"
    assert (invoice["periodStart"], invoice["periodEnd"]) == ("2026-10-01", "2026-10-31")
    assert invoice["totalExcludingTax"] == "150.00"  # 5 h x 30 €
    assert invoice["totalIncludingTax"] == "165.00"  # VAT 10 %
    assert invoice["immediateAdvance"] == "82.50"
    assert invoice["amountDue"] == "82.50"
    assert invoice["status"] == "ISSUED"
    assert invoice["pdfUrl"].startswith("http://passage.test/documents/invoices/")
    assert "signature=" in invoice["csvUrl"]

    [detail] = await bh.invoices(api, t.client_token, INVOICE_DETAILS)
    assert detail["kind"] == "INVOICE"
    assert detail["serviceMode"] == "PRESTATAIRE"
    assert detail["advanceStatus"] == "TO_SEND"
    assert detail["vatAmount"] == "15.00"
    first, second = detail["lines"]
    assert (first["serviceDate"], first["startTime"], first["endTime"]) == (
        "2026-10-06",
        "09:03",
        "11:10",
    )
    assert (first["hours"], first["plannedDuration"]) == ("2.00", False)
    assert first["employeeNumber"] == t.employee_number
    assert first["workerName"] == "Claire Martin"
    assert first["place"].endswith("Sèvres")
    assert (first["hourlyRate"], first["vatRate"]) == ("30.00", "10.00")
    assert (first["amountExcludingTax"], first["amountIncludingTax"]) == ("60.00", "66.00")
    assert (second["hours"], second["plannedDuration"]) == ("3.00", True)
    assert (second["startTime"], second["endTime"]) == ("14:00", "17:00")

    message = await mailbox.wait_for(t.client_email, "Votre facture F2026-000001")
    body = body_of(message)
    assert "pour octobre 2026" in body
    assert "Reste à payer : 82,50 €" in body

    # Re-running never invoices a visit twice.
    again = await bh.run(api, t, "2026-10")
    assert again == {"invoices": [], "userErrors": []}
    assert len(await bh.invoices(api, t.client_token)) == 1
    staff_view = await bh.invoices(api, t.staff_token)
    assert [i["number"] for i in staff_view] == ["F2026-000001"]


async def test_a_client_not_enrolled_pays_everything(api, t):
    await bh.visit(t, paris(2026, 9, 8, 9), hours=1, worked=(0, 52))  # 52 min → 0 h 45
    await bh.run(api, t, "2026-09")
    [invoice] = await bh.invoices(api, t.client_token)
    assert invoice["totalExcludingTax"] == "22.50"
    assert invoice["totalIncludingTax"] == "24.75"
    assert invoice["immediateAdvance"] == "0.00"
    assert invoice["amountDue"] == "24.75"


async def test_numbers_follow_each_other_per_agency(api, settings, t):
    other = await bh.team(api, settings)
    await bh.visit(t, paris(2026, 8, 3, 9), worked=(0, 120))
    await bh.visit(t, paris(2026, 9, 3, 9), worked=(0, 120))
    await bh.visit(other, paris(2026, 9, 3, 9), worked=(0, 120))
    await bh.run(api, t, "2026-08")
    await bh.run(api, t, "2026-09")
    await bh.run(api, other, "2026-09")
    mine = await bh.invoices(api, t.staff_token)
    theirs = await bh.invoices(api, other.staff_token)
    assert [i["number"] for i in mine] == ["F2026-000002", "F2026-000001"]
    assert [i["number"] for i in theirs] == ["F2026-000001"]


async def test_the_run_refuses_bad_and_unfinished_months(api, t):
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    this_month = f"{today:%Y-%m}"
    next_month = f"{today.replace(day=28) + timedelta(days=4):%Y-%m}"
    for month in ("2026-13", "octobre", "", "1999-12", this_month, next_month):
        payload = await bh.run(api, t, month)
        assert codes(payload) == ["INVALID_MONTH"], month


async def test_only_staff_run_invoicing(api, t):
    for token in (t.client_token, t.worker_token):
        assert await api.error_code(RUN, {"month": "2026-10"}, token) == "FORBIDDEN"
    assert await api.error_code(RUN, {"month": "2026-10"}) == "UNAUTHENTICATED"


async def test_strangers_see_no_invoice(api, settings, t):
    await bh.visit(t, paris(2026, 7, 6, 9), worked=(0, 120))
    await bh.run(api, t, "2026-07")
    other = await bh.team(api, settings)
    assert await bh.invoices(api, other.client_token) == []
    assert await bh.invoices(api, other.staff_token) == []
    assert await api.error_code(INVOICES, {"year": 2026}, t.worker_token) == "FORBIDDEN"
    assert await api.error_code(INVOICES, {"year": 2026}) == "UNAUTHENTICATED"
    assert await api.error_code(INVOICES, {"year": 99999}, t.client_token) == "BAD_USER_INPUT"
    assert len(await bh.invoices(api, t.client_token, year=None)) == 1
    assert await bh.invoices(api, t.client_token, year=2025) == []


async def test_billing_profile_is_checked(api, settings, t):
    payload = await bh.enrol(
        api, t, dependants=21, membersOver65=-1, firstDirectEmploymentYear=1990
    )
    assert sorted(codes(payload)) == ["OUT_OF_RANGE"] * 3
    other = await bh.team(api, settings)
    payload = await bh.enrol(api, t, clientId=to_global_id("Client", other.client_id))
    assert codes(payload) == ["NOT_FOUND"]
    payload = await bh.enrol(api, t, dependants=2, serviceMode="MANDATAIRE")
    assert payload["profile"]["dependants"] == 2
    assert payload["profile"]["serviceMode"] == "MANDATAIRE"
    for token in (t.client_token, t.worker_token):
        result = await api.gql(
            bh.PROFILE, {"input": {"clientId": to_global_id("Client", t.client_id)}}, token
        )
        assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_mandataire_clients_get_management_fees(api, t):
    await bh.enrol(api, t, serviceMode="MANDATAIRE", advanceEnrolled=False)
    await bh.visit(t, paris(2026, 6, 2, 9), hours=4, worked=(0, 240))
    await bh.run(api, t, "2026-06")
    [detail] = await bh.invoices(api, t.client_token, INVOICE_DETAILS)
    assert detail["serviceMode"] == "MANDATAIRE"
    [line] = detail["lines"]
    assert line["label"].startswith("Frais de gestion")
    assert line["hourlyRate"] == "2.50"
    assert detail["totalIncludingTax"] == "11.00"  # 4 h x 2.50 € + 10 %


RULE = """
mutation R($input: SetAgencyBillingRuleInput!) {
  setAgencyBillingRule(input: $input) {
    rule { roundingStepMinutes roundingMode paymentTermsDays mandateFee }
    userErrors { field code }
  }
}
"""


async def set_rule(api: Any, token: str, **overrides: Any) -> Any:
    values = {
        "roundingStepMinutes": 30,
        "roundingMode": "UP",
        "paymentTermsDays": 30,
        "mandateFee": "3.10",
    }
    values.update(overrides)
    return (await api.data(RULE, {"input": values}, token=token))["setAgencyBillingRule"]


async def test_the_agency_rounding_rule_is_used_by_the_run(api, settings, t):
    admin_email = await factories.staff(settings, t.agency_id, Role.ADMIN)
    admin = await factories.log_in(api, admin_email)
    payload = await set_rule(api, admin)
    assert payload == {
        "rule": {
            "roundingStepMinutes": 30,
            "roundingMode": "UP",
            "paymentTermsDays": 30,
            "mandateFee": "3.10",
        },
        "userErrors": [],
    }
    await bh.visit(t, paris(2026, 5, 4, 9), worked=(0, 61))  # 61 min → 1 h 30 (UP, 30 min)
    await bh.run(api, t, "2026-05")
    [detail] = await bh.invoices(api, t.client_token, INVOICE_DETAILS)
    assert detail["lines"][0]["hours"] == "1.50"
    assert detail["totalIncludingTax"] == "49.50"
    bad = await set_rule(
        api,
        admin,
        roundingStepMinutes=7,
        roundingMode="BANKERS",
        paymentTermsDays=61,
        mandateFee="abc",
    )
    assert sorted(codes(bad)) == ["INVALID", "INVALID", "INVALID_AMOUNT", "OUT_OF_RANGE"]
    for token in (t.staff_token, t.client_token, t.worker_token):  # the advisor too
        result = await api.gql(
            RULE,
            {
                "input": {
                    "roundingStepMinutes": 15,
                    "roundingMode": "UP",
                    "paymentTermsDays": 1,
                    "mandateFee": "1",
                }
            },
            token,
        )
        assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"


ONE = "query One($id: ID!) { invoice(id: $id) { id number amountDue } }"
BY_CLIENT = """
query ByClient($c: ID) { invoices(clientId: $c, first: 10) { edges { node { number } } } }
"""


async def test_one_invoice_and_one_clients_invoices(api, settings, t):
    await bh.visit(t, paris(2026, 2, 2, 9), worked=(0, 120))
    await bh.run(api, t, "2026-02")
    [invoice] = await bh.invoices(api, t.client_token)
    for token in (t.client_token, t.staff_token):
        found = (await api.data(ONE, {"id": invoice["id"]}, token=token))["invoice"]
        assert found == {"id": invoice["id"], "number": "F2026-000001", "amountDue": "66.00"}
    other = await bh.team(api, settings)
    for token in (other.client_token, other.staff_token, t.worker_token):
        assert (await api.data(ONE, {"id": invoice["id"]}, token=token))["invoice"] is None
    assert await api.error_code(ONE, {"id": invoice["id"]}) == "UNAUTHENTICATED"
    assert await api.error_code(ONE, {"id": "nope"}, t.client_token) == "BAD_USER_INPUT"
    mine = to_global_id("Client", t.client_id)
    theirs = to_global_id("Client", other.client_id)
    staff_rows = (await api.data(BY_CLIENT, {"c": mine}, token=t.staff_token))["invoices"]
    assert [e["node"]["number"] for e in staff_rows["edges"]] == ["F2026-000001"]
    for token, client in ((t.staff_token, theirs), (t.client_token, theirs)):
        rows = (await api.data(BY_CLIENT, {"c": client}, token=token))["invoices"]
        assert rows["edges"] == []


PAGE = """
query Page($after: String, $first: Int) {
  invoices(first: $first, after: $after) {
    edges { cursor node { number } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}
"""


async def test_invoices_are_paged_newest_first(api, t):
    for month in (1, 2, 3):
        await bh.visit(t, paris(2026, month, 5, 9), worked=(0, 60))
        await bh.run(api, t, f"2026-{month:02d}")
    first = (await api.data(PAGE, {"first": 2}, token=t.client_token))["invoices"]
    assert [e["node"]["number"] for e in first["edges"]] == ["F2026-000003", "F2026-000002"]
    assert first["pageInfo"]["hasNextPage"] is True
    after = first["pageInfo"]["endCursor"]
    rest = (await api.data(PAGE, {"first": 2, "after": after}, token=t.client_token))["invoices"]
    assert [e["node"]["number"] for e in rest["edges"]] == ["F2026-000001"]
    assert rest["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "endCursor": rest["edges"][0]["cursor"],
    }
    for first_value in (-1, 101):
        code = await api.error_code(PAGE, {"first": first_value}, t.client_token)
        assert code == "BAD_USER_INPUT"
