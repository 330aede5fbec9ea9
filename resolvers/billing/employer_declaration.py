"""Mandataire households: the month's employer declaration data, as the CESU asks for it.

A household in mandataire mode employs its workers and declares them each month to the
CESU (hours worked and net pay per employee). The agency prepares the figures from the
completed visits (agency rounding applied) and hands them over as a CSV in the order of
the CESU declaration's fields; the household and its agency's staff can download it.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from models.accounts.people import Agency, Client
from models.billing.tax_credit import ClientBillingProfile
from models.enums import InterventionStatus, ServiceMode
from models.visits.visits import Intervention
from resolvers.billing import invoicing
from resolvers.billing.invoices import household
from resolvers.billing.months import Month
from resolvers.core.errors import BadInput
from resolvers.core.runtime import Viewer
from services import billing
from services.spreadsheet import safe_row

HEADER = (
    "Période d'emploi",
    "N° client employeur",
    "Employeur",
    "Nom du salarié",
    "Prénom du salarié",
    "Matricule du salarié",
    "Nombre d'heures travaillées",
    "Salaire horaire net (€)",
    "Salaire net total (€)",
    "Nombre d'interventions",
)
MAX_WAGE_CENTS = 100_00


def hundredths(minutes: int) -> int:
    """Hours in hundredths, rounded half up (90 minutes → 150)."""
    return billing.div_half_up(minutes * 100, 60)


@dataclass(frozen=True)
class DeclarationRow:
    last_name: str
    first_name: str
    employee_number: str
    minutes: int
    visits: int
    net_hourly_cents: int

    @property
    def net_pay_cents(self) -> int:
        return billing.div_half_up(self.minutes * self.net_hourly_cents, 60)


@dataclass(frozen=True)
class Declaration:
    month: str
    client_number: str
    employer: str
    rows: list[DeclarationRow]

    @property
    def filename(self) -> str:
        return f"declaration-cesu-{self.client_number}-{self.month}.csv"

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        for row in self.rows:
            cells = (
                self.month,
                self.client_number,
                self.employer,
                row.last_name,
                row.first_name,
                row.employee_number,
                billing.money_fr(hundredths(row.minutes)),
                billing.money_fr(row.net_hourly_cents),
                billing.money_fr(row.net_pay_cents),
                str(row.visits),
            )
            writer.writerow(safe_row(list(cells)))
        return out.getvalue()


async def declaration(
    viewer: Viewer | None, client_id: int | None, month_text: str, net_hourly_wage: str
) -> Declaration:
    month = Month.parse(month_text)
    try:
        wage = billing.parse_money(net_hourly_wage)
    except ValueError:
        raise BadInput("Salaire horaire net invalide (ex. 12.50).") from None
    if not 0 < wage <= MAX_WAGE_CENTS:
        raise BadInput("Salaire horaire net hors limites.")
    client = await household(viewer, client_id)
    if client is None:
        raise BadInput("Client inconnu.")
    profile = await ClientBillingProfile.get_or_none(client_id=client.id)
    if profile is None or profile.service_mode != ServiceMode.MANDATAIRE:
        raise BadInput("Réservé aux foyers en mode mandataire (employeurs de leurs intervenants).")
    return await _build(client, month, wage)


async def _build(client: Client, month: Month, wage: int) -> Declaration:
    agency = await Agency.get(id=client.agency_id)
    await client.fetch_related("account")
    start, end = month.bounds(ZoneInfo(agency.time_zone))
    rule = await invoicing.billing_rule(agency.id)
    visits = await Intervention.filter(
        client_id=client.id,
        status=InterventionStatus.COMPLETED,
        scheduled_start__gte=start,
        scheduled_start__lt=end,
        worker_id__not_isnull=True,
    ).prefetch_related("worker__account")
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    names: dict[int, tuple[str, str, str]] = {}
    for visit in visits:
        assert visit.worker is not None
        account = visit.worker.account
        names[visit.worker.id] = (
            account.last_name,
            account.first_name,
            visit.worker.employee_number,
        )
        totals[visit.worker.id][0] += invoicing.worked_minutes(visit, rule)[0]
        totals[visit.worker.id][1] += 1
    rows = [
        DeclarationRow(*names[wid], minutes=minutes, visits=count, net_hourly_cents=wage)
        for wid, (minutes, count) in sorted(totals.items(), key=lambda kv: names[kv[0]])
    ]
    employer = f"{client.account.first_name} {client.account.last_name}"
    return Declaration(str(month), client.client_number, employer, rows)
