"""Billing operations: the invoicing run, credit notes, payments, certificates, facts."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from models.enums import AdvanceStatus as AdvanceStatusEnum
from models.enums import PaymentMethod as PaymentMethodEnum
from models.enums import ServiceMode as ServiceModeEnum
from resolvers.agency.identity import IncompleteIdentity
from resolvers.billing import (
    advance_outcome,
    certificate_publication,
    certificates,
    documents,
    invoices,
    invoicing,
    payments,
)
from resolvers.billing.months import Month
from resolvers.core import guards
from resolvers.core.errors import BadInput, user_error
from schema.billing.types import (
    INVOICE_ROWS,
    PAYMENT_STATEMENT_ROWS,
    AdvanceStatus,
    Invoice,
    Payment,
    PaymentMethod,
    PaymentStatement,
    ServiceMode,
    TaxCertificate,
)
from schema.core.common import (
    Connection,
    Page,
    UserErrorType,
    connection_by_id,
    page_size,
    user_errors,
)
from schema.core.context import Context, Info
from schema.core.ids import after_pk, expect_id, to_global_id
from schema.engine import plans
from services.billing import money


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
    amount: str = strawberry.field(
        description='Euros: ASCII digits, a point and at most two decimals, e.g. "120.50".'
    )
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
class SetAdvanceStatusInput:
    invoice_id: strawberry.ID
    status: AdvanceStatus  # type: ignore[valid-type]
    reason: str = strawberry.field(
        default="", description="Why (URSSAF's words for a refusal), 300 characters at most."
    )


@strawberry.type
class SetAdvanceStatusPayload:
    invoice: Invoice | None
    correction: Invoice | None = strawberry.field(
        description="The corrective invoice billing the household an advance refused, "
        "cancelled or contested; or the credit note closing it when URSSAF pays after all."
    )
    user_errors: list[UserErrorType]


@strawberry.input
class PublishTaxCertificatesInput:
    year: int
    allow_late: bool = strawberry.field(
        default=False,
        description="Certificates are due by 31 March: publishing later needs this set.",
    )


async def _invoices_page(
    context: Any,
    columns: tuple[str, ...],
    year: int | None = None,
    first: int | None = None,
    after: str | None = None,
    client_id: strawberry.ID | None = None,
) -> Page:
    """`invoices` as rows, for planned queries: the same page the resolver reads."""
    size = page_size(first)
    client = expect_id(client_id, "Client") if client_id else None
    rows = await invoices.page_rows(
        context.viewer, year, size, after_pk(after), client, columns or INVOICE_ROWS.columns
    )
    return Page.by_id(rows, size, after)


@strawberry.type
class BillingQueries:
    @strawberry.field(
        description="Invoices and credit notes, newest first: a client's own, staff their "
        "agency's (optionally one client's)."
    )
    async def invoices(
        self,
        info: Info,
        year: int | None = None,
        first: int | None = None,
        after: str | None = None,
        client_id: strawberry.ID | None = None,
    ) -> Connection[Invoice]:
        size = page_size(first)
        before = after_pk(after)
        client = expect_id(client_id, "Client") if client_id else None
        rows = await invoices.page(info.context.viewer, year, size, before, client)
        return connection_by_id(rows, lambda row: Invoice.build(info, row), size, after)

    @strawberry.field(description="One invoice or credit note; null if absent or not yours.")
    async def invoice(self, info: Info, id: strawberry.ID) -> Invoice | None:
        row = await invoices.by_id(guards.signed_in(info.context.viewer), expect_id(id, "Invoice"))
        return Invoice.build(info, row) if row else None

    @strawberry.field(
        description="A household's tax certificate of a past year: the client's own, or "
        "staff pass clientId."
    )
    async def tax_certificate(
        self, info: Info, year: int, client_id: strawberry.ID | None = None
    ) -> TaxCertificate | None:
        cert = await certificates.for_viewer(info.context.viewer, year, _client_arg(client_id))
        if cert is None:
            return None
        pdf_url, csv_url = _yearly_links(info.context, "certificates", cert.client_id, year)
        f = cert.figures
        return TaxCertificate(
            year=year,
            amount_paid=money(f.household_cents),
            eligible_expenses=money(f.eligible_cents),
            advance_received=money(f.advance_cents),
            aid=money(f.aid_cents),
            prepaid_cesu=money(f.cesu_cents),
            declarable_amount=money(f.declarable_cents),
            ceiling=money(cert.ceiling_cents),
            issued_on=cert.issued_on,
            version=cert.version,
            published=cert.published,
            pdf_url=pdf_url,
            csv_url=csv_url,
        )

    @strawberry.field(
        description="A household's payments of a year, as PDF and CSV: the client's own, "
        "or staff pass clientId."
    )
    async def payment_statement(
        self, info: Info, year: int, client_id: strawberry.ID | None = None
    ) -> PaymentStatement | None:
        row = await _payment_statement_row(info.context, (), year, client_id)
        return None if row is None else PaymentStatement(**row)


def _client_arg(client_id: strawberry.ID | None) -> int | None:
    return expect_id(client_id, "Client") if client_id else None


async def _payment_statement_row(
    context: Context, columns: tuple[str, ...], year: int, client_id: strawberry.ID | None = None
) -> dict[str, Any] | None:
    """`paymentStatement` as a row of `PAYMENT_STATEMENT_ROWS`, for the resolver and the
    planner alike: None when there is none to give (graphql-core then answers, null)."""
    client = await payments.statement_client(context.viewer, year, _client_arg(client_id))
    if client is None:
        return None
    pdf_url, csv_url = _yearly_links(context, "statements", client, year)
    return {"year": year, "pdf_url": pdf_url, "csv_url": csv_url}


def _yearly_links(context: Context, kind: str, client_id: int, year: int) -> tuple[str, str]:
    """Signed links to a household's yearly document, as PDF and as CSV."""
    settings = context.runtime.settings
    return (
        documents.yearly_link(settings, kind, client_id, year, "pdf"),
        documents.yearly_link(settings, kind, client_id, year, "csv"),
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
            month = Month.parse(input.month)
            created = await invoicing.run_month(
                viewer.agency_id, month, viewer.account_id, info.context.runtime.bus
            )
        except IncompleteIdentity as exc:
            return RunInvoicingPayload(
                invoices=[],
                user_errors=user_errors([user_error("agency", str(exc), "INCOMPLETE_IDENTITY")]),
            )
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
            info.context.runtime,
            info.context.viewer,
            expect_id(input.invoice_id, "Invoice"),
            input.reason,
        )
        if result.credit_note:
            await certificate_publication.after_change(
                info.context.runtime, result.credit_note.credited_invoice_id
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
        if payment:
            await certificate_publication.after_change(info.context.runtime, payment.invoice_id)
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

    @strawberry.mutation(
        description="Moves an invoice's immediate advance along: TO_SEND → SENT → VALIDATED "
        "or REFUSED, VALIDATED → PAID, REFUSED → TO_SEND (staff). An advance refused, "
        "cancelled or contested is billed to the household by a corrective invoice."
    )
    async def set_advance_status(
        self, info: Info, input: SetAdvanceStatusInput
    ) -> SetAdvanceStatusPayload:
        result = await advance_outcome.set_by_staff(
            info.context.runtime,
            info.context.viewer,
            advance_outcome.StaffChange(
                expect_id(input.invoice_id, "Invoice"),
                AdvanceStatusEnum(input.status),
                input.reason,
            ),
        )
        document = result.correction or result.closing_note
        if result.invoice:
            await certificate_publication.after_change(info.context.runtime, result.invoice.id)
        return SetAdvanceStatusPayload(
            invoice=Invoice.build(info, result.invoice) if result.invoice else None,
            correction=Invoice.build(info, document) if document else None,
            user_errors=user_errors(result.user_errors),
        )

    @strawberry.mutation(description="Publishes the past year's tax certificates (staff).")
    async def publish_tax_certificates(
        self, info: Info, input: PublishTaxCertificatesInput
    ) -> PublishTaxCertificatesPayload:
        try:
            count = await certificate_publication.publish(
                info.context.runtime, info.context.viewer, input.year, input.allow_late
            )
        except BadInput as exc:
            return PublishTaxCertificatesPayload(
                published=0, user_errors=user_errors([user_error("year", str(exc), "INVALID_YEAR")])
            )
        return PublishTaxCertificatesPayload(published=count, user_errors=[])


plans.plan_connection("invoices", INVOICE_ROWS, _invoices_page)
plans.plan_object("paymentStatement", PAYMENT_STATEMENT_ROWS, _payment_statement_row)
