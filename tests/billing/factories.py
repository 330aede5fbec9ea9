"""A billing team: an agency with its legal details, staff, a worker, a client, past visits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from models.accounts.people import Agency, AgencyPostalPrefix, Client, Worker
from models.billing.invoices import Invoice
from models.enums import InterventionStatus, Role
from models.visits.visits import Intervention, ServiceType
from resolvers.visits.planning import billing_address
from schema.core.ids import from_global_id, to_global_id

__all__ = ["Client", "Invoice", "factories", "from_global_id", "to_global_id"]
import io
from urllib.parse import urlsplit

from pypdf import PdfReader

from tests import factories
from tests.client import WsClient
from tests.factories import HEAD, PARIS, unique

INVOICES = """
query Invoices($year: Int) {
  invoices(year: $year, first: 50) {
    edges { node { id number periodStart periodEnd status
                   totalExcludingTax totalIncludingTax immediateAdvance amountDue
                   pdfUrl csvUrl } }
  }
}
"""

INVOICE_DETAILS = """
query Invoices($year: Int) {
  invoices(year: $year, first: 5) {
    edges { node { id number kind status serviceMode vatAmount eligibleAmount amountPaid
                   advanceStatus advanceNote creditedInvoiceId creditReason
                   totalIncludingTax amountDue
                   lines { label serviceDate startTime endTime place workerName employeeNumber
                           hours plannedDuration hourlyRate vatRate amountExcludingTax
                           amountIncludingTax } } }
  }
}
"""

RUN = """
mutation Run($month: String!) {
  runInvoicing(input: { month: $month }) {
    invoices { id number totalIncludingTax amountDue }
    userErrors { field message code }
  }
}
"""

PROFILE = """
mutation Profile($input: SetClientBillingProfileInput!) {
  setClientBillingProfile(input: $input) {
    profile { clientId serviceMode advanceEnrolled dependants membersOver65 disability
              firstDirectEmploymentYear }
    userErrors { field message code }
  }
}
"""

LEGAL_IDENTITY: dict[str, Any] = {
    "sap_number": "SAP812345678",
    "sap_declared_on": date(2019, 3, 14),
    "siret": "81234567600017",
    "address_line1": "5 rue de l'Église",
    "postal_code": "75015",
    "city": "Paris",
}


async def complete_identity(agency_id: int, **overrides: Any) -> None:
    """What invoicing needs of an agency (legal mentions of D.7233-1)."""
    await Agency.filter(id=agency_id).update(**{**LEGAL_IDENTITY, **overrides})


@dataclass
class Team:
    agency_id: int
    staff_token: str
    worker_token: str
    client_token: str
    client_email: str
    client_id: int
    worker_id: int
    employee_number: str


async def team(api, settings) -> Team:
    agency = await Agency.get(
        id=await factories.agency(settings, name=unique("Agence Ménage Île-de-France "))
    )
    prefix = (await AgencyPostalPrefix.get(agency_id=agency.id)).prefix
    await complete_identity(agency.id)
    advisor = await factories.staff(settings, agency.id, Role.ADVISOR)
    worker_email = await factories.staff(settings, agency.id, Role.WORKER)
    client_email, _ = await factories.client(
        api,
        firstName="Hélène",
        lastName="Béranger",
        billingAddress={
            "line1": "8 allée des Cèdres",
            "postalCode": factories.postal_code(prefix),
            "city": "Sèvres",
        },
    )
    client = await Client.get(account__email=client_email)
    worker = await Worker.get(account__email=worker_email)
    return Team(
        agency_id=agency.id,
        staff_token=await factories.log_in(api, advisor),
        worker_token=await factories.log_in(api, worker_email),
        client_token=await factories.log_in(api, client_email),
        client_email=client_email,
        client_id=client.id,
        worker_id=worker.id,
        employee_number=worker.employee_number,
    )


def paris(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


async def visit(
    t: Team,
    start: datetime,
    hours: float = 2,
    worked: tuple[int, int] | None = None,
    service: str = "REGULAR_CLEANING",
    **fields: Any,
) -> Intervention:
    """A visit written directly (the API only plans ahead); `worked` = (delay, minutes)."""
    client = await Client.get(id=t.client_id)
    end = start + timedelta(hours=hours)
    values: dict[str, Any] = {
        "agency_id": t.agency_id,
        "client": client,
        "address": await billing_address(client),
        "worker_id": t.worker_id,
        "service_type": await ServiceType.get(code=service),
        "scheduled_start": start,
        "scheduled_end": end,
        "status": InterventionStatus.COMPLETED,
    }
    if worked is not None:
        values["checked_in_at"] = start + timedelta(minutes=worked[0])
        values["checked_out_at"] = start + timedelta(minutes=worked[0] + worked[1])
    return await Intervention.create(**{**values, **fields})


async def enrol(api, t: Team, **overrides: Any) -> dict[str, Any]:
    values = {"clientId": to_global_id("Client", t.client_id), "advanceEnrolled": True}
    values.update(overrides)
    result = await api.data(PROFILE, {"input": values}, token=t.staff_token)
    return dict(result["setClientBillingProfile"])


async def run(api, t: Team, month: str) -> dict[str, Any]:
    return dict((await api.data(RUN, {"month": month}, token=t.staff_token))["runInvoicing"])


async def invoices(api, token: str, query: str = INVOICES, year: int | None = 2026) -> list[Any]:
    result = await api.data(query, {"year": year}, token=token)
    return [edge["node"] for edge in result["invoices"]["edges"]]


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)


EVENTS = """
subscription B($since: String) {
  billingEvents(since: $since) { cursor type occurredAt invoiceId }
}
"""


async def subscribe(api: Any, token: str) -> tuple[WsClient, str]:
    head = (await api.data(HEAD, token=token))["interventionEventsCursor"]
    ws = await WsClient.connect(api, token=token)
    await ws.ack()
    return ws, await ws.subscribe(EVENTS, {"since": head})


async def next_event(ws: WsClient, op_id: str) -> dict[str, Any]:
    message = await ws.receive(5.0)
    assert message["type"] == "next" and message["id"] == op_id, message
    assert "errors" not in message["payload"], message
    return dict(message["payload"]["data"]["billingEvents"])


CREDIT = """
mutation Credit($input: IssueCreditNoteInput!) {
  issueCreditNote(input: $input) {
    creditNote { id number kind status totalIncludingTax immediateAdvance amountDue
                 creditedInvoiceId creditReason }
    userErrors { field message code }
  }
}
"""

PAY = """
mutation Pay($input: RecordPaymentInput!) {
  recordPayment(input: $input) {
    payment { id method amount receivedOn reference }
    invoice { id status amountPaid amountDue }
    userErrors { field message code }
  }
}
"""

STATEMENT = "query S($year: Int!) { paymentStatement(year: $year) { year pdfUrl csvUrl } }"


async def credit(
    api: Any, token: str | None, invoice_id: str, reason: str = "Heures erronées"
) -> Any:
    result = await api.data(
        CREDIT, {"input": {"invoiceId": invoice_id, "reason": reason}}, token=token
    )
    return result["issueCreditNote"]


async def pay(
    api: Any,
    token: str | None,
    invoice_id: str,
    amount: str,
    method: str = "CARD",
    day: str = "2026-11-20",
) -> Any:
    values = {"invoiceId": invoice_id, "method": method, "amount": amount, "receivedOn": day}
    return (await api.data(PAY, {"input": values}, token=token))["recordPayment"]


ADVANCE = """
mutation A($input: SetAdvanceStatusInput!) {
  setAdvanceStatus(input: $input) {
    invoice { id advanceStatus }
    userErrors { field code }
  }
}
"""


async def advance(api: Any, token: str, invoice_id: str, status: str) -> Any:
    values = {"invoiceId": invoice_id, "status": status}
    return (await api.data(ADVANCE, {"input": values}, token=token))["setAdvanceStatus"]


CERTIFICATE = "query C($year: Int!) { taxCertificate(year: $year) { year amountPaid pdfUrl } }"

CERTIFICATE_CSV = "query C($year: Int!) { taxCertificate(year: $year) { published csvUrl } }"

PUBLISH = """
mutation P($year: Int!, $late: Boolean! = true) {
  publishTaxCertificates(input: { year: $year, allowLate: $late }) {
    published userErrors { field code }
  }
}
"""
