"""Reading invoices (scoped to the viewer), credit notes, and the client billing facts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from models.accounts.people import Agency, Client
from models.billing.invoices import BilledVisit, Invoice, InvoiceLine
from models.billing.tax_credit import ClientBillingProfile
from models.enums import AdvanceStatus, EventType, InvoiceKind, InvoiceStatus, Role, ServiceMode
from resolvers.billing import amending, invoicing
from resolvers.core import guards
from resolvers.core.errors import BadInput, Forbidden, UserError, user_error
from resolvers.core.lookups import client_id_for
from resolvers.core.prepared import PreparedRows, get_by_id, listed, numbered
from resolvers.core.runtime import Runtime, Viewer
from services.clock import today_in, utcnow
from subscriptions import events

MAX_REASON = 500
MAX_HOUSEHOLD = 20


def shown_status(invoice: Invoice, today: date) -> InvoiceStatus:
    """OVERDUE is never stored: an unpaid invoice past its due date shows it."""
    return status_shown(invoice.status, invoice.kind, invoice.due_on, today)


def status_shown(stored: Any, kind: Any, due_on: date, today: date) -> InvoiceStatus:
    """`shown_status` from an invoice's columns."""
    status = stored if type(stored) is InvoiceStatus else InvoiceStatus(stored)
    payable = kind in (InvoiceKind.INVOICE, InvoiceKind.CORRECTION)
    late = payable and due_on < today
    if late and status in (InvoiceStatus.ISSUED, InvoiceStatus.PARTLY_PAID):
        return InvoiceStatus.OVERDUE
    return status


async def household(viewer: Viewer | None, client_id: int | None) -> Client | None:
    """The viewer's own household, or (staff, with `client_id`) one of their agency's.

    None when it is not the viewer's to see, like `node(id:)`.
    """
    viewer = guards.signed_in(viewer)
    if _staff_asks(viewer, client_id):
        return await Client.get_or_none(id=client_id, agency_id=viewer.agency_id)
    own = await _own_household(viewer, client_id)
    return None if own is None else await get_by_id(Client, own)


async def household_id(viewer: Viewer | None, client_id: int | None) -> int | None:
    """`household`'s id, for what needs no more: a household's own is the one its session
    carries (no statement)."""
    viewer = guards.signed_in(viewer)
    if _staff_asks(viewer, client_id):
        found = await Client.filter(id=client_id, agency_id=viewer.agency_id).values("id")
        return int(found[0]["id"]) if found else None
    return await _own_household(viewer, client_id)


def _staff_asks(viewer: Viewer, client_id: int | None) -> bool:
    """Whether staff ask (for `client_id`, which they must name); refuses anyone else but
    a household."""
    if viewer.is_staff and viewer.agency_id is not None:
        if client_id is None:
            raise BadInput("Indiquez le client (clientId).")
        return True
    if viewer.role is not Role.CLIENT:
        raise Forbidden("Réservé aux clients et au personnel de l'agence.")
    return False


async def _own_household(viewer: Viewer, client_id: int | None) -> int | None:
    own = await client_id_for(viewer)
    return None if own is None or client_id not in (None, own) else own


@dataclass(frozen=True)
class _Visible:
    """What a viewer may see of the invoices, as named inputs (`agency` or `own`, and
    `year`), for SQL written once per shape (`page_rows`) or a queryset (`query`)."""

    inputs: dict[str, Any]
    staff: bool
    archive: bool  # staff other than ADMIN: an erased household's invoices stay hidden

    def query(self, v: Mapping[str, Any]) -> QuerySet[Invoice]:
        if self.staff:
            query = Invoice.filter(agency_id=v["agency"])
        else:
            query = Invoice.filter(client_id=v["own"])
        if self.archive:
            # An erased household's invoices are a legal archive: ADMIN only (docs/privacy.md).
            query = query.filter(client__erased_at=None)
        return query.filter(year=v["year"]) if "year" in v else query


async def _visible(viewer: Viewer | None, year: int | None) -> _Visible:
    """Who asks, and which invoices that opens: a client its own, staff their agency's."""
    viewer = guards.signed_in(viewer)
    if viewer.is_staff and viewer.agency_id is not None:
        found = _Visible({"agency": viewer.agency_id}, True, viewer.role is not Role.ADMIN)
    elif viewer.role is Role.CLIENT:
        own = await client_id_for(viewer)  # carried by the session: no statement
        if own is None:
            raise Forbidden()
        found = _Visible({"own": own}, False, False)
    else:
        raise Forbidden("Réservé aux clients et au personnel de l'agence.")
    if year is not None:
        if not 2000 <= year <= 2100:
            raise BadInput("Année hors limites.")
        found.inputs["year"] = year
    return found


async def visible_invoices(viewer: Viewer | None, year: int | None) -> QuerySet[Invoice]:
    """A queryset of the invoices `viewer` may see: a client its own, staff their agency's."""
    visible = await _visible(viewer, year)
    return visible.query(visible.inputs)


async def page(
    viewer: Viewer | None,
    year: int | None,
    size: int,
    before_id: int | None,
    client_id: int | None = None,
) -> list[Invoice]:
    """Newest first; `size + 1` rows so the caller knows whether there is more."""
    query = await visible_invoices(viewer, year)
    if client_id is not None:
        query = query.filter(client_id=client_id)
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    return list(await query.order_by("-id").limit(size + 1))


_INVOICE_ROWS = PreparedRows(Invoice, ("id",))
_LINE_ROWS = PreparedRows(InvoiceLine, ("invoice_id",))


async def page_rows(
    viewer: Viewer | None,
    year: int | None,
    size: int,
    before_id: int | None,
    client_id: int | None,
    columns: tuple[str, ...],
) -> list[dict[str, Any]]:
    """`page` as rows of `columns` (and `id`), the SQL written once per shape: the same
    invoices, in the same order, by the same rules (`_visible`)."""
    visible = await _visible(viewer, year)
    inputs = {**visible.inputs, "take": size + 1}
    if client_id is not None:
        inputs["client"] = client_id
    if before_id is not None:
        inputs["before"] = before_id

    def build(v: Mapping[str, Any]) -> QuerySet[Invoice]:
        query = visible.query(v)
        if "client" in v:
            query = query.filter(client_id=v["client"])
        if "before" in v:
            query = query.filter(id__lt=v["before"])
        return query.order_by("-id").limit(v["take"])

    shape = (visible.staff, visible.archive, *sorted(inputs))
    return await _INVOICE_ROWS.fetch(shape, build, inputs, tuple(dict.fromkeys(("id", *columns))))


async def can_see(viewer: Viewer | None, invoice: Invoice) -> bool:
    if viewer is None:
        return False
    if viewer.is_staff:
        if viewer.agency_id != invoice.agency_id:
            return False
        return (
            viewer.role is Role.ADMIN
            or not await Client.filter(id=invoice.client_id, erased_at__not_isnull=True).exists()
        )
    if viewer.role is Role.CLIENT:
        return await client_id_for(viewer) == invoice.client_id
    return False


async def by_id(viewer: Viewer | None, pk: int) -> Invoice | None:
    invoice = await Invoice.get_or_none(id=pk)
    return invoice if invoice is not None and await can_see(viewer, invoice) else None


async def lines_of(invoice_id: int) -> list[InvoiceLine]:
    return list(await InvoiceLine.filter(invoice_id=invoice_id).order_by("position"))


async def lines_by_invoice(invoice_ids: list[int]) -> list[list[InvoiceLine]]:
    """The lines of several invoices in one query, in the order of `invoice_ids`."""
    rows = await InvoiceLine.filter(invoice_id__in=invoice_ids).order_by("invoice_id", "position")
    grouped: dict[int, list[InvoiceLine]] = {pk: [] for pk in invoice_ids}
    for row in rows:
        grouped[row.invoice_id].append(row)
    return [grouped[pk] for pk in invoice_ids]


async def line_rows_by_invoice(
    invoice_ids: list[int], columns: Sequence[str]
) -> dict[int, list[dict[str, Any]]]:
    """`lines_by_invoice` as rows of `columns`, by invoice, in the same order."""
    wanted = tuple(dict.fromkeys(("invoice_id", *columns)))
    ids = numbered("invoice", invoice_ids)
    rows = await _LINE_ROWS.fetch(
        ("of invoices", len(ids)),
        lambda v: InvoiceLine.filter(invoice_id__in=listed(v, "invoice", len(ids))).order_by(
            "invoice_id", "position"
        ),
        ids,
        wanted,
    )
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["invoice_id"], []).append(row)
    return grouped


def today_for(agency_time_zone: str = "Europe/Paris") -> date:
    return today_in(agency_time_zone)


@dataclass(frozen=True)
class CreditResult:
    credit_note: Invoice | None
    user_errors: list[UserError]


async def issue_credit_note(
    rt: Runtime, viewer: Viewer | None, invoice_id: int, reason: str
) -> CreditResult:
    """Cancels an issued invoice with a credit note of the opposite amounts.

    The invoice itself is never changed (its status becomes CREDITED); its visits can be
    invoiced again, e.g. after a correction of the hours.
    """
    staff = guards.staff(viewer)
    reason = reason.strip()
    if not 1 <= len(reason) <= MAX_REASON:
        return _not_credited("reason", "Indiquez un motif (500 caractères au plus).", "INVALID")
    invoice = await Invoice.get_or_none(id=invoice_id, agency_id=staff.agency_id)
    if invoice is None:
        return _not_credited("invoiceId", "Facture inconnue.", "NOT_FOUND")
    agency = await Agency.get(id=invoice.agency_id)
    issued_on = today_in(agency.time_zone)
    await invoicing.ensure_counter(agency.id, issued_on.year)
    async with in_transaction():
        counter = await invoicing.lock_counter(agency.id, issued_on.year)
        now = utcnow()
        invoice = await Invoice.filter(id=invoice.id).select_for_update().get()
        if invoice.kind != InvoiceKind.INVOICE or invoice.status == InvoiceStatus.CREDITED:
            return _not_credited("invoiceId", "Cette facture est déjà annulée.", "ALREADY_CREDITED")
        sequence = await invoicing.take_number(counter)
        note = await _credit_note(invoice, issued_on, sequence, reason, now, staff.account_id)
        await _opposite_lines(invoice, note)
        await Invoice.filter(id=invoice.id).update(status=InvoiceStatus.CREDITED)
        await BilledVisit.filter(invoice_id=invoice.id).delete()
        event = await events.record_event(
            EventType.CREDIT_NOTE_ISSUED,
            now,
            agency_id=note.agency_id,
            client_id=note.client_id,
            subject_id=note.id,
        )
    await events.publish(rt.bus, [event])
    return CreditResult(note, [])


def _not_credited(field: str, message: str, code: str) -> CreditResult:
    return CreditResult(None, [user_error(field, message, code)])


async def _credit_note(
    invoice: Invoice,
    issued_on: date,
    sequence: int,
    reason: str,
    now: datetime,
    author_id: int,
) -> Invoice:
    """The credit note: the invoice's legal mentions, its amounts negated."""
    return await Invoice.create(
        **amending.numbered(InvoiceKind.CREDIT_NOTE, sequence, issued_on, now),
        due_on=issued_on,
        credited_invoice_id=invoice.id,
        credit_reason=reason,
        total_excl_cents=-invoice.total_excl_cents,
        vat_cents=-invoice.vat_cents,
        total_incl_cents=-invoice.total_incl_cents,
        eligible_cents=-invoice.eligible_cents,
        advance_cents=-invoice.advance_cents,
        amount_due_cents=-invoice.amount_due_cents,
        advance_status=AdvanceStatus.TO_SEND if invoice.advance_cents else None,
        created_by_id=author_id,
        **amending.legal_mentions(invoice),
    )


async def _opposite_lines(invoice: Invoice, note: Invoice) -> None:
    """The invoice's lines on the credit note, in the same order, quantities negated."""
    await InvoiceLine.bulk_create(
        [
            InvoiceLine(
                invoice_id=note.id,
                intervention_id=line.intervention_id,
                position=line.position,
                label=line.label,
                service_date=line.service_date,
                start_time=line.start_time,
                end_time=line.end_time,
                place=line.place,
                worker_name=line.worker_name,
                employee_number=line.employee_number,
                minutes=-line.minutes,
                planned_duration=line.planned_duration,
                hourly_rate_cents=line.hourly_rate_cents,
                vat_rate_bp=line.vat_rate_bp,
                excl_cents=-line.excl_cents,
                vat_cents=-line.vat_cents,
                incl_cents=-line.incl_cents,
                tax_credit_eligible=line.tax_credit_eligible,
                late_cancellation=line.late_cancellation,
                travel=line.travel,
            )
            for line in await lines_of(invoice.id)
        ]
    )


@dataclass(frozen=True)
class ProfileData:
    client_id: int
    service_mode: ServiceMode
    advance_enrolled: bool
    dependants: int
    members_over_65: int
    disability: bool
    first_direct_employment_year: int | None


@dataclass(frozen=True)
class ProfileResult:
    profile: ClientBillingProfile | None
    user_errors: list[UserError]


async def set_profile(viewer: Viewer | None, data: ProfileData) -> ProfileResult:
    """Staff record a household's billing facts (mode, advance enrolment, ceiling facts)."""
    staff = guards.staff(viewer)
    client = await Client.get_or_none(id=data.client_id, agency_id=staff.agency_id)
    if client is None:
        return ProfileResult(None, [user_error("clientId", "Client inconnu.", "NOT_FOUND")])
    errors = []
    for field, value in (("dependants", data.dependants), ("membersOver65", data.members_over_65)):
        if not 0 <= value <= MAX_HOUSEHOLD:
            errors.append(user_error(field, "Entre 0 et 20.", "OUT_OF_RANGE"))
    year = data.first_direct_employment_year
    if year is not None and not 2000 <= year <= today_for().year:
        errors.append(user_error("firstDirectEmploymentYear", "Année invalide.", "OUT_OF_RANGE"))
    if errors:
        return ProfileResult(None, errors)
    values = {
        "service_mode": data.service_mode,
        "advance_enrolled": data.advance_enrolled,
        "dependants": data.dependants,
        "members_over_65": data.members_over_65,
        "disability": data.disability,
        "first_direct_employment_year": year,
    }
    profile, _ = await ClientBillingProfile.update_or_create(client_id=client.id, defaults=values)
    return ProfileResult(profile, [])
