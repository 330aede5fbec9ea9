"""Billing: invoices and credit notes, payments, tax certificates, household billing facts."""

from __future__ import annotations

from datetime import date

import strawberry

from models.billing import Invoice as InvoiceModel
from models.billing import InvoiceLine as LineModel
from models.enums import AdvanceStatus as AdvanceStatusEnum
from models.enums import InvoiceKind as InvoiceKindEnum
from models.enums import InvoiceStatus as InvoiceStatusEnum
from models.enums import PaymentMethod as PaymentMethodEnum
from models.enums import ServiceMode as ServiceModeEnum
from resolvers import certificates, documents, guards, invoices, invoicing, payments
from resolvers.errors import BadInput, user_error
from schema.common import Connection, Node, UserErrorType, connection, page_size, user_errors
from schema.context import Info
from schema.ids import after_pk, cursor_for, expect_id, to_global_id
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


@strawberry.type
class TaxCertificate:
    year: int
    amount_paid: str = strawberry.field(
        description="Paid by the household, net of the advance and of aid. " + MONEY
    )
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


@strawberry.type
class RunInvoicingPayload:
    invoices: list[Invoice]
    user_errors: list[UserErrorType]


@strawberry.type
class CreditNotePayload:
    credit_note: Invoice | None
    user_errors: list[UserErrorType]


@strawberry.type
class RecordPaymentPayload:
    payment: Payment | None
    invoice: Invoice | None
    user_errors: list[UserErrorType]


@strawberry.type
class ClientBillingProfile:
    client_id: strawberry.ID
    service_mode: ServiceMode  # type: ignore[valid-type]
    advance_enrolled: bool
    dependants: int
    members_over_65: int
    disability: bool
    first_direct_employment_year: int | None


@strawberry.type
class SetClientBillingProfilePayload:
    profile: ClientBillingProfile | None
    user_errors: list[UserErrorType]


@strawberry.type
class PublishTaxCertificatesPayload:
    published: int
    user_errors: list[UserErrorType]


@strawberry.input
class RunInvoicingInput:
    month: str = strawberry.field(description="A past month, YYYY-MM.")


@strawberry.input
class IssueCreditNoteInput:
    invoice_id: strawberry.ID
    reason: str


@strawberry.input
class RecordPaymentInput:
    invoice_id: strawberry.ID
    method: PaymentMethod  # type: ignore[valid-type]
    amount: str = strawberry.field(description='Euros, e.g. "120.50".')
    received_on: date
    reference: str = ""


@strawberry.input
class SetClientBillingProfileInput:
    client_id: strawberry.ID
    service_mode: ServiceMode = ServiceModeEnum.PRESTATAIRE  # type: ignore[valid-type]
    advance_enrolled: bool = False
    dependants: int = 0
    members_over_65: int = 0
    disability: bool = False
    first_direct_employment_year: int | None = None


@strawberry.input
class PublishTaxCertificatesInput:
    year: int


@strawberry.type
class BillingQueries:
    @strawberry.field(
        description="Invoices and credit notes: a client's own, staff their agency's."
    )
    async def invoices(
        self,
        info: Info,
        year: int | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Invoice]:
        size = page_size(first)
        before = after_pk(after)
        rows = await invoices.page(info.context.viewer, year, size, before)
        return connection(
            [Invoice.build(info, row) for row in rows],
            [cursor_for(row.id) for row in rows],
            size,
            before is not None,
        )

    @strawberry.field(description="The household's tax certificate of a past year (clients).")
    async def tax_certificate(self, info: Info, year: int) -> TaxCertificate | None:
        cert = await certificates.for_viewer(info.context.viewer, year)
        if cert is None:
            return None
        settings = info.context.runtime.settings
        return TaxCertificate(
            year=year,
            amount_paid=money(cert.amount_paid_cents),
            published=cert.published,
            pdf_url=documents.yearly_link(settings, "certificates", cert.client_id, year, "pdf"),
            csv_url=documents.yearly_link(settings, "certificates", cert.client_id, year, "csv"),
        )

    @strawberry.field(description="The household's payments of a year, as PDF and CSV (clients).")
    async def payment_statement(self, info: Info, year: int) -> PaymentStatement | None:
        client = await payments.statement_client(info.context.viewer, year)
        if client is None:
            return None
        settings = info.context.runtime.settings
        return PaymentStatement(
            year=year,
            pdf_url=documents.yearly_link(settings, "statements", client.id, year, "pdf"),
            csv_url=documents.yearly_link(settings, "statements", client.id, year, "csv"),
        )


@strawberry.type
class BillingMutations:
    @strawberry.mutation(
        description="Invoices the agency's completed visits of a past month (staff)."
    )
    async def run_invoicing(self, info: Info, input: RunInvoicingInput) -> RunInvoicingPayload:
        viewer = guards.staff(info.context.viewer)
        assert viewer.agency_id is not None
        try:
            month = invoicing.Month.parse(input.month)
            created = await invoicing.run_month(viewer.agency_id, month, viewer.account_id)
        except BadInput as exc:
            return RunInvoicingPayload(
                invoices=[],
                user_errors=user_errors([user_error("month", str(exc), "INVALID_MONTH")]),
            )
        info.context.runtime.mailer.wake()
        return RunInvoicingPayload(
            invoices=[Invoice.build(info, row) for row in created], user_errors=[]
        )

    @strawberry.mutation(description="Cancels an invoice with a credit note (staff).")
    async def issue_credit_note(self, info: Info, input: IssueCreditNoteInput) -> CreditNotePayload:
        result = await invoices.issue_credit_note(
            info.context.viewer, expect_id(input.invoice_id, "Invoice"), input.reason
        )
        return CreditNotePayload(
            credit_note=Invoice.build(info, result.credit_note) if result.credit_note else None,
            user_errors=user_errors(result.user_errors),
        )

    @strawberry.mutation(description="Records money received for an invoice (staff).")
    async def record_payment(self, info: Info, input: RecordPaymentInput) -> RecordPaymentPayload:
        result = await payments.record_payment(
            info.context.runtime,
            info.context.viewer,
            payments.PaymentData(
                invoice_id=expect_id(input.invoice_id, "Invoice"),
                method=PaymentMethodEnum(input.method),
                amount=input.amount,
                received_on=input.received_on,
                reference=input.reference,
            ),
        )
        payment = result.payment
        return RecordPaymentPayload(
            payment=Payment(
                id=strawberry.ID(to_global_id("Payment", payment.id)),
                method=payment.method,
                amount=money(payment.amount_cents),
                received_on=payment.received_on,
                reference=payment.reference,
            )
            if payment
            else None,
            invoice=Invoice.build(info, result.invoice) if result.invoice else None,
            user_errors=user_errors(result.user_errors),
        )

    @strawberry.mutation(description="Sets a household's billing facts (staff).")
    async def set_client_billing_profile(
        self, info: Info, input: SetClientBillingProfileInput
    ) -> SetClientBillingProfilePayload:
        result = await invoices.set_profile(
            info.context.viewer,
            invoices.ProfileData(
                client_id=expect_id(input.client_id, "Client"),
                service_mode=ServiceModeEnum(input.service_mode),
                advance_enrolled=input.advance_enrolled,
                dependants=input.dependants,
                members_over_65=input.members_over_65,
                disability=input.disability,
                first_direct_employment_year=input.first_direct_employment_year,
            ),
        )
        profile = result.profile
        return SetClientBillingProfilePayload(
            profile=ClientBillingProfile(
                client_id=strawberry.ID(to_global_id("Client", profile.client_id)),
                service_mode=profile.service_mode,
                advance_enrolled=profile.advance_enrolled,
                dependants=profile.dependants,
                members_over_65=profile.members_over_65,
                disability=profile.disability,
                first_direct_employment_year=profile.first_direct_employment_year,
            )
            if profile
            else None,
            user_errors=user_errors(result.user_errors),
        )

    @strawberry.mutation(description="Publishes the past year's tax certificates (staff).")
    async def publish_tax_certificates(
        self, info: Info, input: PublishTaxCertificatesInput
    ) -> PublishTaxCertificatesPayload:
        try:
            count = await certificates.publish(
                info.context.runtime, info.context.viewer, input.year
            )
        except BadInput as exc:
            return PublishTaxCertificatesPayload(
                published=0, user_errors=user_errors([user_error("year", str(exc), "INVALID_YEAR")])
            )
        return PublishTaxCertificatesPayload(published=count, user_errors=[])
