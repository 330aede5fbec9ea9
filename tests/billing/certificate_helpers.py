"""Reading a household's tax certificate through the API, its PDF and its CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.billing import factories as bh
from tests.billing.factories import local, pdf_text

CERTIFICATE = """
query C($year: Int!, $c: ID) {
  taxCertificate(year: $year, clientId: $c) {
    eligibleExpenses advanceReceived aid prepaidCesu amountPaid declarableAmount ceiling
    issuedOn version published pdfUrl csvUrl
  }
}
"""
ADVANCE = """
mutation A($input: SetAdvanceStatusInput!) {
  setAdvanceStatus(input: $input) {
    invoice { advanceStatus } correction { id number amountDue } userErrors { code }
  }
}
"""


async def certificate(api: Any, token: str, year: int, client_id: str | None = None) -> Any:
    values = {"year": year, "c": client_id}
    return (await api.data(CERTIFICATE, values, token=token))["taxCertificate"]


async def read(api: Any, cert: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """The PDF's text, and the CSV's two-cell rows (label → value)."""
    text = pdf_text((await api.http.get(local(cert["pdfUrl"]))).content)
    body = (await api.http.get(local(cert["csvUrl"]))).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    return text, {r[0]: r[1] for r in rows if len(r) == 2}


async def move_advance(api: Any, t: bh.Team, invoice_id: str, *statuses: str) -> Any:
    payload = None
    for status in statuses:
        values = {"invoiceId": invoice_id, "status": status}
        payload = (await api.data(ADVANCE, {"input": values}, token=t.staff_token))[
            "setAdvanceStatus"
        ]
        assert payload["userErrors"] == [], (status, payload)
    return payload
