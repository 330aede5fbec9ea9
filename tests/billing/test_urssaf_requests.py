"""The immediate advance's life cycle, driven against the URSSAF stand-in over real HTTP:
the payment request goes out with the invoice, the poll follows its status, the household
is told and billingEvents carries every move."""

from __future__ import annotations

from models.billing.urssaf import UrssafPaymentRequest
from models.enums import UrssafRequestState
from schema.core.ids import to_global_id
from tests.billing import factories as bh
from tests.billing import urssaf_helpers
from tests.billing.factories import advance, next_event, subscribe
from tests.billing.urssaf_helpers import (
    REQUEST,
    A,
    act,
    enrolled,
    issue,
    later,
    reaches,
    sent,
    steps,
)
from tests.factories import eventually
from tests.mailbox import body_of


async def recorded(invoice_id: int, code: str) -> UrssafPaymentRequest:
    """The request once the poll wrote URSSAF's `code` down (just after moving the advance)."""
    await eventually(
        lambda: UrssafPaymentRequest.exists(invoice_id=invoice_id, status_code=code), 15
    )
    return await UrssafPaymentRequest.get(invoice_id=invoice_id)


async def test_an_issued_invoice_sends_its_request_and_the_household_validates_it(
    agency_app, settings, sandbox, mailbox
):
    h = await enrolled(agency_app, settings)
    ws, op = await subscribe(agency_app.api, h.team.client_token)
    try:
        invoice_id = await issue(agency_app, h)
        row = await sent(invoice_id)
        request = sandbox.ledger.requests[str(row.urssaf_id)]
        assert request.number == row.invoice_number
        assert request.body["idClient"] == h.urssaf_id
        assert request.body["mntFactureTTC"] == 66.0  # 2 h at 30 € + 10 % VAT
        await reaches(invoice_id, A.AWAITING_VALIDATION)
        message = await mailbox.wait_for(h.team.client_email, "validez la demande")
        assert "Validez la demande dans votre espace URSSAF sous 48 h" in body_of(message)
        await act(sandbox, str(row.urssaf_id), "validate")
        await reaches(invoice_id, A.VALIDATED)
        seen = [await next_event(ws, op) for _ in range(4)]
        invoice = to_global_id("Invoice", invoice_id)
        assert [(e["type"], e["invoiceId"]) for e in seen] == [
            ("INVOICE_ISSUED", invoice),
            ("ADVANCE_STATUS_CHANGED", invoice),
            ("ADVANCE_STATUS_CHANGED", invoice),
            ("ADVANCE_STATUS_CHANGED", invoice),
        ]
    finally:
        await ws.close()
    # URSSAF debits the household, then pays the agency: the advance is paid.
    await later(sandbox, 24 * 4)
    await reaches(invoice_id, A.PAID)
    await recorded(invoice_id, "70")
    assert await steps(invoice_id) == [
        ("SENT", "URSSAF"),
        ("AWAITING_VALIDATION", "URSSAF"),
        ("VALIDATED", "URSSAF"),
        ("PAID", "URSSAF"),
    ]
    final = await UrssafPaymentRequest.get(invoice_id=invoice_id)
    assert final.status_code == "70" and final.next_poll_at is None


async def test_48_hours_of_silence_validate_the_request(agency_app, settings, sandbox):
    h = await enrolled(agency_app, settings)
    invoice_id = await issue(agency_app, h)
    await sent(invoice_id)
    await reaches(invoice_id, A.AWAITING_VALIDATION)
    await later(sandbox, 47)
    await reaches(invoice_id, A.AWAITING_VALIDATION)
    await later(sandbox, 2)
    await reaches(invoice_id, A.VALIDATED)


async def test_a_refusal_reaches_staff_with_its_reason(agency_app, settings, sandbox, mailbox):
    h = await enrolled(agency_app, settings)
    invoice_id = await issue(agency_app, h)
    row = await sent(invoice_id)
    await reaches(invoice_id, A.AWAITING_VALIDATION)
    await act(
        sandbox,
        str(row.urssaf_id),
        "refuse",
        code="REGUL_NB_QTE_FACT",
        commentaire="Une seule heure ce jour-là",
    )
    await reaches(invoice_id, A.REFUSED)
    await recorded(invoice_id, "40")
    view = await agency_app.api.data(
        REQUEST, {"id": to_global_id("Invoice", invoice_id)}, token=h.team.staff_token
    )
    request = view["urssafPaymentRequest"]
    assert (request["statusCode"], request["statusLabel"], request["reasonCode"]) == (
        "40",
        "Refusée",
        "REGUL_NB_QTE_FACT",
    )
    assert "nombre d'heures" in request["reason"] and "Une seule heure" in request["reason"]
    assert request["changes"][-1]["toStatus"] == "REFUSED"
    assert "Une seule heure" in request["changes"][-1]["reason"]
    await mailbox.wait_for(h.team.client_email, "Avance immédiate refusée")
    # The household does not read the agency's view of the request.
    hidden = await agency_app.api.error_code(
        REQUEST, {"id": to_global_id("Invoice", invoice_id)}, token=h.team.client_token
    )
    assert hidden == "FORBIDDEN"


async def test_a_contest_after_validation(agency_app, settings, sandbox):
    h = await enrolled(agency_app, settings)
    invoice_id = await issue(agency_app, h)
    row = await sent(invoice_id)
    await reaches(invoice_id, A.AWAITING_VALIDATION)
    await act(sandbox, str(row.urssaf_id), "validate")
    await reaches(invoice_id, A.VALIDATED)
    await act(sandbox, str(row.urssaf_id), "contest", code="CONTEST_FACT_REGLEE")
    await reaches(invoice_id, A.CONTESTED)
    final = await recorded(invoice_id, "40")
    assert final.reason_code == "CONTEST_FACT_REGLEE" and "déjà été réglée" in final.reason


async def test_a_cancelled_request(agency_app, settings, sandbox):
    h = await enrolled(agency_app, settings)
    invoice_id = await issue(agency_app, h)
    row = await sent(invoice_id)
    await reaches(invoice_id, A.AWAITING_VALIDATION)
    await act(sandbox, str(row.urssaf_id), "cancel", code="ANNUL_ERR_MNT")
    await reaches(invoice_id, A.CANCELLED)
    final = await recorded(invoice_id, "110")
    assert final.reason_code == "ANNUL_ERR_MNT" and final.next_poll_at is None


async def test_a_request_urssaf_refuses_waits_for_staff_with_its_reason(
    agency_app, settings, sandbox
):
    h = await enrolled(agency_app, settings)
    # URSSAF no longer knows the household (its association was broken meanwhile).
    sandbox.ledger.households.pop(h.urssaf_id)
    invoice_id = await issue(agency_app, h)
    await eventually(
        lambda: UrssafPaymentRequest.exists(
            invoice_id=invoice_id, state=UrssafRequestState.REJECTED
        ),
        15,
    )
    row = await UrssafPaymentRequest.get(invoice_id=invoice_id)
    assert row.reason_code == "ERR_PARTICULIER_INCONNU" and "ne reconnaît pas" in row.reason
    assert await urssaf_helpers.advance_of(invoice_id) == A.TO_SEND
    assert sandbox.ledger.requests == {}


async def test_a_household_enrolled_by_hand_only_gets_no_request(agency_app, settings, sandbox):
    t = await bh.team(agency_app.api, settings)
    await bh.enrol(agency_app.api, t)  # the advance computed, but no URSSAF id
    h = urssaf_helpers.Household(t, "")
    invoice_id = await issue(agency_app, h)
    assert await urssaf_helpers.advance_of(invoice_id) == A.TO_SEND
    assert not await UrssafPaymentRequest.exists(invoice_id=invoice_id)


async def test_staff_override_is_audited(agency_app, settings, sandbox):
    h = await enrolled(agency_app, settings)
    invoice_id = await issue(agency_app, h)
    await sent(invoice_id)
    await reaches(invoice_id, A.AWAITING_VALIDATION)
    payload = await advance(
        agency_app.api, h.team.staff_token, to_global_id("Invoice", invoice_id), "CANCELLED"
    )
    assert payload["userErrors"] == [] and payload["invoice"]["advanceStatus"] == "CANCELLED"
    assert (await steps(invoice_id))[-1] == ("CANCELLED", "STAFF")
