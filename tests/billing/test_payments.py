"""Credit notes and payments through the API: numbering, statuses, recap e-mail, strangers."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader

from schema.core.ids import to_global_id
from tests.billing import factories as bh
from tests.billing.factories import (
    ADVANCE,
    CREDIT,
    INVOICE_DETAILS,
    PAY,
    STATEMENT,
    advance,
    credit,
    paris,
    pay,
)
from tests.factories import codes
from tests.mailbox import body_of


@pytest.fixture
async def issued(api, settings):
    t = await bh.team(api, settings)
    await bh.enrol(api, t)
    await bh.visit(t, paris(2026, 10, 6, 9), hours=2, worked=(0, 120))
    await bh.run(api, t, "2026-10")
    [invoice] = await bh.invoices(api, t.client_token)
    return t, invoice


async def test_a_credit_note_cancels_an_invoice_and_frees_its_visits(api, issued):
    t, invoice = issued
    payload = await credit(api, t.staff_token, invoice["id"])
    assert payload["userErrors"] == []
    note = payload["creditNote"]
    assert note["number"] == "AV2026-000002"
    assert note["kind"] == "CREDIT_NOTE"
    assert note["creditedInvoiceId"] == invoice["id"]
    assert (note["totalIncludingTax"], note["immediateAdvance"], note["amountDue"]) == (
        "-66.00",
        "-33.00",
        "-33.00",
    )
    listed = {i["number"]: i for i in await bh.invoices(api, t.client_token, INVOICE_DETAILS)}
    assert listed["F2026-000001"]["status"] == "CREDITED"
    assert listed["F2026-000001"]["totalIncludingTax"] == "66.00"  # never changed
    assert listed["AV2026-000002"]["lines"][0]["amountIncludingTax"] == "-66.00"
    again = await credit(api, t.staff_token, invoice["id"])
    assert codes(again) == ["ALREADY_CREDITED"]
    # The visit can be invoiced again, with a new number; the advance is available again.
    rerun = await bh.run(api, t, "2026-10")
    assert [i["number"] for i in rerun["invoices"]] == ["F2026-000003"]
    assert rerun["invoices"][0]["amountDue"] == "33.00"


async def test_credit_notes_are_for_the_agency_staff_only(api, settings, issued):
    t, invoice = issued
    other = await bh.team(api, settings)
    assert codes(await credit(api, other.staff_token, invoice["id"])) == ["NOT_FOUND"]
    assert codes(await credit(api, t.staff_token, invoice["id"], reason=" ")) == ["INVALID"]
    assert codes(await credit(api, t.staff_token, invoice["id"], reason="x" * 501)) == ["INVALID"]
    for token in (t.client_token, t.worker_token, None):
        code = await api.error_code(
            CREDIT, {"input": {"invoiceId": invoice["id"], "reason": "x"}}, token
        )
        assert code in {"FORBIDDEN", "UNAUTHENTICATED"}


async def test_partial_payments_then_paid_with_a_recap_email(api, mailbox, issued):
    t, invoice = issued
    first = await pay(api, t.staff_token, invoice["id"], "20.50", method="CHEQUE")
    assert first["userErrors"] == []
    assert first["payment"]["amount"] == "20.50"
    assert first["invoice"]["status"] == "PARTLY_PAID"
    assert first["invoice"]["amountPaid"] == "20.50"
    message = await mailbox.wait_for(t.client_email, "Paiement reçu")
    assert "20,50 €" in body_of(message)
    assert "Chèque" in body_of(message)
    too_much = await pay(api, t.staff_token, invoice["id"], "12.51")
    assert codes(too_much) == ["MORE_THAN_DUE"]
    rest = await pay(api, t.staff_token, invoice["id"], "12.50", method="CESU")
    assert rest["invoice"]["status"] == "PAID"
    recap = body_of(await mailbox.wait_for(t.client_email, "Paiement reçu", count=2))
    assert "Total du mois : 33,00 €" in recap
    assert codes(await pay(api, t.staff_token, invoice["id"], "1")) == ["MORE_THAN_DUE"]


async def test_the_recap_keeps_to_the_month_of_the_payment(api, mailbox, issued):
    t, invoice = issued
    assert (await pay(api, t.staff_token, invoice["id"], "2"))["userErrors"] == []
    await mailbox.wait_for(t.client_email, "Paiement reçu")
    late = await pay(api, t.staff_token, invoice["id"], "1", day="2025-11-20")
    assert late["userErrors"] == []
    recap = body_of(await mailbox.wait_for(t.client_email, "Paiement reçu", count=2))
    assert "paiements de 11/2025" in recap
    assert "Total du mois : 1,00 €" in recap


async def test_payments_are_checked(api, settings, issued):
    t, invoice = issued
    # One format (services/billing.py AMOUNT_RE): a comma, spaces and other digits refused.
    for amount in ("0", "-5", "abc", "1.234", "1e9", "1,5", " 1", "\u0661", "\uff11"):
        assert codes(await pay(api, t.staff_token, invoice["id"], amount)) == ["INVALID_AMOUNT"]
    assert codes(await pay(api, t.staff_token, invoice["id"], "1", day="2099-01-01")) == [
        "INVALID_DATE"
    ]
    assert codes(await pay(api, t.staff_token, invoice["id"], "1", day="2019-12-31")) == [
        "INVALID_DATE"
    ]
    long_reference = {
        "invoiceId": invoice["id"],
        "method": "CARD",
        "amount": "1",
        "receivedOn": "2026-11-20",
        "reference": "r" * 101,
    }
    result = await api.data(PAY, {"input": long_reference}, token=t.staff_token)
    assert codes(result["recordPayment"]) == ["TOO_LONG"]
    other = await bh.team(api, settings)
    assert codes(await pay(api, other.staff_token, invoice["id"], "1")) == ["NOT_FOUND"]
    for token in (t.client_token, t.worker_token):
        values = {
            "invoiceId": invoice["id"],
            "method": "CARD",
            "amount": "1",
            "receivedOn": "2026-11-20",
        }
        assert await api.error_code(PAY, {"input": values}, token) == "FORBIDDEN"
    note = (await credit(api, t.staff_token, invoice["id"]))["creditNote"]
    assert codes(await pay(api, t.staff_token, note["id"], "1")) == ["NOT_PAYABLE"]
    assert codes(await pay(api, t.staff_token, invoice["id"], "1")) == ["NOT_PAYABLE"]
    bogus = to_global_id("Intervention", 1)
    assert (
        await api.error_code(
            PAY,
            {
                "input": {
                    "invoiceId": bogus,
                    "method": "CARD",
                    "amount": "1",
                    "receivedOn": "2026-11-20",
                }
            },
            t.staff_token,
        )
        == "BAD_USER_INPUT"
    )


async def test_the_yearly_payment_statement(api, issued):
    t, invoice = issued
    await pay(api, t.staff_token, invoice["id"], "33", method="TRANSFER")
    statement = (await api.data(STATEMENT, {"year": 2026}, token=t.client_token))[
        "paymentStatement"
    ]
    path = statement["csvUrl"].removeprefix("http://passage.test")
    response = await api.http.get(path)
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "Virement;F2026-000001;;33,00" in text
    assert "Total payé (€);33,00" in text
    pdf = await api.http.get(statement["pdfUrl"].removeprefix("http://passage.test"))
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == 'attachment; filename="releve-paiements-2026.pdf"'
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    for mention in ("Relevé de paiements 2026", "Hélène Béranger", "Virement", "33,00", "page 1/1"):
        assert mention in text, mention
    assert await api.error_code(STATEMENT, {"year": 2026}, t.staff_token) == "BAD_USER_INPUT"
    assert await api.error_code(STATEMENT, {"year": 2026}, t.worker_token) == "FORBIDDEN"
    assert await api.error_code(STATEMENT, {"year": 2026}) == "UNAUTHENTICATED"
    assert await api.error_code(STATEMENT, {"year": 2031}, t.client_token) == "BAD_USER_INPUT"


FOR_CLIENT = """
query S($year: Int!, $client: ID) {
  paymentStatement(year: $year, clientId: $client) { pdfUrl }
}
"""


async def test_the_payment_statement_of_a_household_named_by_its_id(api, settings, issued):
    t, _ = issued
    mine = to_global_id("Client", t.client_id)
    other = await bh.team(api, settings)
    theirs = to_global_id("Client", other.client_id)

    async def links(token: str, client: str | None) -> Any:
        found = await api.data(FOR_CLIENT, {"year": 2026, "client": client}, token=token)
        return found["paymentStatement"]

    # Staff of the household's agency, and the household itself, named or not.
    for token, client in ((t.staff_token, mine), (t.client_token, mine), (t.client_token, None)):
        found = await links(token, client)
        assert found is not None, (token, client)
        assert f"/statements/{t.client_id}-2026.pdf" in found["pdfUrl"]
    # Another agency's household, and another household, look absent: null.
    assert await links(t.staff_token, theirs) is None
    assert await links(other.staff_token, mine) is None
    assert await links(t.client_token, theirs) is None


async def test_the_advance_status_moves_along_the_urssaf_steps(api, settings, issued):
    t, invoice = issued
    assert codes(await advance(api, t.staff_token, invoice["id"], "PAID")) == ["BAD_TRANSITION"]
    for status in ("SENT", "REFUSED", "TO_SEND", "SENT", "VALIDATED", "PAID"):
        payload = await advance(api, t.staff_token, invoice["id"], status)
        assert payload["invoice"]["advanceStatus"] == status, payload
    assert codes(await advance(api, t.staff_token, invoice["id"], "SENT")) == ["BAD_TRANSITION"]
    other = await bh.team(api, settings)
    assert codes(await advance(api, other.staff_token, invoice["id"], "SENT")) == ["NOT_FOUND"]
    for token in (t.client_token, t.worker_token):
        values = {"invoiceId": invoice["id"], "status": "SENT"}
        assert await api.error_code(ADVANCE, {"input": values}, token) == "FORBIDDEN"


async def test_an_unpaid_invoice_past_its_due_date_is_overdue(api, issued):
    t, invoice = issued
    pk = bh.from_global_id(invoice["id"])[1]
    await bh.Invoice.filter(id=pk).update(due_on=date(2026, 11, 1))
    [shown] = await bh.invoices(api, t.client_token)
    assert shown["status"] == "OVERDUE"
    await pay(api, t.staff_token, invoice["id"], "10")
    [shown] = await bh.invoices(api, t.client_token)
    assert shown["status"] == "OVERDUE"  # partly paid, still late
    await pay(api, t.staff_token, invoice["id"], "23")
    [shown] = await bh.invoices(api, t.client_token)
    assert shown["status"] == "PAID"


async def test_the_credit_note_pdf_names_the_invoice_it_cancels(api, issued):
    t, invoice = issued
    await credit(api, t.staff_token, invoice["id"], reason="Heures à corriger")
    notes = [i for i in await bh.invoices(api, t.client_token) if i["number"].startswith("AV")]
    response = await api.http.get(notes[0]["pdfUrl"].removeprefix("http://passage.test"))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    for mention in (
        "Avoir AV2026-000002",
        "Avoir sur la facture F2026-000001 : Heures à corriger",
        "Déclaration SAP n° SAP812345678",
        "Hélène Béranger",
        "-60,00",
        "-66,00",
        "-33,00",
    ):
        assert mention in text, mention
