"""The money consequence of an immediate advance's status: one function for staff and URSSAF.

The advance is what URSSAF pays the agency for the household (CGI art. 1665 bis, the
"avance immédiate"). When URSSAF refuses it, the household contests it or it is
cancelled, that share of the invoice becomes the household's to pay. An issued invoice is
never edited: a corrective invoice ("facture rectificative") referring to it bills the
amount, and a later payment by URSSAF closes that correction with a credit note. The
status change, its documents, its billing event and the household's notice are written in
one transaction (events published after commit, by the caller or by the relay).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from models.accounts.people import Agency, Client
from models.billing.invoices import Invoice, InvoiceCounter
from models.enums import (
    AdvanceStatus,
    EventType,
    InvoiceKind,
    InvoiceStatus,
    NotificationTopic,
)
from models.events import Event
from notifications import texts
from notifications.notify import notify_client
from resolvers.billing import amending, invoicing
from resolvers.billing.payments import ADVANCE_STEPS
from resolvers.billing.urssaf.changes import advance_of, record_change
from resolvers.core import guards
from resolvers.core.errors import UserError, user_error
from resolvers.core.runtime import Runtime, Viewer
from services import billing
from services.clock import today_in, utcnow
from subscriptions import events

MAX_REASON = 300
# Statuses after which URSSAF will not pay: the household owes the advance.
MOVED_TO_HOUSEHOLD = frozenset(
    {AdvanceStatus.REFUSED, AdvanceStatus.CANCELLED, AdvanceStatus.CONTESTED}
)


@dataclass(frozen=True)
class AdvanceOutcome:
    invoice: Invoice | None
    user_errors: list[UserError]
    correction: Invoice | None = None  # the corrective invoice issued, if one was
    closing_note: Invoice | None = None  # the credit note closing a correction, if one was
    events: list[Event] = field(default_factory=list)


def _fail(name: str, message: str, code: str) -> AdvanceOutcome:
    return AdvanceOutcome(None, [user_error(name, message, code)])


async def apply_advance_status(
    invoice_id: int, status: AdvanceStatus, *, reason: str = "", actor_id: int | None = None
) -> AdvanceOutcome:
    """Moves the advance of `invoice_id` to `status`, with its money consequence."""
    reason = " ".join(reason.split())
    if len(reason) > MAX_REASON:
        return _fail("reason", "300 caractères au plus.", "TOO_LONG")
    found = await Invoice.get_or_none(id=invoice_id)
    if found is None:
        return _fail("invoiceId", "Facture inconnue.", "NOT_FOUND")
    agency = await Agency.get(id=found.agency_id)
    today = today_in(agency.time_zone)
    numbers = status in MOVED_TO_HOUSEHOLD or status is AdvanceStatus.PAID
    if numbers:
        await invoicing.ensure_counter(agency.id, today.year)
    async with in_transaction():
        # Same lock order as the invoicing run and credit notes: counter, then invoice.
        # Only a step that may issue a document takes a number.
        counter = await invoicing.lock_counter(agency.id, today.year) if numbers else None
        invoice = await Invoice.filter(id=invoice_id).select_for_update().get()
        current = AdvanceStatus(invoice.advance_status) if invoice.advance_status else None
        if current is None or status not in ADVANCE_STEPS[current]:
            return _fail(
                "status",
                "Ce changement d'état de l'avance immédiate n'est pas possible.",
                "BAD_TRANSITION",
            )
        now = utcnow()
        await Invoice.filter(id=invoice.id).update(advance_status=status, advance_reason=reason)
        await invoice.refresh_from_db()
        correction = closing = None
        billable = invoice.kind == InvoiceKind.INVOICE and invoice.advance_cents > 0
        billable = billable and invoice.status != InvoiceStatus.CREDITED
        if counter and billable and status in MOVED_TO_HOUSEHOLD:
            if not await _open_correction(invoice):
                correction = await _correction(invoice, counter, now, status, reason, actor_id)
        elif counter and billable and status is AdvanceStatus.PAID:
            closing = await _close(invoice, counter, now, actor_id)
        client = await Client.get(id=invoice.client_id).prefetch_related("account")
        first_name = client.account.first_name
        notice: texts.Notice | None
        if correction is not None:
            notice = texts.billing.advance_billed(first_name, invoice, status, correction)
        elif closing is not None:
            notice = texts.billing.advance_refunded(first_name, invoice, closing)
        else:
            # No document: the URSSAF step itself ("validez la demande … sous 48 h").
            notice = texts.billing.advance_step(first_name, invoice, status, reason)
        if notice is not None:
            await notify_client(client.account, NotificationTopic.BILLING, notice)
        event = await events.record_event(
            EventType.ADVANCE_STATUS_CHANGED,
            now,
            agency_id=invoice.agency_id,
            client_id=invoice.client_id,
            subject_id=invoice.id,
        )
    return AdvanceOutcome(invoice, [], correction, closing, [event])


async def _open_correction(invoice: Invoice) -> Invoice | None:
    return (
        await Invoice.filter(credited_invoice_id=invoice.id, kind=InvoiceKind.CORRECTION)
        .exclude(status=InvoiceStatus.CREDITED)
        .first()
    )


async def _correction(
    invoice: Invoice,
    counter: InvoiceCounter,
    now: datetime,
    status: AdvanceStatus,
    reason: str,
    actor_id: int | None,
) -> Invoice:
    """Bills the household the advance URSSAF will not pay."""
    agency = await Agency.get(id=invoice.agency_id)
    issued_on = now.astimezone(ZoneInfo(agency.time_zone)).date()
    rule = await invoicing.billing_rule(agency.id)
    sequence = await invoicing.take_number(counter)
    why = f"avance immédiate {texts.billing.ADVANCE_WORDS[status]}"
    why += f" ({reason})" if reason else ""
    return await Invoice.create(
        **amending.numbered(InvoiceKind.CORRECTION, sequence, issued_on, now),
        due_on=issued_on + timedelta(days=rule.payment_terms_days),
        credited_invoice_id=invoice.id,
        credit_reason=why,
        total_excl_cents=0,
        vat_cents=0,
        total_incl_cents=0,
        eligible_cents=0,
        advance_cents=-invoice.advance_cents,
        amount_due_cents=invoice.advance_cents,
        advance_note=(
            f"L'avance immédiate de {billing.money_fr(invoice.advance_cents)} € de la facture "
            f"{invoice.number} n'est pas versée par l'URSSAF : ce montant est à votre charge. "
            "Il reste une dépense ouvrant droit au crédit d'impôt, à déclarer sur votre "
            "déclaration de revenus."
        ),
        created_by_id=actor_id,
        **amending.legal_mentions(invoice),
    )


async def _close(
    invoice: Invoice, counter: InvoiceCounter, now: datetime, actor_id: int | None
) -> Invoice | None:
    """URSSAF paid after all: a credit note cancels what the correction billed."""
    correction = await _open_correction(invoice)
    if correction is None:
        return None
    correction = await Invoice.filter(id=correction.id).select_for_update().get()
    agency = await Agency.get(id=invoice.agency_id)
    issued_on = now.astimezone(ZoneInfo(agency.time_zone)).date()
    sequence = await invoicing.take_number(counter)
    paid = correction.paid_cents
    why = "avance immédiate finalement versée par l'URSSAF"
    if paid:
        why += f" ; les {billing.money_fr(paid)} € déjà réglés vous sont remboursés"
    note = await Invoice.create(
        **amending.numbered(InvoiceKind.CREDIT_NOTE, sequence, issued_on, now),
        due_on=issued_on,
        credited_invoice_id=correction.id,
        credit_reason=why,
        total_excl_cents=0,
        vat_cents=0,
        total_incl_cents=0,
        eligible_cents=0,
        advance_cents=-correction.advance_cents,
        amount_due_cents=-correction.amount_due_cents,
        created_by_id=actor_id,
        **amending.legal_mentions(correction),
    )
    await Invoice.filter(id=correction.id).update(status=InvoiceStatus.CREDITED)
    return note


@dataclass(frozen=True)
class StaffChange:
    invoice_id: int
    status: AdvanceStatus
    reason: str = ""


async def set_by_staff(rt: Runtime, viewer: Viewer | None, change: StaffChange) -> AdvanceOutcome:
    """`setAdvanceStatus`: staff of the invoice's agency move the advance by hand."""
    staff = guards.staff(viewer)
    if not await Invoice.exists(id=change.invoice_id, agency_id=staff.agency_id):
        return _fail("invoiceId", "Facture inconnue.", "NOT_FOUND")
    before = await advance_of(change.invoice_id)
    outcome = await apply_advance_status(
        change.invoice_id, change.status, reason=change.reason, actor_id=staff.account_id
    )
    if not outcome.user_errors:
        # A manual override, for what the URSSAF exchange cannot express: audited.
        await record_change(
            change.invoice_id, before, change.status, "STAFF", change.reason, staff.account_id
        )
    if outcome.events:
        await events.publish(rt.bus, outcome.events)
        rt.mailer.wake()
    return outcome
