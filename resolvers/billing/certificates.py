"""The yearly tax certificate (attestation fiscale, Code du travail D.7233-4): its figures.

Everything is counted on the documents of the year's services (invoices, credit notes and
corrective invoices whose period starts in the year):

- eligible expenses: the amounts incl. tax of the lines that open the tax credit;
- the immediate advance actually received: advances URSSAF PAID, never those refused,
  cancelled or still on their way;
- other aid apart: APA and PCH paid by the département, prepaid CESU (exempt aid that the
  household must deduct, CGI art. 199 sexdecies);
- what the household paid itself, the eligible part of its own payments;
- per worker, the hours of each month; the nature of the services and their hourly price.

A published certificate keeps its figures (models.billing.tax_credit.TaxCertificate); a later
change of the year's documents makes a corrected version
(resolvers.billing.certificate_publication).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from models.accounts.people import Agency, Client
from models.billing.invoices import Invoice, InvoiceLine, Payment
from models.billing.tax_credit import ClientBillingProfile, TaxCertificate
from models.enums import AdvanceStatus, InvoiceKind, InvoiceStatus, PaymentMethod, ServiceMode
from resolvers.billing import invoicing, tax_credit
from resolvers.billing.invoices import household, today_for
from resolvers.core.errors import BadInput
from resolvers.core.runtime import Viewer
from services import billing

AID_METHODS = (PaymentMethod.APA, PaymentMethod.PCH)
CESU_NOTICE = (
    "Des CESU préfinancés ont servi au paiement : leur montant est déduit de la somme "
    "ouvrant droit au crédit d'impôt, car l'aide de votre employeur ou organisme est "
    "exonérée (article 199 sexdecies du CGI)."
)
AID_NOTICE = (
    "Les aides APA et PCH versées pour ces services sont déduites de la somme ouvrant droit "
    "au crédit d'impôt (article 199 sexdecies du CGI)."
)


@dataclass
class WorkerHours:
    name: str
    employee_number: str
    # "2025-03" → (dates, minutes)
    months: dict[str, tuple[list[date], int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Figures:
    """The money of a certificate, the part a published version keeps."""

    eligible_cents: int  # eligible expenses of the year's services, incl. tax
    advance_cents: int  # immediate advance received (PAID)
    aid_cents: int  # APA and PCH
    cesu_cents: int  # prepaid CESU
    household_cents: int  # eligible part of what the household paid itself

    @property
    def declarable_cents(self) -> int:
        """Sums actually paid that open the tax credit: the household's and the advance."""
        return self.household_cents + self.advance_cents

    @property
    def unpaid_cents(self) -> int:
        """Not paid yet (or an advance still on its way): not declarable this year."""
        paid = self.advance_cents + self.aid_cents + self.cesu_cents + self.household_cents
        return max(0, self.eligible_cents - paid)


@dataclass(frozen=True)
class Service:
    label: str
    hourly_incl_cents: int


@dataclass(frozen=True)
class Certificate:
    year: int
    client_id: int
    agency_name: str
    agency_address: str
    sap_number: str
    sap_declared_on: date | None
    siret: str
    client_name: str
    client_address: str
    service_mode: ServiceMode
    figures: Figures
    ceiling_cents: int
    services: list[Service]
    workers: list[WorkerHours]
    published: bool
    version: int
    issued_on: date
    superseded_versions: int

    @property
    def amount_paid_cents(self) -> int:
        return self.figures.household_cents

    @property
    def notices(self) -> list[str]:
        notices = [AID_NOTICE] if self.figures.aid_cents else []
        return notices + ([CESU_NOTICE] if self.figures.cesu_cents else [])


def check_year(year: int) -> None:
    if not 2000 <= year < today_for().year:
        raise BadInput("L'attestation d'une année est disponible à partir de janvier suivant.")


async def figures(client_id: int, year: int) -> Figures:
    invoices = list(
        await Invoice.filter(
            client_id=client_id,
            period_start__gte=date(year, 1, 1),
            period_start__lt=date(year + 1, 1, 1),
        )
    )
    ids = [i.id for i in invoices]
    lines = await InvoiceLine.filter(invoice_id__in=ids).values_list(
        "invoice_id", "incl_cents", "tax_credit_eligible"
    )
    outside: dict[int, int] = defaultdict(int)
    eligible = 0
    for invoice_id, cents, ok in lines:
        if ok:
            eligible += int(cents)
        else:
            outside[int(invoice_id)] += int(cents)
    advance = sum(i.advance_cents for i in invoices if i.advance_status == AdvanceStatus.PAID)
    payments = await Payment.filter(invoice_id__in=ids)
    due = {i.id: i.amount_due_cents for i in invoices}
    own = [p for p in payments if p.method not in (*AID_METHODS, PaymentMethod.CESU)]
    return Figures(
        eligible_cents=eligible,
        advance_cents=advance,
        aid_cents=sum(p.amount_cents for p in payments if p.method in AID_METHODS),
        cesu_cents=sum(p.amount_cents for p in payments if p.method == PaymentMethod.CESU),
        household_cents=sum(
            billing.eligible_paid(p.amount_cents, due[p.invoice_id], outside[p.invoice_id])
            for p in own
        ),
    )


async def _services_and_workers(
    client_id: int, year: int
) -> tuple[list[Service], list[WorkerHours]]:
    lines = (
        await InvoiceLine.filter(
            invoice__client_id=client_id,
            invoice__kind=InvoiceKind.INVOICE,
            service_date__gte=date(year, 1, 1),
            service_date__lt=date(year + 1, 1, 1),
            # A late cancellation is charged, not performed; travel has no hours.
            late_cancellation=False,
            travel=False,
        )
        .exclude(invoice__status=InvoiceStatus.CREDITED)
        .order_by("service_date", "id")
    )
    services: dict[tuple[str, int], Service] = {}
    workers: dict[str, WorkerHours] = {}
    per_month: dict[tuple[str, str], tuple[list[date], int]] = defaultdict(lambda: ([], 0))
    for line in lines:
        rate = billing.div_half_up(line.hourly_rate_cents * (10_000 + line.vat_rate_bp), 10_000)
        services.setdefault((line.label, rate), Service(line.label, rate))
        key = line.employee_number or line.worker_name
        workers.setdefault(key, WorkerHours(line.worker_name, line.employee_number))
        month = f"{line.service_date:%Y-%m}"
        dates, minutes = per_month[(key, month)]
        per_month[(key, month)] = ([*dates, line.service_date], minutes + line.minutes)
    for (key, month), value in sorted(per_month.items()):
        workers[key].months[month] = value
    return list(services.values()), list(workers.values())


def stored_figures(stored: TaxCertificate) -> Figures:
    return Figures(
        eligible_cents=stored.eligible_cents,
        advance_cents=stored.advance_cents,
        aid_cents=stored.aid_cents,
        cesu_cents=stored.cesu_cents,
        household_cents=stored.amount_paid_cents,
    )


async def compute(client: Client, year: int) -> Certificate:
    """The certificate as published (its kept figures), or as it would be today."""
    agency = await Agency.get(id=client.agency_id)
    account = await client.account
    mentions = invoicing.legal_mentions(agency, client, account)
    stored = await TaxCertificate.get_or_none(client_id=client.id, year=year)
    issued_on = stored.issued_on if stored and stored.issued_on else None
    profile = await ClientBillingProfile.get_or_none(client_id=client.id)
    try:
        law: billing.Law | None = await tax_credit.law_for(year)
    except BadInput:  # a year older than the law table: no ceiling to show
        law = None
    services, workers = await _services_and_workers(client.id, year)
    return Certificate(
        year=year,
        client_id=client.id,
        agency_name=str(mentions["agency_name"]),
        agency_address=str(mentions["agency_address"]),
        sap_number=agency.sap_number,
        sap_declared_on=agency.sap_declared_on,
        siret=agency.siret,
        client_name=str(mentions["client_name"]),
        client_address=str(mentions["client_address"]),
        service_mode=ServiceMode(profile.service_mode) if profile else ServiceMode.PRESTATAIRE,
        figures=stored_figures(stored) if stored else await figures(client.id, year),
        ceiling_cents=(
            billing.yearly_ceiling(law, tax_credit.household(profile, year)) if law else 0
        ),
        services=services,
        workers=workers,
        published=stored is not None,
        version=stored.version if stored else 0,
        issued_on=issued_on or today_for(agency.time_zone),
        superseded_versions=(stored.version - 1) if stored else 0,
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
