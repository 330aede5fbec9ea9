"""The advance's money follows its status: refused, cancelled or contested, the household
owes it by a corrective invoice; paid after all, a credit note closes that correction."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from models.billing.invoices import Invoice
from models.enums import AdvanceStatus, InvoiceKind
from resolvers.billing.advance_outcome import apply_advance_status
from tests.billing import factories as bh
from tests.billing.factories import local, next_event, paris, pay, pdf_text, subscribe
from tests.mailbox import body_of

ADVANCE = """
mutation A($input: SetAdvanceStatusInput!) {
  setAdvanceStatus(input: $input) {
    invoice { id advanceStatus status amountDue }
    correction { id number kind status creditedInvoiceId amountDue immediateAdvance
                 totalIncludingTax creditReason pdfUrl csvUrl }
    userErrors { field code }
  }
}
"""


async def advance(api: Any, t: bh.Team, invoice_id: str, status: str, reason: str = "") -> Any:
    values = {"invoiceId": invoice_id, "status": status, "reason": reason}
    return (await api.data(ADVANCE, {"input": values}, token=t.staff_token))["setAdvanceStatus"]


async def issued(api: Any, settings: Any) -> tuple[bh.Team, dict[str, Any]]:
    t = await bh.team(api, settings)
    await bh.enrol(api, t)
    await bh.visit(t, paris(2026, 10, 6, 9), hours=2, worked=(0, 120))
    await bh.run(api, t, "2026-10")
    [invoice] = await bh.invoices(api, t.client_token)
    assert (invoice["totalIncludingTax"], invoice["amountDue"]) == ("66.00", "33.00")
    return t, invoice


async def test_a_refused_advance_is_billed_to_the_household_then_closed_when_paid(
    api, settings, mailbox
):
    t, invoice = await issued(api, settings)
    await pay(api, t.staff_token, invoice["id"], "33.00", day="2026-11-20")
    ws, op = await subscribe(api, t.client_token)
    try:
        await advance(api, t, invoice["id"], "SENT")
        refused = await advance(api, t, invoice["id"], "REFUSED", "Compte bancaire invalide")
        assert refused["userErrors"] == []
        # The invoice itself is untouched: paid for the household's share.
        assert refused["invoice"] == {
            "id": invoice["id"],
            "advanceStatus": "REFUSED",
            "status": "PAID",
            "amountDue": "33.00",
        }
        correction = refused["correction"]
        assert correction["kind"] == "CORRECTION"
        assert correction["number"] == "F2026-000002"
        assert correction["creditedInvoiceId"] == invoice["id"]
        assert (correction["totalIncludingTax"], correction["immediateAdvance"]) == (
            "0.00",
            "-33.00",
        )
        assert correction["amountDue"] == "33.00"
        seen = [await next_event(ws, op) for _ in range(2)]
        assert [(e["type"], e["invoiceId"]) for e in seen] == [
            ("ADVANCE_STATUS_CHANGED", invoice["id"]),
            ("ADVANCE_STATUS_CHANGED", invoice["id"]),
        ]
    finally:
        await ws.close()
    message = await mailbox.wait_for(t.client_email, "Avance immédiate refusée")
    assert "F2026-000002" in body_of(message) and "Compte bancaire invalide" in body_of(message)
    text = pdf_text((await api.http.get(local(correction["pdfUrl"]))).content)
    for mention in (
        "Facture rectificative F2026-000002",
        "Rectifie la facture F2026-000001 : avance immédiate refusée (Compte bancaire invalide)",
        "Déclaration SAP n° SAP812345678 du 14/03/2019",
        "Avance immédiate du crédit d'impôt (€) -33,00",
        "Reste à payer (€) 33,00",
        "n'est pas versée par l'URSSAF",
    ):
        assert mention in text, mention
    original = pdf_text((await api.http.get(local(invoice["pdfUrl"]))).content)
    assert "Voir la facture rectificative F2026-000002" in original
    # Refused again after a new attempt: still one correction, the open one.
    for status in ("TO_SEND", "SENT"):
        assert (await advance(api, t, invoice["id"], status))["correction"] is None
    assert (await advance(api, t, invoice["id"], "REFUSED"))["correction"] is None
    # URSSAF pays in the end: the correction is cancelled by a credit note.
    for status in ("TO_SEND", "SENT", "VALIDATED"):
        await advance(api, t, invoice["id"], status)
    paid = await advance(api, t, invoice["id"], "PAID")
    note = paid["correction"]
    assert (note["kind"], note["creditedInvoiceId"]) == ("CREDIT_NOTE", correction["id"])
    assert (note["amountDue"], note["immediateAdvance"]) == ("-33.00", "33.00")
    stored = await Invoice.get(id=bh.from_global_id(correction["id"])[1])
    assert stored.status == "CREDITED"
    await mailbox.wait_for(t.client_email, "Avance immédiate versée")


async def test_a_contested_advance_is_owed_and_can_be_paid(api, settings):
    t, invoice = await issued(api, settings)
    for status in ("SENT", "VALIDATED"):
        await advance(api, t, invoice["id"], status)
    contested = await advance(api, t, invoice["id"], "CONTESTED", "Heures contestées")
    correction = contested["correction"]
    assert correction["amountDue"] == "33.00"
    assert "avance immédiate contestée (Heures contestées)" in correction["creditReason"]
    payment = await pay(api, t.staff_token, correction["id"], "33.00", day="2026-11-25")
    assert payment["userErrors"] == []
    assert payment["invoice"]["status"] == "PAID"


async def test_the_urssaf_exchange_calls_the_same_function(api, settings):
    """The URSSAF poll passes no actor: the same status, reason, event and correction."""
    _, invoice = await issued(api, settings)
    pk = bh.from_global_id(invoice["id"])[1]
    await apply_advance_status(pk, AdvanceStatus.SENT)
    outcome = await apply_advance_status(pk, AdvanceStatus.CANCELLED, reason="Annulée")
    assert outcome.user_errors == []
    assert outcome.invoice is not None and outcome.invoice.advance_reason == "Annulée"
    assert outcome.correction is not None and outcome.correction.kind == InvoiceKind.CORRECTION
    assert outcome.correction.created_by_id is None
    assert [e.type for e in outcome.events] == ["ADVANCE_STATUS_CHANGED"]
    refused = await apply_advance_status(pk, AdvanceStatus.PAID)
    assert [e.code for e in refused.user_errors] == ["BAD_TRANSITION"]
    assert (await apply_advance_status(pk, AdvanceStatus.SENT, reason="x" * 301)).user_errors


async def test_two_servers_refusing_at_once_issue_one_correction(api, settings, start):
    if not settings.database_url.startswith("postgres"):
        pytest.skip("row locks (SELECT ... FOR UPDATE) are a no-op on SQLite")
    t, invoice = await issued(api, settings)
    await advance(api, t, invoice["id"], "SENT")
    second = await start(settings)
    try:
        values = {"invoiceId": invoice["id"], "status": "REFUSED", "reason": ""}
        results = await asyncio.gather(
            api.data(ADVANCE, {"input": values}, token=t.staff_token),
            second.api.data(ADVANCE, {"input": values}, token=t.staff_token),
        )
    finally:
        await second.stop()
    payloads = [r["setAdvanceStatus"] for r in results]
    assert sorted(len(p["userErrors"]) for p in payloads) == [0, 1]
    pk = bh.from_global_id(invoice["id"])[1]
    assert await Invoice.filter(credited_invoice_id=pk, kind=InvoiceKind.CORRECTION).count() == 1
