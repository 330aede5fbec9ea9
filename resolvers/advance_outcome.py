"""The one place an invoice's immediate advance changes status.

Minimal version: it checks the transition (resolvers/payments.ADVANCE_STEPS) under the
invoice's row lock, stores the status, tells the household by its contact preferences
and writes the billing event in the same transaction. The money consequences of a
refusal, a contest or a cancellation (a corrective document moving the advance to the
household's amount due) belong to the billing documents and plug in here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tortoise.transactions import in_transaction

from models.accounts import Client
from models.billing import Invoice
from models.enums import AdvanceStatus, EventType, NotificationTopic
from models.events import Event
from resolvers.errors import UserError, user_error
from resolvers.notify import notify_client
from resolvers.payments import ADVANCE_STEPS
from resolvers.urssaf.notices import advance_notification
from services.clock import utcnow
from subscriptions import events


@dataclass(frozen=True)
class AdvanceOutcome:
    invoice: Invoice | None
    user_errors: list[UserError]
    # Written with the change: publish them after commit.
    events: list[Event] = field(default_factory=list)


async def apply_advance_status(
    invoice_id: int, status: AdvanceStatus, *, reason: str = "", actor_id: int | None = None
) -> AdvanceOutcome:
    async with in_transaction():
        invoice = await Invoice.filter(id=invoice_id).select_for_update().first()
        if invoice is None:
            return AdvanceOutcome(None, [user_error("invoiceId", "Facture inconnue.", "NOT_FOUND")])
        current = AdvanceStatus(invoice.advance_status) if invoice.advance_status else None
        if current is None or status not in ADVANCE_STEPS[current]:
            return AdvanceOutcome(
                None,
                [
                    user_error(
                        "status",
                        "Ce changement d'état de l'avance immédiate n'est pas possible.",
                        "BAD_TRANSITION",
                    )
                ],
            )
        await Invoice.filter(id=invoice.id).update(advance_status=status)
        await invoice.refresh_from_db()
        client = await Client.get(id=invoice.client_id).prefetch_related("account")
        notification = advance_notification(invoice, status, client.account.first_name, reason)
        if notification is not None:
            await notify_client(client.account, NotificationTopic.BILLING, notification)
        event = await events.record_event(
            EventType.ADVANCE_STATUS_CHANGED,
            utcnow(),
            agency_id=invoice.agency_id,
            client_id=invoice.client_id,
            subject_id=invoice.id,
        )
    return AdvanceOutcome(invoice, [], [event])
