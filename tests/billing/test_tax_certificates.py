"""Yearly tax certificates: amounts net of the advance and aid, hours per worker, publication."""

from __future__ import annotations

import csv
import io

import pytest
from pypdf import PdfReader

from schema.core.ids import to_global_id
from tests.billing import factories as bh
from tests.billing.factories import CERTIFICATE, CERTIFICATE_CSV, PUBLISH, paris, pay
from tests.mailbox import body_of

STAFF_CERTIFICATE = """
query C($year: Int!, $c: ID) { taxCertificate(year: $year, clientId: $c) { amountPaid } }
"""


@pytest.fixture
async def paid_2025(api, settings):
    t = await bh.team(api, settings)
    await bh.enrol(api, t)
    await bh.visit(t, paris(2025, 12, 2, 9), hours=2, worked=(0, 120))
    await bh.visit(t, paris(2025, 12, 9, 9), hours=1, worked=(0, 60))
    await bh.run(api, t, "2025-12")
    [invoice] = await bh.invoices(api, t.client_token)
    assert invoice["amountDue"] == "49.50"  # 99.00 TTC, half advanced
    await pay(api, t.staff_token, invoice["id"], "40.00", method="SEPA_DEBIT", day="2025-12-28")
    await pay(api, t.staff_token, invoice["id"], "9.50", method="CESU", day="2025-12-29")
    return t


async def test_the_certificate_counts_what_the_household_paid(api, paid_2025):
    t = paid_2025
    cert = (await api.data(CERTIFICATE, {"year": 2025}, token=t.client_token))["taxCertificate"]
    assert cert["year"] == 2025
    assert cert["amountPaid"] == "40.00"  # CESU préfinancé deducted, advance never paid by them
    response = await api.http.get(cert["pdfUrl"].removeprefix("http://passage.test"))
    assert response.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    for mention in (
        "Attestation fiscale 2025",
        "Agence Ménage Île-de-France",
        "5 rue de l'Église, 75015 Paris",
        "Déclaration SAP n° SAP812345678 du 14/03/2019",
        "Hélène Béranger",
        "8 allée des Cèdres",
        f"Claire Martin (matricule {t.employee_number})",
        "2025-12",
        "02/12, 09/12",
        "3,00",
        "40,00",
        "CESU préfinancés",
        "9,50",
        "exonérée (article 199",
        "page 1/1",
    ):
        assert mention in text, mention


async def test_the_certificate_waits_for_the_year_to_end(api, settings, paid_2025):
    t = paid_2025
    for year in (2026, 2030, 1999):
        assert await api.error_code(CERTIFICATE, {"year": year}, t.client_token) == "BAD_USER_INPUT"
    assert await api.error_code(CERTIFICATE, {"year": 2025}, t.worker_token) == "FORBIDDEN"
    assert await api.error_code(CERTIFICATE, {"year": 2025}) == "UNAUTHENTICATED"
    # Staff name the household; nobody else's household answers.
    assert await api.error_code(CERTIFICATE, {"year": 2025}, t.staff_token) == "BAD_USER_INPUT"
    mine = to_global_id("Client", t.client_id)
    cert = await api.data(STAFF_CERTIFICATE, {"year": 2025, "c": mine}, token=t.staff_token)
    assert cert["taxCertificate"]["amountPaid"] == "40.00"
    other = await bh.team(api, settings)
    for token in (other.staff_token, other.client_token):
        cert = await api.data(STAFF_CERTIFICATE, {"year": 2025, "c": mine}, token=token)
        assert cert["taxCertificate"] is None


async def test_staff_publish_the_certificates_and_households_are_told(api, mailbox, paid_2025):
    t = paid_2025
    # Certificates of 2025 were due by 31 March 2026: only an explicit late publication.
    refused = await api.data(PUBLISH, {"year": 2025, "late": False}, token=t.staff_token)
    assert refused["publishTaxCertificates"]["userErrors"] == [
        {"field": ["year"], "code": "INVALID_YEAR"}
    ]
    payload = (await api.data(PUBLISH, {"year": 2025}, token=t.staff_token))[
        "publishTaxCertificates"
    ]
    assert payload == {"published": 1, "userErrors": []}
    message = await mailbox.wait_for(t.client_email, "attestation fiscale 2025")
    assert "40,00 €" in body_of(message)
    again = await api.data(PUBLISH, {"year": 2025}, token=t.staff_token)
    assert again["publishTaxCertificates"]["published"] == 0
    refused = await api.data(PUBLISH, {"year": 2026}, token=t.staff_token)
    assert refused["publishTaxCertificates"]["userErrors"] == [
        {"field": ["year"], "code": "INVALID_YEAR"}
    ]
    for token in (t.client_token, t.worker_token):
        assert await api.error_code(PUBLISH, {"year": 2025}, token) == "FORBIDDEN"


async def test_the_certificate_csv(api, paid_2025):
    t = paid_2025
    cert = (await api.data(CERTIFICATE_CSV, {"year": 2025}, token=t.client_token))["taxCertificate"]
    assert cert["published"] is False
    response = await api.http.get(cert["csvUrl"].removeprefix("http://passage.test"))
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        'attachment; filename="attestation-fiscale-2025.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Document", "Attestation fiscale 2025"]
    assert [
        f"Claire Martin (matricule {t.employee_number})",
        "2025-12",
        "02/12, 09/12",
        "3,00",
    ] in rows
    totals = {row[0]: row[1] for row in rows if len(row) == 2}
    assert totals["Montant payé ouvrant droit au crédit d'impôt (€)"] == "40,00"
    assert totals["CESU préfinancés, déduits (€)"] == "9,50"
    # The advance was never sent: the certificate shows none received.
    assert totals["Avance immédiate reçue, versée par l'URSSAF (€)"] == "0,00"
    assert totals["Total des dépenses éligibles de l'année (€)"] == "99,00"
