"""Mandataire households: hours per worker and month, payslips uploaded by staff."""

from __future__ import annotations

import base64
from typing import Any

from schema.core.ids import to_global_id
from services.documents import Document, to_pdf
from tests.billing import factories as bh
from tests.billing.factories import paris
from tests.factories import codes

HOURS = """
query H($year: Int!, $clientId: ID) {
  employerHours(year: $year, clientId: $clientId) {
    workerName employeeNumber month visits hours
  }
}
"""

PAYSLIPS = """
query P($year: Int!, $clientId: ID) {
  payslips(year: $year, clientId: $clientId) {
    id year month filename size workerName employeeNumber pdfUrl
  }
}
"""

UPLOAD = """
mutation U($input: UploadPayslipInput!) {
  uploadPayslip(input: $input) {
    payslip { id year month filename size employeeNumber pdfUrl }
    userErrors { field message code }
  }
}
"""

PDF = to_pdf(Document("Bulletin de salaire", "b", ["Agence"], ["Octobre 2026"], [], []))


async def upload(api: Any, mandataire: Any, token: str | None = None, **overrides: Any) -> Any:
    values = {
        "clientId": to_global_id("Client", mandataire.client_id),
        "workerId": to_global_id("Worker", mandataire.worker_id),
        "month": "2026-10",
        "filename": "bulletin-octobre.pdf",
        "contentBase64": base64.b64encode(PDF).decode(),
    }
    values.update(overrides)
    return (await api.data(UPLOAD, {"input": values}, token=token or mandataire.staff_token))[
        "uploadPayslip"
    ]


async def test_hours_per_worker_and_month(api, mandataire):
    await bh.visit(mandataire, paris(2026, 9, 1, 9), worked=(0, 127))
    await bh.visit(mandataire, paris(2026, 10, 6, 9), worked=(0, 60))
    await bh.visit(mandataire, paris(2026, 10, 13, 9), worked=(0, 90))
    rows = (await api.data(HOURS, {"year": 2026}, token=mandataire.client_token))["employerHours"]
    assert [(r["month"], r["visits"], r["hours"]) for r in rows] == [
        ("2026-09", 1, "2.00"),
        ("2026-10", 2, "2.50"),
    ]
    assert rows[0]["employeeNumber"] == mandataire.employee_number
    staff_rows = await api.data(
        HOURS,
        {"year": 2026, "clientId": to_global_id("Client", mandataire.client_id)},
        token=mandataire.staff_token,
    )
    assert staff_rows["employerHours"] == rows


async def test_payslips_are_uploaded_by_staff_and_downloaded_by_the_household(api, mandataire):
    payload = await upload(api, mandataire)
    assert payload["userErrors"] == []
    assert payload["payslip"]["size"] == len(PDF)
    [listed] = (await api.data(PAYSLIPS, {"year": 2026}, token=mandataire.client_token))["payslips"]
    assert (listed["month"], listed["filename"]) == (10, "bulletin-octobre.pdf")
    response = await api.http.get(listed["pdfUrl"].removeprefix("http://passage.test"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content == PDF
    assert "fiche-de-paie-2026-10-" in response.headers["content-disposition"]
    # A corrected payslip replaces the month's.
    again = await upload(api, mandataire, filename="bulletin-octobre-corrige.pdf")
    assert again["payslip"]["id"] == listed["id"]
    [replaced] = (await api.data(PAYSLIPS, {"year": 2026}, token=mandataire.client_token))[
        "payslips"
    ]
    assert replaced["filename"] == "bulletin-octobre-corrige.pdf"


async def test_payslips_are_checked(api, settings, mandataire):
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 100).decode()
    big = base64.b64encode(b"%PDF-1.4\n" + b"0" * 150_001 + b"%%EOF").decode()
    cases = [
        ({"contentBase64": png}, "NOT_A_PDF"),
        ({"contentBase64": "pas du base64 !"}, "INVALID_BASE64"),
        ({"contentBase64": big}, "TOO_LARGE"),
        ({"filename": "bulletin.exe"}, "BAD_NAME"),
        ({"filename": '../../x".pdf'}, "BAD_NAME"),
        ({"month": "2026-13"}, "INVALID_MONTH"),
        ({"month": "2099-01"}, "INVALID_MONTH"),
    ]
    for overrides, code in cases:
        assert codes(await upload(api, mandataire, **overrides)) == [code], overrides
    other = await bh.team(api, settings)
    assert codes(await upload(api, mandataire, token=other.staff_token)) == ["NOT_FOUND"]
    prestataire = await bh.team(api, settings)
    assert codes(await upload(api, prestataire)) == ["NOT_MANDATAIRE"]


async def test_strangers_see_no_payslip_or_hours(api, settings, mandataire):
    await upload(api, mandataire)
    other = await bh.team(api, settings)
    mine = to_global_id("Client", mandataire.client_id)
    assert (await api.data(PAYSLIPS, {"year": 2026}, token=other.client_token))["payslips"] == []
    for token in (other.client_token, other.staff_token):
        for query in (PAYSLIPS, HOURS):
            code = await api.error_code(query, {"year": 2026, "clientId": mine}, token)
            assert code == "BAD_USER_INPUT"
    for query in (PAYSLIPS, HOURS):
        assert await api.error_code(query, {"year": 2026}, mandataire.worker_token) == "FORBIDDEN"
        assert await api.error_code(query, {"year": 2026}) == "UNAUTHENTICATED"
    for token in (mandataire.client_token, mandataire.worker_token):
        values = {
            "clientId": mine,
            "workerId": to_global_id("Worker", mandataire.worker_id),
            "month": "2026-10",
            "filename": "b.pdf",
            "contentBase64": "",
        }
        assert await api.error_code(UPLOAD, {"input": values}, token) == "FORBIDDEN"
