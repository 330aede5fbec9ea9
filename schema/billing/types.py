"""Billing types: invoices and their lines, payments, certificates, household facts."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from models.billing.invoices import Invoice as InvoiceModel
from models.billing.invoices import InvoiceLine as LineModel
from models.enums import AdvanceStatus as AdvanceStatusEnum
from models.enums import InvoiceKind as InvoiceKindEnum
from models.enums import InvoiceStatus as InvoiceStatusEnum
from models.enums import PaymentMethod as PaymentMethodEnum
from models.enums import ServiceMode as ServiceModeEnum
from resolvers.billing import documents, invoices
from schema.core.common import Node
from schema.core.context import Info
from schema.engine.row_fields import Column, Fetched, column, columns, global_id
from schema.engine.rows import RowType
from services.billing import hours, money

InvoiceKind = strawberry.enum(InvoiceKindEnum, name="InvoiceKind")
InvoiceStatus = strawberry.enum(InvoiceStatusEnum, name="InvoiceStatus")
AdvanceStatus = strawberry.enum(
    AdvanceStatusEnum, name="AdvanceStatus", description="Immediate advance in the URSSAF exchange."
)
PaymentMethod = strawberry.enum(PaymentMethodEnum, name="PaymentMethod")
ServiceMode = strawberry.enum(ServiceModeEnum, name="ServiceMode")
MONEY = 'Euros as a decimal string with two decimals, e.g. "123.40".'


@strawberry.type
class InvoiceLine:
    label: str
    service_date: date
    start_time: str
    end_time: str
    place: str
    worker_name: str
    employee_number: str
    hours: str = strawberry.field(description='Hours with a decimal point, e.g. "1.50".')
    planned_duration: bool = strawberry.field(
        description="The planned duration was invoiced (staff correction)."
    )
    hourly_rate: str = strawberry.field(description=MONEY)
    vat_rate: str = strawberry.field(description='Percent, e.g. "10.00".')
    amount_excluding_tax: str
    amount_including_tax: str
    late_cancellation: bool = strawberry.field(
        description="A charge for a visit cancelled inside the notice period (not performed)."
    )
    tax_credit_eligible: bool = strawberry.field(
        description="Counts in the eligible amount of the immediate advance and the certificate."
    )

    @classmethod
    def from_model(cls, line: LineModel) -> InvoiceLine:
        return INVOICE_LINE_ROWS.from_model(line)


def _money(column_name: str) -> Column:
    return column(column_name, money)


# A line as its row holds it: objects for graphql-core, JSON for planned queries.
INVOICE_LINE_ROWS = RowType(
    InvoiceLine,
    {
        "label": column("label"),
        "service_date": column("service_date"),
        "start_time": column("start_time"),
        "end_time": column("end_time"),
        "place": column("place"),
        "worker_name": column("worker_name"),
        "employee_number": column("employee_number"),
        "hours": column("minutes", hours),
        "planned_duration": column("planned_duration"),
        "hourly_rate": _money("hourly_rate_cents"),
        "vat_rate": _money("vat_rate_bp"),
        "amount_excluding_tax": _money("excl_cents"),
        "amount_including_tax": _money("incl_cents"),
        "late_cancellation": column("late_cancellation"),
        "tax_credit_eligible": column("tax_credit_eligible"),
    },
)


async def lines_of_invoices(
    context: Any, columns: tuple[str, ...], invoice_ids: list[int]
) -> dict[int, list[dict[str, Any]]]:
    """Each invoice's lines, for `Invoice.lines` in planned queries (the invoices were
    found visible by the root that read them, as for the resolver)."""
    return await invoices.line_rows_by_invoice(invoice_ids, columns)


@strawberry.type(description="An invoice or a credit note. Issued invoices never change.")
class Invoice(Node):
    number: str
    kind: InvoiceKind  # type: ignore[valid-type]
    status: InvoiceStatus  # type: ignore[valid-type]
    service_mode: ServiceMode  # type: ignore[valid-type]
    issued_on: date
    due_on: date
    period_start: date
    period_end: date
    total_excluding_tax: str = strawberry.field(description=MONEY)
    vat_amount: str = strawberry.field(description=MONEY)
    total_including_tax: str = strawberry.field(description=MONEY)
    eligible_amount: str = strawberry.field(description="Counted for the tax credit. " + MONEY)
    immediate_advance: str = strawberry.field(description="Paid by URSSAF. " + MONEY)
    amount_due: str = strawberry.field(description="Paid by the household. " + MONEY)
    amount_paid: str = strawberry.field(description=MONEY)
    advance_status: AdvanceStatus | None  # type: ignore[valid-type]
    advance_note: str = strawberry.field(description="Why the advance is lower, if it is.")
    credited_invoice_id: strawberry.ID | None
    credit_reason: str
    pdf_url: str = strawberry.field(description="Signed link, valid a few minutes.")
    csv_url: str = strawberry.field(description="Signed link, valid a few minutes (CSV `;`).")
    pk: strawberry.Private[int]

    @strawberry.field
    async def lines(self, info: Info) -> list[InvoiceLine]:
        rows = await info.context.loaders.invoice_lines_by_invoice.load(self.pk)
        return [InvoiceLine.from_model(line) for line in rows]

    @classmethod
    def build(cls, info: Info, invoice: InvoiceModel) -> Invoice:
        pdf, csv = documents.invoice_links(info.context.runtime.settings, invoice.id)
        given = {"pdf_url": pdf, "csv_url": csv}
        return INVOICE_ROWS.from_model(invoice, given)


def _shown_status(status: Any, kind: Any, due_on: date) -> Any:
    return invoices.status_shown(status, kind, due_on, invoices.today_for())


# An invoice as its row holds it; its signed links are the request's (`given`), so a
# selection with them is answered by graphql-core.
INVOICE_ROWS = RowType(
    Invoice,
    {
        "id": global_id("id", "Invoice"),
        "pk": column("id"),
        "number": column("number"),
        "kind": column("kind"),
        "status": columns("status", "kind", "due_on", read=_shown_status),
        "service_mode": column("service_mode"),
        "issued_on": column("issued_on"),
        "due_on": column("due_on"),
        "period_start": column("period_start"),
        "period_end": column("period_end"),
        "total_excluding_tax": _money("total_excl_cents"),
        "vat_amount": _money("vat_cents"),
        "total_including_tax": _money("total_incl_cents"),
        "eligible_amount": _money("eligible_cents"),
        "immediate_advance": _money("advance_cents"),
        "amount_due": _money("amount_due_cents"),
        "amount_paid": _money("paid_cents"),
        "advance_status": column("advance_status"),
        "advance_note": column("advance_note"),
        "credited_invoice_id": global_id("credited_invoice_id", "Invoice"),
        "credit_reason": column("credit_reason"),
    },
    fetched={"lines": Fetched(INVOICE_LINE_ROWS, key="id", fetch=lines_of_invoices, many=True)},
    given=("pdf_url", "csv_url"),
)


@strawberry.type(
    description="A household's yearly tax certificate (attestation fiscale); which box of "
    "the tax return each figure goes to is in docs/tax-certificate.md."
)
class TaxCertificate:
    year: int
    amount_paid: str = strawberry.field(
        description="Paid by the household itself, net of the advance and of aid. " + MONEY
    )
    eligible_expenses: str = strawberry.field(
        description="Expenses of the year's services that open the tax credit. " + MONEY
    )
    advance_received: str = strawberry.field(
        description="Immediate advance URSSAF actually paid (PAID only). " + MONEY
    )
    aid: str = strawberry.field(description="APA and PCH, deducted. " + MONEY)
    prepaid_cesu: str = strawberry.field(description="Prepaid CESU, deducted. " + MONEY)
    declarable_amount: str = strawberry.field(
        description="Sums actually paid that open the tax credit: the household's own "
        "payments and the advance received. " + MONEY
    )
    ceiling: str = strawberry.field(
        description="The household's yearly ceiling (0.00 for a year older than the law "
        "table). " + MONEY
    )
    issued_on: date = strawberry.field(description="Issue date (today's while not published).")
    version: int = strawberry.field(description="0 until published; above 1 when corrected.")
    published: bool
    pdf_url: str
    csv_url: str


@strawberry.type
class PaymentStatement:
    year: int
    pdf_url: str
    csv_url: str


# Its fields read from a row the planned `paymentStatement` writes (schema/billing/
# operations.py `_payment_statement_row`): no statement, the links signed in the request.
PAYMENT_STATEMENT_ROWS = RowType(
    PaymentStatement,
    {"year": column("year"), "pdf_url": column("pdf_url"), "csv_url": column("csv_url")},
)


@strawberry.type
class Payment:
    id: strawberry.ID
    method: PaymentMethod  # type: ignore[valid-type]
    amount: str
    received_on: date
    reference: str
