"""One year of a household, month by month: the certificate adds up to its documents.

Eligible expenses = the year's eligible invoice amounts; the advance shown = the advances
URSSAF PAID; what the household paid = the payments it actually made.
"""

from __future__ import annotations

from typing import Any

from tests.billing import factories as bh
from tests.billing.certificate_helpers import certificate, move_advance, read
from tests.billing.factories import paris, pay

DOCUMENTS = """
query { invoices(first: 50) { edges { node {
  id number kind periodStart advanceStatus immediateAdvance amountDue
  lines { amountIncludingTax taxCreditEligible } } } } }
"""


def cents(text: str) -> int:
    return int(text.replace(".", ""))


def euros(value: int) -> str:
    return f"{value // 100}.{value % 100:02d}"


async def documents(api: Any, t: bh.Team) -> list[dict[str, Any]]:
    result = await api.data(DOCUMENTS, token=t.client_token)
    nodes = [edge["node"] for edge in result["invoices"]["edges"]]
    return sorted(
        (n for n in nodes if n["periodStart"].startswith("2025")), key=lambda n: n["number"]
    )


async def test_a_year_of_invoices_adds_up_on_the_certificate(api, settings):
    t = await bh.team(api, settings)
    await bh.enrol(api, t)
    for month in range(1, 13):
        await bh.visit(t, paris(2025, month, 8, 9), hours=2, worked=(0, 120))
        await bh.visit(t, paris(2025, month, 20, 14), hours=1.5, worked=(4, 95), service="IRONING")
        await bh.run(api, t, f"2025-{month:02d}")
    invoices = await documents(api, t)
    assert len(invoices) == 12
    household_paid = 0
    for month, invoice in enumerate(invoices, 1):
        if month <= 8:
            await move_advance(api, t, invoice["id"], "SENT", "VALIDATED", "PAID")
        elif month == 9:  # refused: the household pays it by the corrective invoice
            correction = (await move_advance(api, t, invoice["id"], "SENT", "REFUSED"))[
                "correction"
            ]
            await pay(
                api, t.staff_token, correction["id"], correction["amountDue"], day="2025-12-01"
            )
            household_paid += cents(correction["amountDue"])
        elif month == 10:  # cancelled, its correction not paid yet
            await move_advance(api, t, invoice["id"], "SENT", "CANCELLED")
        due = cents(invoice["amountDue"])
        if month == 3:  # the département pays 10,00 through APA
            await pay(api, t.staff_token, invoice["id"], "10.00", method="APA", day="2025-04-02")
            due -= 1000
        if month == 12:  # partly paid at the end of the year
            due = 500
        await pay(api, t.staff_token, invoice["id"], euros(due), day="2025-12-20")
        household_paid += due
    every = await documents(api, t)
    assert len(every) == 14  # two corrective invoices
    eligible = sum(
        cents(line["amountIncludingTax"])
        for document in every
        for line in document["lines"]
        if line["taxCreditEligible"]
    )
    advance_paid = sum(cents(d["immediateAdvance"]) for d in every if d["advanceStatus"] == "PAID")
    cert = await certificate(api, t.client_token, 2025)
    assert cents(cert["eligibleExpenses"]) == eligible
    assert (
        cents(cert["advanceReceived"]) == advance_paid == 8 * cents(invoices[0]["immediateAdvance"])
    )
    assert cents(cert["amountPaid"]) == household_paid
    assert cert["aid"] == "10.00"
    assert cents(cert["declarableAmount"]) == household_paid + advance_paid
    _, totals = await read(api, cert)
    assert totals["Total des dépenses éligibles de l'année (€)"] == cert[
        "eligibleExpenses"
    ].replace(".", ",")
    assert totals["Montant payé par vous-même (€)"] == cert["amountPaid"].replace(".", ",")
    assert totals["Avance immédiate reçue, versée par l'URSSAF (€)"] == cert[
        "advanceReceived"
    ].replace(".", ",")
