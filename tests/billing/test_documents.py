"""Invoice PDF and CSV behind signed links: legal mentions, amounts, headers, tampering."""

from __future__ import annotations

import csv
import io

import pytest

from services import tokens
from tests.billing import factories as bh
from tests.billing.factories import INVOICE_DETAILS, local, paris, pdf_text
from tests.factories import SECRET


@pytest.fixture
async def issued(api, settings):
    t = await bh.team(api, settings)
    await bh.enrol(api, t)
    await bh.visit(t, paris(2026, 10, 6, 9), hours=2, worked=(3, 127))
    await bh.visit(t, paris(2026, 10, 13, 14), hours=3, worked=(0, 60), bill_planned_duration=True)
    await bh.run(api, t, "2026-10")
    [invoice] = await bh.invoices(api, t.client_token)
    return t, invoice


async def test_the_invoice_pdf_has_every_legal_mention(api, issued):
    t, invoice = issued
    response = await api.http.get(local(invoice["pdfUrl"]))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="F2026-000001.pdf"'
    text = pdf_text(response.content)
    for mention in (
        "Facture F2026-000001",
        "Agence Ménage Île-de-France",  # agency name, accents rendered
        "5 rue de l'Église, 75015 Paris",
        "Déclaration SAP n° SAP812345678 du 14/03/2019",
        "SIRET 81234567600017",
        "Hélène Béranger",
        "8 allée des Cèdres",
        "Sèvres",
        "Mode prestataire",
        f"matricule {t.employee_number}",
        "06/10/2026",
        "13/10/2026",
        "Période : du 01/10/2026 au 31/10/2026",
        "10,00 %",
        "Total HT (€)",
        "150,00",
        "Total TTC (€)",
        "165,00",
        "Avance immédiate du crédit d'impôt (€)",
        "82,50",
        "Reste à payer (€)",
        "page 1/1",
    ):
        assert mention in text, mention


async def test_the_invoice_csv_is_semicolon_separated_with_decimal_commas(api, issued):
    t, invoice = issued
    response = await api.http.get(local(invoice["csvUrl"]))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="F2026-000001.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Document", "Facture F2026-000001"]
    flat = [cell for row in rows for cell in row]
    assert "Déclaration SAP n° SAP812345678 du 14/03/2019" in flat
    header = rows.index(
        [
            "Date",
            "Horaires",
            "Prestation",
            "Lieu",
            "Intervenant",
            "Heures",
            "Prix HT/h",
            "Prix TTC/h",
            "TVA",
            "Montant HT",
            "Montant TTC",
        ]
    )
    first, second = rows[header + 1], rows[header + 2]
    assert first[0] == "06/10/2026"
    assert first[4] == f"Claire Martin (matricule {t.employee_number})"
    assert (first[5], first[6], first[7]) == ("2,00", "30,00", "33,00")
    assert (first[8], first[9], first[10]) == ("10,00 %", "60,00", "66,00")
    assert second[5] == "3,00 (prévu)"
    totals = {row[0]: row[1] for row in rows if len(row) == 2}
    assert totals["Total HT (€)"] == "150,00"
    assert totals["TVA (€)"] == "15,00"
    assert totals["Total TTC (€)"] == "165,00"
    assert totals["Avance immédiate du crédit d'impôt (€)"] == "82,50"
    assert totals["Reste à payer (€)"] == "82,50"


async def test_tampered_or_expired_links_are_refused(api, issued):
    _, invoice = issued
    url = local(invoice["pdfUrl"])
    path = url.split("?")[0]
    other = path.replace(path.rsplit("/", 1)[1], "999999.pdf")
    signature = url.split("signature=")[1]
    bad = [
        url.replace(signature, "0" * 64),
        f"{other}?{url.split('?')[1]}",  # another invoice with this signature
        url.replace(".pdf?", ".csv?"),
        path,
        url.replace("expires=", "expires=9"),
        tokens.sign_link(SECRET, path, -5),  # expired
        tokens.sign_link("another-secret-of-enough-length-0123456789", path, 600),
    ]
    for attempt in bad:
        response = await api.http.get(attempt)
        assert response.status_code == 403, attempt
        assert "pdf" not in response.headers["content-type"]
    good = tokens.sign_link(SECRET, path, 600)
    assert (await api.http.get(good)).status_code == 200


async def test_links_are_minted_only_for_who_may_see_the_invoice(api, settings, issued):
    t, _ = issued
    other = await bh.team(api, settings)
    for token in (other.client_token, other.staff_token):
        assert await bh.invoices(api, token, INVOICE_DETAILS) == []
    staff_view = await bh.invoices(api, t.staff_token)
    assert (await api.http.get(local(staff_view[0]["pdfUrl"]))).status_code == 200
