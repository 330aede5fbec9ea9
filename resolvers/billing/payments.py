"""Payments of invoices (partial or full), the recap e-mail, and the yearly statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tortoise.transactions import in_transaction

from models.accounts.people import Client
from models.billing.invoices import Invoice, Payment
from models.enums import (
    AdvanceStatus,
    EventType,
    InvoiceKind,
    InvoiceStatus,
    NotificationTopic,
    PaymentMethod,
)
from notifications import texts
from notifications.notify import notify_client
from resolvers.billing.invoices import household_id, today_for
from resolvers.core import guards
from resolvers.core.errors import BadInput, UserError, user_error
from resolvers.core.runtime import Runtime, Viewer
from services import billing
from services.clock import utcnow
from subscriptions import events

METHOD_LABELS = {
    PaymentMethod.CARD: "Carte bancaire",
    PaymentMethod.SEPA_DEBIT: "Prélèvement SEPA",
    PaymentMethod.TRANSFER: "Virement",
    PaymentMethod.CHEQUE: "Chèque",
    PaymentMethod.CESU: "CESU préfinancé",
    PaymentMethod.APA: "APA (conseil départemental)",
    PaymentMethod.PCH: "PCH (conseil départemental)",
}
MAX_REFERENCE = 100


@dataclass(frozen=True)
class PaymentData:
    invoice_id: int
    method: PaymentMethod
    amount: str
    received_on: date
    reference: str = ""


@dataclass(frozen=True)
class PaymentResult:
    payment: Payment | None
    invoice: Invoice | None
    user_errors: list[UserError]


def _fail(field: str, message: str, code: str) -> PaymentResult:
    return PaymentResult(None, None, [user_error(field, message, code)])


async def record_payment(rt: Runtime, viewer: Viewer | None, data: PaymentData) -> PaymentResult:
    staff = guards.staff(viewer)
    try:
        cents = billing.parse_money(data.amount)
    except ValueError:
        return _fail("amount", "Montant invalide (ex. 120.50).", "INVALID_AMOUNT")
    if cents <= 0:
        return _fail("amount", "Le montant doit être positif.", "INVALID_AMOUNT")
    if len(data.reference) > MAX_REFERENCE:
        return _fail("reference", "100 caractères au plus.", "TOO_LONG")
    today = today_for()
    if data.received_on > today or data.received_on.year < today.year - 5:
        return _fail("receivedOn", "Date de réception invalide.", "INVALID_DATE")
    invoice = await Invoice.get_or_none(id=data.invoice_id, agency_id=staff.agency_id)
    if invoice is None:
        return _fail("invoiceId", "Facture inconnue.", "NOT_FOUND")
    async with in_transaction():
        invoice = await Invoice.filter(id=invoice.id).select_for_update().get()
        payable = invoice.kind in (InvoiceKind.INVOICE, InvoiceKind.CORRECTION)
        if not payable or invoice.status == InvoiceStatus.CREDITED:
            return _fail("invoiceId", "Cette facture n'attend pas de paiement.", "NOT_PAYABLE")
        remaining = invoice.amount_due_cents - invoice.paid_cents
        if cents > remaining:
            return _fail(
                "amount",
                f"Le reste à payer est de {billing.money_fr(remaining)} €.",
                "MORE_THAN_DUE",
            )
        payment = await Payment.create(
            invoice_id=invoice.id,
            client_id=invoice.client_id,
            method=data.method,
            amount_cents=cents,
            received_on=data.received_on,
            reference=data.reference.strip(),
            recorded_by_id=staff.account_id,
            created_at=utcnow(),
        )
        paid = invoice.paid_cents + cents
        status = (
            InvoiceStatus.PAID if paid == invoice.amount_due_cents else InvoiceStatus.PARTLY_PAID
        )
        await Invoice.filter(id=invoice.id).update(paid_cents=paid, status=status)
        await invoice.refresh_from_db()
        client = await Client.get(id=invoice.client_id).prefetch_related("account")
        await notify_client(
            client.account, NotificationTopic.BILLING, await _recap(client, payment)
        )
        event = await events.record_event(
            EventType.PAYMENT_RECORDED,
            payment.created_at,
            agency_id=invoice.agency_id,
            client_id=invoice.client_id,
            subject_id=invoice.id,
        )
    await events.publish(rt.bus, [event])
    rt.mailer.wake()
    return PaymentResult(payment, invoice, [])


async def _recap(client: Client, payment: Payment) -> texts.Notice:
    """This month's payments of the household, newest included."""
    month_start = payment.received_on.replace(day=1)
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    rows = (
        await Payment.filter(
            client_id=client.id, received_on__gte=month_start, received_on__lt=next_month
        )
        .order_by("received_on", "id")
        .prefetch_related("invoice")
    )
    paid = [
        texts.billing.Paid(
            row.received_on,
            METHOD_LABELS[PaymentMethod(row.method)],
            row.amount_cents,
            row.invoice.number,
        )
        for row in rows
    ]
    return texts.billing.payment_recap(
        client.account.first_name, payment.amount_cents, month_start, paid
    )


async def payments_of(client_id: int, year: int) -> list[Payment]:
    """A household's payments received in `year`, oldest first (the payment statement)."""
    return list(
        await Payment.filter(
            client_id=client_id,
            received_on__gte=date(year, 1, 1),
            received_on__lt=date(year + 1, 1, 1),
        )
        .order_by("received_on", "id")
        .prefetch_related("invoice")
    )


async def statement_client(
    viewer: Viewer | None, year: int, client_id: int | None = None
) -> int | None:
    """The household whose payment statement of `year` the viewer may read (its id)."""
    client = await household_id(viewer, client_id)
    if not 2000 <= year <= today_for().year:
        raise BadInput("Année hors limites.")
    return client


# The advance's life cycle; resolvers.billing.advance_outcome applies a step and its money.
ADVANCE_STEPS = {
    AdvanceStatus.TO_SEND: {AdvanceStatus.SENT},
    AdvanceStatus.SENT: {
        AdvanceStatus.AWAITING_VALIDATION,
        AdvanceStatus.VALIDATED,
        AdvanceStatus.REFUSED,
        AdvanceStatus.CANCELLED,
    },
    AdvanceStatus.AWAITING_VALIDATION: {
        AdvanceStatus.VALIDATED,
        AdvanceStatus.REFUSED,
        AdvanceStatus.CANCELLED,
    },
    AdvanceStatus.VALIDATED: {AdvanceStatus.PAID, AdvanceStatus.CONTESTED, AdvanceStatus.CANCELLED},
    AdvanceStatus.REFUSED: {AdvanceStatus.TO_SEND},
    AdvanceStatus.CONTESTED: {AdvanceStatus.TO_SEND},
    AdvanceStatus.CANCELLED: {AdvanceStatus.TO_SEND},
    AdvanceStatus.PAID: set(),
}
