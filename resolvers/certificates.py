"""The yearly tax certificate (attestation fiscale): amounts actually paid, hours by worker.

Available from January for the past year, computed from payments and invoice lines;
staff publish them all (before 31 March), which keeps the amounts and tells each household.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from tortoise.transactions import in_transaction

from models.accounts import Agency, Client
from models.billing import Invoice, InvoiceLine, Payment
from models.enums import (
    EventType,
    InvoiceKind,
    InvoiceStatus,
    NotificationTopic,
    PaymentMethod,
)
from models.tax_credit import TaxCertificate
from resolvers import guards, invoicing
from resolvers.errors import BadInput
from resolvers.invoices import household, today_for
from resolvers.notify import Notification, notify_client
from resolvers.runtime import Runtime, Viewer
from services import billing
from services.clock import utcnow
from subscriptions import events

AID_METHODS = (PaymentMethod.APA, PaymentMethod.PCH)
CESU_NOTICE = (
    "Des CESU préfinancés ont servi au paiement : leur montant est déduit de la somme "
    "ouvrant droit au crédit d'impôt, car l'aide de votre employeur ou organisme est "
    "exonérée (article 199 sexdecies du CGI)."
)


@dataclass
class WorkerHours:
    name: str
    employee_number: str
    # "2025-03" → (dates, minutes)
    months: dict[str, tuple[list[date], int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Certificate:
    year: int
    client_id: int
    agency_name: str
    agency_address: str
    sap_number: str
    sap_declared_on: date | None
    client_name: str
    client_address: str
    amount_paid_cents: int
    cesu_cents: int
    aid_cents: int
    advance_cents: int
    workers: list[WorkerHours]
    published: bool

    @property
    def notices(self) -> list[str]:
        return [CESU_NOTICE] if self.cesu_cents else []


def check_year(year: int) -> None:
    if not 2000 <= year < today_for().year:
        raise BadInput("L'attestation d'une année est disponible à partir de janvier suivant.")


async def _eligible_paid(payments: list[Payment]) -> int:
    """What the household paid toward charges opening the tax credit.

    A payment of an invoice with charges outside it (late cancellations) counts pro rata.
    """
    if not payments:
        return 0
    invoice_ids = list({p.invoice_id for p in payments})
    due = dict(await Invoice.filter(id__in=invoice_ids).values_list("id", "amount_due_cents"))
    outside: dict[int, int] = defaultdict(int)
    rows = await InvoiceLine.filter(
        invoice_id__in=invoice_ids, tax_credit_eligible=False
    ).values_list("invoice_id", "incl_cents")
    for invoice_id, cents in rows:
        outside[int(invoice_id)] += int(cents)
    return sum(
        billing.eligible_paid(p.amount_cents, int(due[p.invoice_id]), outside[p.invoice_id])
        for p in payments
    )


async def compute(client: Client, year: int) -> Certificate:
    payments = await Payment.filter(
        client_id=client.id,
        received_on__gte=date(year, 1, 1),
        received_on__lt=date(year + 1, 1, 1),
    )
    paid = await _eligible_paid(
        [p for p in payments if p.method not in (*AID_METHODS, PaymentMethod.CESU)]
    )
    cesu = sum(p.amount_cents for p in payments if p.method == PaymentMethod.CESU)
    aid = sum(p.amount_cents for p in payments if p.method in AID_METHODS)
    # Advances of the services of the year (credit notes subtract theirs).
    invoices = await Invoice.filter(
        client_id=client.id,
        period_start__gte=date(year, 1, 1),
        period_start__lt=date(year + 1, 1, 1),
    )
    advance = sum(i.advance_cents for i in invoices)
    lines = (
        await InvoiceLine.filter(
            invoice__client_id=client.id,
            invoice__kind=InvoiceKind.INVOICE,
            service_date__gte=date(year, 1, 1),
            service_date__lt=date(year + 1, 1, 1),
            # A late cancellation is charged, not a service performed: no hours here.
            late_cancellation=False,
        )
        .exclude(invoice__status=InvoiceStatus.CREDITED)
        .order_by("service_date", "id")
    )
    workers: dict[str, WorkerHours] = {}
    per_month: dict[tuple[str, str], tuple[list[date], int]] = defaultdict(lambda: ([], 0))
    for line in lines:
        key = line.employee_number or line.worker_name
        workers.setdefault(key, WorkerHours(line.worker_name, line.employee_number))
        month = f"{line.service_date:%Y-%m}"
        dates, minutes = per_month[(key, month)]
        per_month[(key, month)] = ([*dates, line.service_date], minutes + line.minutes)
    for (key, month), value in sorted(per_month.items()):
        workers[key].months[month] = value
    agency = await Agency.get(id=client.agency_id)
    account = await client.account
    mentions = invoicing.legal_mentions(agency, client, account)
    stored = await TaxCertificate.get_or_none(client_id=client.id, year=year)
    return Certificate(
        year=year,
        client_id=client.id,
        agency_name=str(mentions["agency_name"]),
        agency_address=str(mentions["agency_address"]),
        sap_number=agency.sap_number,
        sap_declared_on=agency.sap_declared_on,
        client_name=str(mentions["client_name"]),
        client_address=str(mentions["client_address"]),
        amount_paid_cents=stored.amount_paid_cents if stored else paid,
        cesu_cents=cesu,
        aid_cents=aid,
        advance_cents=advance,
        workers=list(workers.values()),
        published=stored is not None,
    )


async def for_viewer(
    viewer: Viewer | None, year: int, client_id: int | None = None
) -> Certificate | None:
    """A household's certificate of `year` (a past year): its own, or staff's client's."""
    client = await household(viewer, client_id)
    check_year(year)
    if client is None:
        return None
    return await compute(client, year)


async def publish(rt: Runtime, viewer: Viewer | None, year: int) -> int:
    """Keeps every certificate of the agency's households for `year` and tells each of them."""
    staff = guards.staff(viewer)
    check_year(year)
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    paid = await Payment.filter(
        client__agency_id=staff.agency_id, received_on__gte=start, received_on__lt=end
    ).values("client_id")
    worked = await InvoiceLine.filter(
        invoice__agency_id=staff.agency_id,
        service_date__gte=start,
        service_date__lt=end,
        late_cancellation=False,
    ).values("invoice__client_id")
    client_ids = {int(r["client_id"]) for r in paid} | {
        int(r["invoice__client_id"]) for r in worked
    }
    count = 0
    for client_id in sorted(client_ids):
        client = await Client.get(id=client_id).prefetch_related("account")
        certificate = await compute(client, year)
        if certificate.published:
            continue
        async with in_transaction():
            stored = await TaxCertificate.create(
                client_id=client_id,
                year=year,
                amount_paid_cents=certificate.amount_paid_cents,
                published_at=utcnow(),
            )
            await notify_client(
                client.account,
                NotificationTopic.BILLING,
                Notification(
                    kind="tax_certificate",
                    subject=f"Votre attestation fiscale {year} est disponible",
                    body=(
                        f"Bonjour {client.account.first_name},\n\n"
                        f"Votre attestation fiscale {year} est disponible dans votre espace "
                        f"client. Montant payé ouvrant droit au crédit d'impôt : "
                        f"{billing.money_fr(certificate.amount_paid_cents)} €.\n"
                    ),
                ),
            )
            event = await events.record_event(
                EventType.CERTIFICATE_PUBLISHED,
                stored.published_at,
                agency_id=client.agency_id,
                client_id=client_id,
                subject_id=stored.id,
            )
        await events.publish(rt.bus, [event])
        count += 1
    rt.mailer.wake()
    return count
