"""Billing types: invoices and their lines, payments, certificates, household facts."""

from __future__ import annotations

from datetime import date

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
from schema.core.ids import to_global_id
from services.billing import hours_text, money

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
        return cls(
            label=line.label,
            service_date=line.service_date,
            start_time=line.start_time,
            end_time=line.end_time,
            place=line.place,
            worker_name=line.worker_name,
            employee_number=line.employee_number,
            hours=hours_text(line.minutes).replace(",", "."),
            planned_duration=line.planned_duration,
            hourly_rate=money(line.hourly_rate_cents),
            vat_rate=money(line.vat_rate_bp),
            amount_excluding_tax=money(line.excl_cents),
            amount_including_tax=money(line.incl_cents),
            late_cancellation=line.late_cancellation,
            tax_credit_eligible=line.tax_credit_eligible,
        )


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
        return cls(
            id=strawberry.ID(to_global_id("Invoice", invoice.id)),
            pk=invoice.id,
            number=invoice.number,
            kind=invoice.kind,
            status=invoices.shown_status(invoice, invoices.today_for()),
            service_mode=invoice.service_mode,
            issued_on=invoice.issued_on,
            due_on=invoice.due_on,
            period_start=invoice.period_start,
            period_end=invoice.period_end,
            total_excluding_tax=money(invoice.total_excl_cents),
            vat_amount=money(invoice.vat_cents),
            total_including_tax=money(invoice.total_incl_cents),
            eligible_amount=money(invoice.eligible_cents),
            immediate_advance=money(invoice.advance_cents),
            amount_due=money(invoice.amount_due_cents),
            amount_paid=money(invoice.paid_cents),
            advance_status=invoice.advance_status,
            advance_note=invoice.advance_note,
            credited_invoice_id=strawberry.ID(to_global_id("Invoice", invoice.credited_invoice_id))
            if invoice.credited_invoice_id
            else None,
            credit_reason=invoice.credit_reason,
            pdf_url=pdf,
            csv_url=csv,
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


@strawberry.type
class Payment:
    id: strawberry.ID
    method: PaymentMethod  # type: ignore[valid-type]
    amount: str
    received_on: date
    reference: str
