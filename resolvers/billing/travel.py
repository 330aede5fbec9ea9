"""Travel costs on the monthly invoice, and invoices of an agency exempt from VAT.

An agency that bills travel costs puts them on their own line after each visit
(Code du travail D.7233-1, arrêté du 17 mars 2015: "le cas échéant, les frais de
déplacement"). They open the tax credit when they are billed with a service that does
(BOI-IR-RICI-150-20, the administration's commentary of CGI art. 199 sexdecies):
the line takes the eligibility of its visit's service. In mandataire mode the household
employs the worker and pays their travel as employer: the agency bills none.
"""

from __future__ import annotations

from models.billing.invoices import AgencyBillingRule, InvoiceLine
from models.enums import ServiceMode
from services import billing

TRAVEL_LABEL = "Frais de déplacement"


def travel_line(visit_line: InvoiceLine, rule: AgencyBillingRule, vat_rate_bp: int) -> InvoiceLine:
    """The flat travel charge of the visit billed on `visit_line` (one per visit)."""
    excl = rule.travel_fee_cents
    vat = billing.div_half_up(excl * vat_rate_bp, 10_000)
    return InvoiceLine(
        intervention_id=visit_line.intervention_id,
        position=0,
        label=TRAVEL_LABEL,
        service_date=visit_line.service_date,
        start_time=visit_line.start_time,
        end_time=visit_line.end_time,
        place=visit_line.place,
        worker_name=visit_line.worker_name,
        employee_number=visit_line.employee_number,
        minutes=0,
        planned_duration=False,
        hourly_rate_cents=excl,
        vat_rate_bp=vat_rate_bp,
        excl_cents=excl,
        vat_cents=vat,
        incl_cents=excl + vat,
        tax_credit_eligible=visit_line.tax_credit_eligible,
        travel=True,
    )


def with_travel(
    lines: list[InvoiceLine], rule: AgencyBillingRule, mode: ServiceMode
) -> list[InvoiceLine]:
    """Each performed visit followed by its travel line, positions renumbered."""
    if rule.travel_fee_cents <= 0 or mode is ServiceMode.MANDATAIRE:
        return lines
    out: list[InvoiceLine] = []
    for line in lines:
        out.append(line)
        if not line.late_cancellation:
            out.append(travel_line(line, rule, line.vat_rate_bp))
    for position, line in enumerate(out, 1):
        line.position = position
    return out


def without_vat(lines: list[InvoiceLine]) -> list[InvoiceLine]:
    """An agency under the franchise en base (CGI art. 293 B) charges no VAT."""
    for line in lines:
        line.vat_rate_bp = 0
        line.vat_cents = 0
        line.incl_cents = line.excl_cents
    return lines
