"""The URSSAF stand-in on loopback, a Passage process pointed at it, and enrolled households."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from models.billing.invoices import Invoice
from models.billing.urssaf import AdvanceChange, UrssafPaymentRequest
from models.enums import AdvanceStatus, UrssafRequestState
from resolvers.billing.urssaf import sending
from schema.core.ids import from_global_id, to_global_id
from services.config import Settings
from services.urssaf import payloads
from simulation import urssaf_sandbox
from tests.billing import factories as bh
from tests.billing import urssaf_helpers as urssaf_helpers
from tests.billing.factories import paris
from tests.conftest import RunningServer
from tests.factories import eventually, unique

ENROL = """
mutation E($input: EnrolUrssafInput!) {
  enrolUrssaf(input: $input) {
    enrolment { clientId status urssafId birthName iban bic errorCode errorMessage mobile }
    userErrors { field message code }
  }
}
"""
ENROLMENT = """
query Q($clientId: ID) { urssafEnrolment(clientId: $clientId) { status urssafId iban } }
"""
REQUEST = """
query R($id: ID!) {
  urssafPaymentRequest(invoiceId: $id) {
    state urssafId statusCode statusLabel reasonCode reason attempts
    changes { fromStatus toStatus source reason }
  }
}
"""
IBAN = "FR76 3000 6000 0112 3456 7890 189"


def urssaf_settings(settings: Settings, url: str) -> Settings:
    """A process that talks to URSSAF at `url`, with fast loops."""
    return settings.with_(
        urssaf_url=url,
        urssaf_client_id="agence-test",
        urssaf_client_secret="secret-de-test",
        urssaf_timeout_seconds=2.0,
        urssaf_send_seconds=0.1,
        urssaf_poll_seconds=0.1,
        urssaf_retry_base_seconds=0.2,
        urssaf_refresh_seconds=0.2,
    )


def identity(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "civility": "MADAME",
        "birthName": "Béranger",
        "firstNames": "Hélène Marie",
        "birthDate": "1968-04-12",
        "birthCountryCode": "99100",
        "birthCommuneCode": "69123",
        "birthCommuneLabel": "Lyon",
        "streetNumber": "8",
        "streetName": "allée des Cèdres",
        "postalCode": "92310",
        "communeCode": "92072",
        "communeLabel": "Sèvres",
        "email": f"{unique('foyer')}@example.com",
        "mobile": "06 12 34 56 78",
        "iban": IBAN,
        "bic": "BNPAFRPPXXX",
        "accountHolder": "Mme Hélène Béranger",
    }
    values.update(overrides)
    return values


async def enrol(api: Any, token: str, client_id: int | None, **overrides: Any) -> dict[str, Any]:
    values = identity(**overrides)
    if client_id is not None:
        values["clientId"] = to_global_id("Client", client_id)
    return dict((await api.data(ENROL, {"input": values}, token=token))["enrolUrssaf"])


@dataclass
class Household:
    team: bh.Team
    urssaf_id: str


async def enrolled(app: RunningServer, settings: Settings, **overrides: Any) -> Household:
    t = await bh.team(app.api, settings)
    payload = await enrol(app.api, t.staff_token, t.client_id, **overrides)
    assert payload["userErrors"] == [], payload
    return Household(t, payload["enrolment"]["urssafId"])


async def issue(app: RunningServer, h: Household, month: int = 10) -> int:
    """One invoice of two worked hours in `month` of 2026; its primary key."""
    await bh.visit(h.team, paris(2026, month, 6, 9), hours=2, worked=(0, 120))
    result = await bh.run(app.api, h.team, f"2026-{month:02d}")
    assert result["userErrors"] == [], result
    [invoice] = result["invoices"]
    return from_global_id(invoice["id"])[1]


async def advance_of(invoice_id: int) -> AdvanceStatus | None:
    invoice = await Invoice.get(id=invoice_id)
    return AdvanceStatus(invoice.advance_status) if invoice.advance_status else None


async def reaches(invoice_id: int, status: AdvanceStatus, timeout: float = 15) -> None:
    async def check() -> bool:
        return await advance_of(invoice_id) == status

    await eventually(check, timeout)


async def sent(invoice_id: int) -> UrssafPaymentRequest:
    async def check() -> bool:
        row = await UrssafPaymentRequest.get_or_none(invoice_id=invoice_id)
        return row is not None and row.state == UrssafRequestState.SENT

    await eventually(check, 15)
    return await UrssafPaymentRequest.get(invoice_id=invoice_id)


async def payload_of(row: UrssafPaymentRequest) -> dict[str, Any]:
    """The body Passage sends for `row`, as a process that died after sending it did."""
    facts = await sending._facts(row)
    assert facts is not None
    return payloads.payment_request(facts)


async def act(
    sandbox: urssaf_sandbox.RunningSandbox, request_id: str, action: str, **body: str
) -> dict[str, Any]:
    """What the household (or URSSAF's back office) does outside the API."""
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        response = await http.post(f"/sandbox/demandePaiement/{request_id}/{action}", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def later(sandbox: urssaf_sandbox.RunningSandbox, hours: float) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        response = await http.post("/sandbox/clock", json={"hours": hours})
    assert response.status_code == 200


async def steps(invoice_id: int) -> list[tuple[str, str]]:
    rows = await AdvanceChange.filter(invoice_id=invoice_id).order_by("id")
    return [(str(r.to_status), r.source) for r in rows]


A = AdvanceStatus
