"""Billable late cancellations on the monthly invoice: own lines, once, outside the tax credit."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from models.accounts.people import Client, Worker
from models.visits.visits import Intervention
from schema.core.ids import from_global_id
from tests.billing import factories as bh
from tests.billing.factories import (
    CERTIFICATE,
    CERTIFICATE_CSV,
    credit,
    local,
    paris,
    pay,
    pdf_text,
)
from tests.factories import PARIS, Office, set_policy, soon, visit
from tests.households.factories import declare
from tests.requests.factories import ask, decide

LINES = """
query Invoices($year: Int) {
  invoices(year: $year, first: 20) {
    edges { node { id number status totalIncludingTax eligibleAmount immediateAdvance amountDue
                   pdfUrl csvUrl
                   lines { label serviceDate startTime endTime hours plannedDuration hourlyRate
                           vatRate amountExcludingTax amountIncludingTax lateCancellation
                           taxCreditEligible } } }
  }
}
"""


@pytest.fixture
async def team(api, office: Office) -> tuple[Office, bh.Team]:
    """The self-service office, seen also as a billing team (same agency, client, worker)."""
    o = office
    await bh.complete_identity(o.agency_id)
    client = await Client.get(account__email=o.client_email)
    worker = await Worker.get(id=from_global_id(o.worker_id)[1])
    t = bh.Team(
        agency_id=o.agency_id,
        staff_token=o.advisor,
        worker_token=o.worker,
        client_token=o.client,
        client_email=o.client_email,
        client_id=client.id,
        worker_id=worker.id,
        employee_number=worker.employee_number,
    )
    await bh.enrol(api, t)
    return o, t


async def cancel_late(api, o: Office, length_hours: float = 2) -> str:
    """A visit cancelled by the household five hours ahead (notice: 48 h), approved."""
    visit_id = await visit(api, o, soon(5, length_hours))
    made = await ask(api, o, kind="CANCELLATION", interventionId=visit_id)
    assert made["userErrors"] == [] and made["request"]["late"] is True
    assert (await decide(api, o, made["request"]["id"]))["userErrors"] == []
    return visit_id


async def move(visit_id: str, start: datetime) -> None:
    """The API only cancels visits ahead: the cancelled one is moved into a finished month."""
    pk = from_global_id(visit_id)[1]
    row = await Intervention.get(id=pk)
    length = row.scheduled_end - row.scheduled_start
    await Intervention.filter(id=pk).update(scheduled_start=start, scheduled_end=start + length)


async def invoices(api, token: str, year: int = 2026) -> list[Any]:
    return await bh.invoices(api, token, LINES, year)


async def test_a_billable_late_cancellation_is_its_own_line(api, team):
    o, t = team
    # 1 h 50 planned: the agency's quarter-hour rounding makes 1,75 h.
    cancelled = await cancel_late(api, o, length_hours=110 / 60)
    await move(cancelled, paris(2026, 10, 20, 9))
    await bh.visit(t, paris(2026, 10, 6, 9), hours=2, worked=(0, 120))
    assert len((await bh.run(api, t, "2026-10"))["invoices"]) == 1
    [invoice] = await invoices(api, o.client)
    worked, late = invoice["lines"]
    assert worked["lateCancellation"] is False and worked["taxCreditEligible"] is True
    assert late == {
        "label": "Annulation tardive du 20/10/2026 – Ménage régulier",
        "serviceDate": "2026-10-20",
        "startTime": "09:00",
        "endTime": "10:50",
        "hours": "1.75",
        "plannedDuration": True,
        "hourlyRate": "30.00",
        "vatRate": "10.00",
        "amountExcludingTax": "52.50",
        "amountIncludingTax": "57.75",
        "lateCancellation": True,
        "taxCreditEligible": False,
    }
    # Only the visit performed opens the tax credit: 66.00 eligible, half advanced.
    assert invoice["totalIncludingTax"] == "123.75"
    assert invoice["eligibleAmount"] == "66.00"
    assert invoice["immediateAdvance"] == "33.00"
    assert invoice["amountDue"] == "90.75"

    # Words only: the PDF wraps and spaces the label inside its column.
    text = " ".join(pdf_text((await api.http.get(local(invoice["pdfUrl"]))).content).split())
    for mention in (
        "Annulation tardive du 20/10/2026 – Ménage régulier",
        "1,75 (prévu) 30,00 33,00 10,00 % 52,50 57,75",
        "Total TTC (€) 123,75",
        "Montant éligible au crédit d'impôt (€) 66,00",
        "ce montant n'ouvre pas droit au crédit d'impôt",
    ):
        assert mention in text, mention
    body = (await api.http.get(local(invoice["csvUrl"]))).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    [row] = [r for r in rows if len(r) == 11 and r[2].startswith("Annulation tardive")]
    assert (row[0], row[1], row[5], row[6], row[7], row[9], row[10]) == (
        "20/10/2026",
        "09:00-10:50",
        "1,75 (prévu)",
        "30,00",
        "33,00",
        "52,50",
        "57,75",
    )
    totals = {r[0]: r[1] for r in rows if len(r) == 2}
    assert totals["Montant éligible au crédit d'impôt (€)"] == "66,00"
    assert any("Annulation tardive : une intervention annulée" in cell for r in rows for cell in r)


async def test_an_absence_with_the_cancel_policy_is_billed_alone(api, team):
    o, t = team
    await set_policy(api, o, absencePolicy="CANCEL")
    visit_id = await visit(api, o, soon(3))
    pk = from_global_id(visit_id)[1]
    local_day = (await Intervention.get(id=pk)).scheduled_start.astimezone(PARIS).date()
    starts = date.fromisoformat(soon(3)[0][:10])
    made = await declare(api, o.client, min(starts, local_day), local_day + timedelta(days=1))
    assert made["absence"]["visits"] == [{"interventionId": visit_id, "toReschedule": False}]
    await move(visit_id, paris(2026, 10, 31, 23, 30))  # still October in Paris
    [issued] = (await bh.run(api, t, "2026-10"))["invoices"]
    [invoice] = await invoices(api, o.client)
    assert invoice["id"] == issued["id"]
    [line] = invoice["lines"]
    assert line["label"].startswith("Annulation tardive du 31/10/2026")
    assert (line["hours"], line["amountIncludingTax"]) == ("2.00", "66.00")
    # Nothing eligible: no advance, the household owes all of it.
    assert (invoice["eligibleAmount"], invoice["immediateAdvance"]) == ("0.00", "0.00")
    assert invoice["amountDue"] == "66.00"


async def test_the_planned_start_in_the_agency_time_zone_picks_the_month(api, team):
    o, t = team
    cancelled = await cancel_late(api, o)
    # 1 November 00:30 in Paris is still 31 October in UTC: November's, not October's.
    await move(cancelled, paris(2026, 11, 1, 0, 30))
    assert (await bh.run(api, t, "2026-10"))["invoices"] == []
    assert await invoices(api, o.client) == []


async def test_a_late_cancellation_not_billable_gives_no_line(api, team):
    o, t = team
    await set_policy(api, o, lateCancellationBillable=False)
    cancelled = await cancel_late(api, o)
    await move(cancelled, paris(2026, 10, 20, 9))
    assert (await bh.run(api, t, "2026-10"))["invoices"] == []
    await bh.visit(t, paris(2026, 10, 6, 9), hours=2, worked=(0, 120))
    await bh.run(api, t, "2026-10")
    [invoice] = await invoices(api, o.client)
    assert [line["lateCancellation"] for line in invoice["lines"]] == [False]


async def test_re_runs_never_bill_it_twice_and_a_credit_note_frees_it(api, team):
    o, t = team
    cancelled = await cancel_late(api, o)
    await move(cancelled, paris(2026, 10, 20, 9))
    [first] = (await bh.run(api, t, "2026-10"))["invoices"]
    assert (await bh.run(api, t, "2026-10"))["invoices"] == []
    assert len(await invoices(api, o.client)) == 1
    note = await credit(api, o.advisor, first["id"], reason="Annulation acceptée à titre gracieux")
    assert note["userErrors"] == []
    assert note["creditNote"]["totalIncludingTax"] == "-66.00"
    # The credit note carries the line back, still marked as a late cancellation.
    mine = {i["number"]: i for i in await invoices(api, o.client)}
    [back] = mine[note["creditNote"]["number"]]["lines"]
    assert back["lateCancellation"] is True and back["amountIncludingTax"] == "-66.00"
    [again] = (await bh.run(api, t, "2026-10"))["invoices"]
    assert again["id"] != first["id"] and again["totalIncludingTax"] == "66.00"
    assert (await bh.run(api, t, "2026-10"))["invoices"] == []


async def test_the_tax_certificate_ignores_late_cancellations(api, team):
    o, t = team
    cancelled = await cancel_late(api, o)
    await move(cancelled, paris(2025, 12, 16, 9))
    await bh.visit(t, paris(2025, 12, 2, 9), hours=1, worked=(0, 60))
    await bh.run(api, t, "2025-12")
    [invoice] = await invoices(api, o.client)
    # 33.00 performed (16.50 advanced) + 66.00 late cancellation.
    assert invoice["amountDue"] == "82.50"
    assert (await pay(api, o.advisor, invoice["id"], "82.50", day="2025-12-30"))["userErrors"] == []
    cert = (await api.data(CERTIFICATE, {"year": 2025}, token=o.client))["taxCertificate"]
    # Paid 82.50, of which 66.00 for the late cancellation: 16.50 open the tax credit.
    assert cert["amountPaid"] == "16.50"
    link = (await api.data(CERTIFICATE_CSV, {"year": 2025}, token=o.client))["taxCertificate"]
    body = (await api.http.get(local(link["csvUrl"]))).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    worked = [r for r in rows if len(r) == 4 and r[1] == "2025-12"]
    assert [r[2:] for r in worked] == [["02/12", "1,00"]]
    assert not any("16/12" in cell for row in rows for cell in row)
    totals = {r[0]: r[1] for r in rows if len(r) == 2}
    # The advance is still to be sent: none received; the late cancellation is not eligible.
    assert totals["Avance immédiate reçue, versée par l'URSSAF (€)"] == "0,00"
    assert totals["Total des dépenses éligibles de l'année (€)"] == "33,00"


async def test_in_mandataire_mode_the_line_is_the_management_fee(api, team):
    o, t = team
    await bh.enrol(api, t, serviceMode="MANDATAIRE")
    cancelled = await cancel_late(api, o)
    await move(cancelled, paris(2026, 10, 20, 9))
    await bh.run(api, t, "2026-10")
    [invoice] = await invoices(api, o.client)
    [line] = invoice["lines"]
    assert line["label"] == (
        "Frais de gestion (mandataire) – Annulation tardive du 20/10/2026 – Ménage régulier"
    )
    assert (line["hours"], line["hourlyRate"], line["amountExcludingTax"]) == (
        "2.00",
        "2.50",
        "5.00",
    )
    assert line["lateCancellation"] is True and invoice["eligibleAmount"] == "0.00"
