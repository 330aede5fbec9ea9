"""The monthly invoicing run: a past month's completed visits become numbered invoices.

Billable late cancellations of the month get their own lines (resolvers.billing.late_cancellations).

Safe to re-run and to run on several processes at once: each invoice is built inside
one transaction that first locks the agency's counter row for the year (SELECT ... FOR
UPDATE), then reads the visits not yet billed. Runs therefore queue on the lock, the
second sees the first's visits as billed, numbers are given in issue order without
gaps, and a failure rolls the number back with the invoice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Subquery
from tortoise.transactions import in_transaction

from models.accounts.people import Account, Agency, Client
from models.billing.invoices import (
    AgencyBillingRule,
    BilledVisit,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
)
from models.billing.tax_credit import ClientBillingProfile
from models.enums import (
    AdvanceStatus,
    EventType,
    InterventionStatus,
    InvoiceKind,
    NotificationTopic,
    ServiceMode,
    VatRegime,
)
from models.visits.visits import Intervention
from notifications.notify import Notification, notify_client
from resolvers.agency import identity as agency_identity
from resolvers.billing import late_cancellations as late_billing
from resolvers.billing import tax_credit
from resolvers.billing import travel as travel_billing
from resolvers.billing.months import Month
from resolvers.billing.urssaf import queue as urssaf_queue
from resolvers.core.errors import BadInput
from services import billing
from services.clock import utcnow
from subscriptions import events
from subscriptions.bus import Bus


def address_text(line1: str, line2: str, postal_code: str, city: str) -> str:
    return ", ".join(part for part in (line1, line2, f"{postal_code} {city}".strip()) if part)


async def billing_rule(agency_id: int) -> AgencyBillingRule:
    rule = await AgencyBillingRule.get_or_none(agency_id=agency_id)
    return rule or AgencyBillingRule(agency_id=agency_id)


async def ensure_counter(agency_id: int, year: int) -> None:
    """The counter row exists before anyone locks it (two creators: one wins, both go on)."""
    if await InvoiceCounter.exists(agency_id=agency_id, year=year):
        return
    try:
        async with in_transaction():
            await InvoiceCounter.create(agency_id=agency_id, year=year, last_number=0)
    except IntegrityError:
        pass


async def lock_counter(agency_id: int, year: int) -> InvoiceCounter:
    """The year's counter, locked until the invoice's transaction ends."""
    return await InvoiceCounter.filter(agency_id=agency_id, year=year).select_for_update().get()


async def take_number(counter: InvoiceCounter) -> int:
    number = counter.last_number + 1
    await InvoiceCounter.filter(id=counter.id).update(last_number=number)
    return number


def invoice_number(kind: InvoiceKind, year: int, sequence: int) -> str:
    prefix = "AV" if kind is InvoiceKind.CREDIT_NOTE else "F"
    return f"{prefix}{year}-{sequence:06d}"


def worked_minutes(visit: Intervention, rule: AgencyBillingRule) -> tuple[int, bool]:
    """Minutes to invoice, and whether they are the planned duration (staff correction)."""
    planned = int((visit.scheduled_end - visit.scheduled_start).total_seconds()) // 60
    if visit.bill_planned_duration or visit.checked_in_at is None or visit.checked_out_at is None:
        return planned, True
    seconds = int((visit.checked_out_at - visit.checked_in_at).total_seconds())
    raw = billing.div_half_up(max(0, seconds), 60)
    return billing.round_minutes(raw, rule.rounding_step_minutes, rule.rounding_mode), False


def _line(
    visit: Intervention, position: int, rule: AgencyBillingRule, mode: ServiceMode, tz: ZoneInfo
) -> InvoiceLine:
    minutes, planned = worked_minutes(visit, rule)
    service = visit.service_type
    rate = service.hourly_rate_cents
    label = service.label
    if mode is ServiceMode.MANDATAIRE:
        rate = rule.mandate_fee_cents_per_hour
        label = f"Frais de gestion (mandataire) – {service.label}"
    amounts = billing.line_amounts(minutes, rate, service.vat_rate_bp)
    start = visit.scheduled_start if planned else visit.checked_in_at or visit.scheduled_start
    end = visit.scheduled_end if planned else visit.checked_out_at or visit.scheduled_end
    worker = visit.worker
    account = worker.account if worker else None
    place = visit.address
    return InvoiceLine(
        intervention_id=visit.id,
        position=position,
        label=label,
        service_date=start.astimezone(tz).date(),
        start_time=start.astimezone(tz).strftime("%H:%M"),
        end_time=end.astimezone(tz).strftime("%H:%M"),
        place=address_text(place.line1, place.line2, place.postal_code, place.city),
        worker_name=f"{account.first_name} {account.last_name}" if account else "",
        employee_number=worker.employee_number if worker else "",
        minutes=minutes,
        planned_duration=planned,
        hourly_rate_cents=rate,
        vat_rate_bp=service.vat_rate_bp,
        excl_cents=amounts.excl_cents,
        vat_cents=amounts.vat_cents,
        incl_cents=amounts.incl_cents,
        tax_credit_eligible=service.tax_credit_eligible,
    )


def _lines(
    visits: list[Intervention],
    cancelled: list[Intervention],
    rule: AgencyBillingRule,
    mode: ServiceMode,
    tz: ZoneInfo,
) -> list[InvoiceLine]:
    """Completed visits and billable late cancellations, in order of planned start."""
    both = sorted(
        [(v, False) for v in visits] + [(v, True) for v in cancelled],
        key=lambda pair: (pair[0].scheduled_start, pair[0].id),
    )
    lines = []
    for position, (visit, late) in enumerate(both, 1):
        if late:
            a = visit.address
            place = address_text(a.line1, a.line2, a.postal_code, a.city)
            lines.append(late_billing.line(visit, position, rule, mode, tz, place))
        else:
            lines.append(_line(visit, position, rule, mode, tz))
    return lines


def legal_mentions(agency: Agency, client: Client, account: Account) -> dict[str, Any]:
    return {
        "agency_name": agency.legal_name or agency.name,
        "agency_address": address_text(
            agency.address_line1, agency.address_line2, agency.postal_code, agency.city
        ),
        "sap_number": agency.sap_number,
        "sap_declared_on": agency.sap_declared_on,
        "siret": agency.siret,
        "vat_exempt": agency.vat_regime == VatRegime.EXEMPT,
        "client_number": client.client_number,
        "client_name": f"{account.first_name} {account.last_name}",
        "client_address": address_text(
            client.billing_line1,
            client.billing_line2,
            client.billing_postal_code,
            client.billing_city,
        ),
    }


async def _invoice_client(
    agency: Agency,
    rule: AgencyBillingRule,
    client_id: int,
    month: Month,
    actor_id: int | None,
    bus: Bus | None,
) -> Invoice | None:
    tz = ZoneInfo(agency.time_zone)
    start, end = month.bounds(tz)
    now = utcnow()
    issued_on = now.astimezone(tz).date()
    await ensure_counter(agency.id, issued_on.year)
    async with in_transaction():
        counter = await lock_counter(agency.id, issued_on.year)
        # Stamped under the lock, so issue times follow the numbers.
        now = utcnow()
        visits = (
            await Intervention.filter(
                agency_id=agency.id,
                client_id=client_id,
                status=InterventionStatus.COMPLETED,
                scheduled_start__gte=start,
                scheduled_start__lt=end,
            )
            .exclude(id__in=Subquery(BilledVisit.all().values("intervention_id")))
            .order_by("scheduled_start", "id")
            .prefetch_related("service_type", "worker__account", "address")
        )
        cancelled = await late_billing.unbilled_visits(agency.id, client_id, start, end)
        if not visits and not cancelled:
            return None
        sequence = await take_number(counter)
        client = await Client.get(id=client_id).prefetch_related("account")
        profile = await ClientBillingProfile.get_or_none(client_id=client_id)
        mode = ServiceMode(profile.service_mode) if profile else ServiceMode.PRESTATAIRE
        lines = travel_billing.with_travel(_lines(visits, cancelled, rule, mode, tz), rule, mode)
        if agency.vat_regime == VatRegime.EXEMPT:
            lines = travel_billing.without_vat(lines)
        total = billing.totals(
            [billing.LineAmounts(li.excl_cents, li.vat_cents, li.incl_cents) for li in lines]
        )
        eligible_expense = sum(li.incl_cents for li in lines if li.tax_credit_eligible)
        advance = await tax_credit.advance_on(
            client_id, profile, issued_on.year, total.incl_cents, eligible_expense
        )
        invoice = await Invoice.create(
            agency_id=agency.id,
            client_id=client_id,
            kind=InvoiceKind.INVOICE,
            service_mode=mode,
            year=issued_on.year,
            sequence=sequence,
            number=invoice_number(InvoiceKind.INVOICE, issued_on.year, sequence),
            issued_at=now,
            issued_on=issued_on,
            due_on=issued_on + timedelta(days=rule.payment_terms_days),
            period_start=month.first_day,
            period_end=month.next_first_day - timedelta(days=1),
            total_excl_cents=total.excl_cents,
            vat_cents=total.vat_cents,
            total_incl_cents=total.incl_cents,
            eligible_cents=advance.eligible_cents,
            advance_cents=advance.advance_cents,
            amount_due_cents=advance.amount_due_cents,
            advance_note=advance.note,
            advance_status=AdvanceStatus.TO_SEND if advance.advance_cents else None,
            created_by_id=actor_id,
            **legal_mentions(agency, client, client.account),
        )
        for line in lines:
            line.invoice_id = invoice.id
        await InvoiceLine.bulk_create(lines)
        await BilledVisit.bulk_create(
            [BilledVisit(intervention_id=v.id, invoice_id=invoice.id) for v in visits + cancelled]
        )
        # The immediate advance's payment request, sent by the URSSAF loop after commit.
        await urssaf_queue.queue(invoice)
        await notify_client(
            client.account,
            NotificationTopic.BILLING,
            Notification(
                kind="invoice_issued",
                subject=f"Votre facture {invoice.number} est disponible",
                body=(
                    f"Bonjour {client.account.first_name},\n\n"
                    f"Votre facture {invoice.number} pour {month.french} est disponible dans votre "
                    f"espace client.\nMontant TTC : {billing.money_fr(total.incl_cents)} €\n"
                    f"Avance immédiate : {billing.money_fr(advance.advance_cents)} €\n"
                    f"Reste à payer : {billing.money_fr(advance.amount_due_cents)} €\n"
                ),
            ),
        )
        event = await events.record_event(
            EventType.INVOICE_ISSUED,
            now,
            agency_id=agency.id,
            client_id=client_id,
            subject_id=invoice.id,
        )
    if bus is not None:  # else (command line) the servers' relay publishes it
        await events.publish(bus, [event])
    return invoice


async def run_month(
    agency_id: int, month: Month, actor_id: int | None = None, bus: Bus | None = None
) -> list[Invoice]:
    """Invoices every client of the agency with unbilled visits or late cancellations in `month`."""
    agency = await Agency.get_or_none(id=agency_id)
    if agency is None:
        raise BadInput("Agence inconnue.")
    tz = ZoneInfo(agency.time_zone)
    if month.next_first_day > utcnow().astimezone(tz).date():
        raise BadInput("Ce mois n'est pas terminé : il sera facturable à partir du 1er du suivant.")
    start, end = month.bounds(tz)
    rows = await (
        Intervention.filter(
            agency_id=agency_id,
            status=InterventionStatus.COMPLETED,
            scheduled_start__gte=start,
            scheduled_start__lt=end,
        )
        .exclude(id__in=Subquery(BilledVisit.all().values("intervention_id")))
        .distinct()
        .values("client_id")
    )
    client_ids = {int(row["client_id"]) for row in rows}
    client_ids |= await late_billing.client_ids(agency_id, start, end)
    if client_ids:
        agency_identity.require_complete(agency)
    rule = await billing_rule(agency_id)
    created = []
    for client_id in sorted(client_ids):
        invoice = await _invoice_client(agency, rule, client_id, month, actor_id, bus)
        if invoice is not None:
            created.append(invoice)
    return created
