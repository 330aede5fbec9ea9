"""Mandataire mode: hours per worker and month for the employer's declaration, and payslips.

A household in mandataire mode is the legal employer (seed: "fiches de paie des
intervenants quand vous optez pour la gestion en mode mandataire"): staff attach each
worker's monthly payslip (PDF), the household downloads it through a signed link.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from models.accounts.people import Agency, Client, Worker
from models.billing.mandates import Payslip
from models.billing.tax_credit import ClientBillingProfile
from models.enums import InterventionStatus, ServiceMode
from models.visits.visits import Intervention
from resolvers.billing import invoicing
from resolvers.billing.invoices import household
from resolvers.billing.months import Month
from resolvers.core import guards
from resolvers.core.errors import BadInput, UserError, user_error
from resolvers.core.runtime import Runtime, Viewer
from services.clock import utcnow

FILENAME = re.compile(r"^[\w\- .()À-ÿ]{1,116}\.pdf$", re.IGNORECASE)
PAYSLIP_FIELDS = ("id", "year", "month", "filename", "size", "worker_id", "client_id")


@dataclass(frozen=True)
class MonthHours:
    worker_name: str
    employee_number: str
    month: str
    visits: int
    minutes: int


async def _client_for(viewer: Viewer | None, client_id: int | None) -> Client:
    """A household itself, or one of the staff member's agency (with `client_id`)."""
    client = await household(viewer, client_id)
    if client is None:
        raise BadInput("Client inconnu.")
    return client


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise BadInput("Année hors limites.")


async def hours(viewer: Viewer | None, client_id: int | None, year: int) -> list[MonthHours]:
    """Worked hours per worker and month of one household (agency rounding applied)."""
    _check_year(year)
    client = await _client_for(viewer, client_id)
    agency = await Agency.get(id=client.agency_id)
    tz = ZoneInfo(agency.time_zone)
    rule = await invoicing.billing_rule(agency.id)
    visits = await Intervention.filter(
        client_id=client.id,
        status=InterventionStatus.COMPLETED,
        scheduled_start__gte=datetime(year, 1, 1, tzinfo=tz),
        scheduled_start__lt=datetime(year + 1, 1, 1, tzinfo=tz),
        worker_id__not_isnull=True,
    ).prefetch_related("worker__account")
    totals: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    workers: dict[int, Worker] = {}
    for visit in visits:
        assert visit.worker is not None
        workers[visit.worker.id] = visit.worker
        key = (f"{visit.scheduled_start.astimezone(tz):%Y-%m}", visit.worker.id)
        totals[key][0] += 1
        totals[key][1] += invoicing.worked_minutes(visit, rule)[0]
    return [
        MonthHours(
            worker_name=f"{workers[wid].account.first_name} {workers[wid].account.last_name}",
            employee_number=workers[wid].employee_number,
            month=month,
            visits=count,
            minutes=minutes,
        )
        for (month, wid), (count, minutes) in sorted(totals.items())
    ]


@dataclass(frozen=True)
class PayslipData:
    client_id: int
    worker_id: int
    month: str
    filename: str
    content_base64: str


@dataclass(frozen=True)
class PayslipResult:
    payslip: Payslip | None
    user_errors: list[UserError]


def _fail(field: str, message: str, code: str) -> PayslipResult:
    return PayslipResult(None, [user_error(field, message, code)])


def _decode_pdf(text: str, max_bytes: int) -> bytes | str:
    """The PDF bytes, or the code of what is wrong with them."""
    if len(text) > (max_bytes * 4) // 3 + 8:
        return "TOO_LARGE"
    try:
        content = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return "INVALID_BASE64"
    if len(content) > max_bytes:
        return "TOO_LARGE"
    if not content.startswith(b"%PDF-") or b"%%EOF" not in content[-1024:]:
        return "NOT_A_PDF"
    return content


async def upload_payslip(rt: Runtime, viewer: Viewer | None, data: PayslipData) -> PayslipResult:
    staff = guards.staff(viewer)
    client = await Client.get_or_none(id=data.client_id, agency_id=staff.agency_id)
    if client is None:
        return _fail("clientId", "Client inconnu.", "NOT_FOUND")
    worker = await Worker.get_or_none(id=data.worker_id, agency_id=staff.agency_id)
    if worker is None:
        return _fail("workerId", "Intervenant inconnu.", "NOT_FOUND")
    profile = await ClientBillingProfile.get_or_none(client_id=client.id)
    if profile is None or profile.service_mode != ServiceMode.MANDATAIRE:
        return _fail("clientId", "Ce client n'est pas en mode mandataire.", "NOT_MANDATAIRE")
    try:
        month = Month.parse(data.month)
    except BadInput as exc:
        return _fail("month", str(exc), "INVALID_MONTH")
    if month.first_day > utcnow().date():
        return _fail("month", "Ce mois n'a pas commencé.", "INVALID_MONTH")
    filename = data.filename.strip()
    if not FILENAME.match(filename):
        return _fail(
            "filename", "Nom de fichier .pdf attendu (120 caractères au plus).", "BAD_NAME"
        )
    content = _decode_pdf(data.content_base64, rt.settings.payslip_max_bytes)
    if isinstance(content, str):
        messages = {
            "TOO_LARGE": f"Fichier trop lourd ({rt.settings.payslip_max_bytes} octets au plus).",
            "INVALID_BASE64": "Contenu illisible (base64 attendu).",
            "NOT_A_PDF": "Seuls les fichiers PDF sont acceptés.",
        }
        return _fail("contentBase64", messages[content], content)
    values = {
        "filename": filename,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "content": content,
        "uploaded_by_id": staff.account_id,
        "uploaded_at": utcnow(),
    }
    # A corrected payslip replaces the month's.
    payslip, _ = await Payslip.update_or_create(
        client_id=client.id,
        worker_id=worker.id,
        year=month.year,
        month=month.month,
        defaults=values,
    )
    return PayslipResult(payslip, [])


@dataclass(frozen=True)
class PayslipRecord:
    id: int
    year: int
    month: int
    filename: str
    size: int
    worker_name: str
    employee_number: str


async def payslips(viewer: Viewer | None, client_id: int | None, year: int) -> list[PayslipRecord]:
    _check_year(year)
    client = await _client_for(viewer, client_id)
    rows = (
        await Payslip.filter(client_id=client.id, year=year)
        .order_by("month", "worker_id")
        .values(
            *PAYSLIP_FIELDS,
            "worker__employee_number",
            "worker__account__first_name",
            "worker__account__last_name",
        )
    )
    return [
        PayslipRecord(
            id=row["id"],
            year=row["year"],
            month=row["month"],
            filename=row["filename"],
            size=row["size"],
            worker_name=f"{row['worker__account__first_name']} {row['worker__account__last_name']}",
            employee_number=row["worker__employee_number"],
        )
        for row in rows
    ]
