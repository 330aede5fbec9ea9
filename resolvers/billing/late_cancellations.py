"""Billable late cancellations on the monthly invoice: one line each, never twice.

A visit the household cancelled inside the agency's notice period, flagged billable by
the self-service rules (models.requests.LateCancellation), is invoiced like a visit of
the month of its planned start: the planned duration rounded by the agency rule, at the
service's price and VAT. It is charged for a service NOT performed, so the line is not
eligible for the tax credit: it counts neither in the eligible amount (immediate
advance) nor in the hours of the tax certificate.

The cancelled visit takes a `billed_visit` row like a completed one: the same unique key
stops a second invoice, and a credit note frees it again.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet

from models.billing.invoices import AgencyBillingRule, BilledVisit, InvoiceLine
from models.enums import InterventionStatus, ServiceMode
from models.requests import LateCancellation
from models.visits.visits import Intervention
from services import billing


def _unbilled(agency_id: int, start: datetime, end: datetime) -> QuerySet[Intervention]:
    """Cancelled visits planned in [start, end) with a billable late cancellation, not billed."""
    late = LateCancellation.filter(agency_id=agency_id, billable=True)
    return Intervention.filter(
        agency_id=agency_id,
        status=InterventionStatus.CANCELLED,
        scheduled_start__gte=start,
        scheduled_start__lt=end,
        id__in=Subquery(late.values("intervention_id")),
    ).exclude(id__in=Subquery(BilledVisit.all().values("intervention_id")))


async def client_ids(agency_id: int, start: datetime, end: datetime) -> set[int]:
    """Clients with an unbilled billable late cancellation planned in [start, end)."""
    rows = await _unbilled(agency_id, start, end).distinct().values("client_id")
    return {int(row["client_id"]) for row in rows}


async def unbilled_visits(
    agency_id: int, client_id: int, start: datetime, end: datetime
) -> list[Intervention]:
    """The client's cancelled visits to invoice as late cancellations, in planned order."""
    return list(
        await _unbilled(agency_id, start, end)
        .filter(client_id=client_id)
        .order_by("scheduled_start", "id")
        .prefetch_related("service_type", "worker__account", "address")
    )


def line(
    visit: Intervention,
    position: int,
    rule: AgencyBillingRule,
    mode: ServiceMode,
    tz: ZoneInfo,
    place: str,
) -> InvoiceLine:
    """The charge for one late-cancelled visit: planned duration, agency rounding."""
    planned = int((visit.scheduled_end - visit.scheduled_start).total_seconds()) // 60
    minutes = billing.round_minutes(max(0, planned), rule.rounding_step_minutes, rule.rounding_mode)
    service = visit.service_type
    start = visit.scheduled_start.astimezone(tz)
    label = f"Annulation tardive du {start:%d/%m/%Y} – {service.label}"
    rate = service.hourly_rate_cents
    if mode is ServiceMode.MANDATAIRE:
        rate = rule.mandate_fee_cents_per_hour
        label = f"Frais de gestion (mandataire) – {label}"
    amounts = billing.line_amounts(minutes, rate, service.vat_rate_bp)
    worker = visit.worker
    account = worker.account if worker else None
    return InvoiceLine(
        intervention_id=visit.id,
        position=position,
        label=label[:200],
        service_date=start.date(),
        start_time=start.strftime("%H:%M"),
        end_time=visit.scheduled_end.astimezone(tz).strftime("%H:%M"),
        place=place,
        worker_name=f"{account.first_name} {account.last_name}" if account else "",
        employee_number=worker.employee_number if worker else "",
        minutes=minutes,
        planned_duration=True,
        hourly_rate_cents=rate,
        vat_rate_bp=service.vat_rate_bp,
        excl_cents=amounts.excl_cents,
        vat_cents=amounts.vat_cents,
        incl_cents=amounts.incl_cents,
        tax_credit_eligible=False,
        late_cancellation=True,
    )
