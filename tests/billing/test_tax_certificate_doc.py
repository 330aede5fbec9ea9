"""The worked example of docs/tax-certificate.md, played through the API: every figure of
its table is the certificate's, and the tax credit balance it explains adds up."""

from __future__ import annotations

import re
from pathlib import Path

from tests.billing import factories as bh
from tests.billing.certificate_helpers import certificate, move_advance, read
from tests.billing.factories import paris, pay

DOC = Path(__file__).resolve().parents[2] / "docs" / "tax-certificate.md"


def doc_figures() -> tuple[dict[str, int], int]:
    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- figures")[1].split("<!-- /figures -->")[0]
    figures = {}
    for label, amount in re.findall(r"^\| ([^|]+?) \| ([\d  ]+,\d\d) € \|$", table, re.M):
        figures[label] = int(re.sub(r"\D", "", amount))
    [balance] = re.findall(r"<!-- balance: ([\d  ]+,\d\d) € -->", text)
    return figures, int(re.sub(r"\D", "", balance))


def cents(text: str) -> int:
    return int(re.sub(r"\D", "", text)) * (-1 if text.startswith("-") else 1)


async def test_the_worked_example_is_what_passage_computes(api, settings):
    figures, balance = doc_figures()
    assert len(figures) == 9
    t = await bh.team(api, settings)
    await bh.enrol(api, t)
    for day in (7, 21):
        await bh.visit(t, paris(2025, 1, day, 9), hours=2, worked=(0, 120))
    await bh.visit(t, paris(2025, 2, 4, 9), hours=3, worked=(0, 180), service="IRONING")
    for day in range(1, 32):
        await bh.visit(t, paris(2025, 3, day, 7), hours=12, worked=(0, 720))
    for month in ("2025-01", "2025-02", "2025-03"):
        await bh.run(api, t, month)
    january, february, march = sorted(
        await bh.invoices(api, t.client_token, year=None), key=lambda i: i["number"]
    )
    assert [i["totalIncludingTax"] for i in (january, february, march)] == [
        "132.00",
        "99.00",
        "12276.00",
    ]
    assert march["immediateAdvance"] == "5884.50"
    correction = (await move_advance(api, t, january["id"], "SENT", "REFUSED"))["correction"]
    await pay(api, t.staff_token, january["id"], "66.00", day="2025-02-10")
    await pay(api, t.staff_token, correction["id"], "66.00", day="2025-03-10")
    await move_advance(api, t, february["id"], "SENT", "VALIDATED", "PAID")
    await pay(api, t.staff_token, february["id"], "20.00", method="APA", day="2025-03-05")
    await pay(api, t.staff_token, february["id"], "29.50", day="2025-03-12")
    await move_advance(api, t, march["id"], "SENT", "VALIDATED", "PAID")
    await pay(api, t.staff_token, march["id"], "6391.50", day="2025-04-15")
    cert = await certificate(api, t.client_token, 2025)
    _, totals = await read(api, cert)
    for label, amount in figures.items():
        assert cents(totals[f"{label} (€)"]) == amount, label
    declarable = cents(cert["declarableAmount"])
    ceiling = cents(cert["ceiling"])
    credit = min(declarable, ceiling) // 2
    assert credit - cents(cert["advanceReceived"]) == balance
