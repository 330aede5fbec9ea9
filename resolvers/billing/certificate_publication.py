"""Publishing tax certificates: a January job, staff before 31 March, corrected versions.

The provider hands each household its certificate for the past year (Code du travail
D.7233-4) in time for the income tax return: Passage publishes them from 1 January,
from a job every process runs, and never after 31 March unless staff say so explicitly
(`allowLate`). Each certificate is claimed by inserting its row, unique per household
and year, in the transaction that notifies the household and writes the event: a second
process fails on the key and moves on, so a household is told once.

A published certificate whose figures no longer match the year's documents (a credit note,
a refused advance, a late payment) is corrected: the old version is copied into
SupersededCertificate, the row takes the new figures and version, the household is told.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError, TransactionManagementError
from tortoise.transactions import in_transaction

from models.accounts.people import Agency, Client
from models.billing.invoices import Invoice, Payment
from models.billing.tax_credit import SupersededCertificate, TaxCertificate
from models.enums import EventType, NotificationTopic
from models.events import Event
from notifications import texts
from notifications.notify import notify_client
from resolvers.billing import certificates
from resolvers.core import guards
from resolvers.core.errors import BadInput
from resolvers.core.runtime import Runtime, Viewer
from services.clock import today_in, utcnow
from subscriptions import events


def deadline(year: int) -> date:
    """Certificates of `year` are due by 31 March of the next year."""
    return date(year + 1, 3, 31)


async def households(agency_id: int, year: int) -> list[int]:
    """Households with documents for services of `year` or payments received in it."""
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    paid = await Payment.filter(
        client__agency_id=agency_id, received_on__gte=start, received_on__lt=end
    ).values("client_id")
    billed = await Invoice.filter(
        agency_id=agency_id, period_start__gte=start, period_start__lt=end
    ).values("client_id")
    return sorted({int(row["client_id"]) for row in [*paid, *billed]})


async def published_households(agency_id: int, year: int) -> set[int]:
    rows = await TaxCertificate.filter(client__agency_id=agency_id, year=year).values("client_id")
    return {int(row["client_id"]) for row in rows}


def _values(figures: certificates.Figures) -> dict[str, Any]:
    return {
        "amount_paid_cents": figures.household_cents,
        "eligible_cents": figures.eligible_cents,
        "advance_cents": figures.advance_cents,
        "aid_cents": figures.aid_cents,
        "cesu_cents": figures.cesu_cents,
    }


async def publish_one(client_id: int, year: int, now: datetime) -> Event | None:
    """Publishes one household's certificate; None when another run already did."""
    client = await Client.get(id=client_id).prefetch_related("account")
    agency = await Agency.get(id=client.agency_id)
    issued_on = now.astimezone(ZoneInfo(agency.time_zone)).date()
    figures = await certificates.figures(client_id, year)
    try:
        async with in_transaction():
            stored = await TaxCertificate.create(
                client_id=client_id,
                year=year,
                version=1,
                issued_on=issued_on,
                published_at=now,
                **_values(figures),
            )
            notice = texts.billing.certificate_published(
                client.account.first_name, year, figures.declarable_cents, figures.advance_cents
            )
            await notify_client(client.account, NotificationTopic.BILLING, notice)
            return await events.record_event(
                EventType.CERTIFICATE_PUBLISHED,
                now,
                agency_id=client.agency_id,
                client_id=client_id,
                subject_id=stored.id,
            )
    except (IntegrityError, TransactionManagementError):
        return None  # claimed by another process


async def correct_one(client_id: int, year: int, now: datetime) -> Event | None:
    """A corrected version when the year's documents changed since publication."""
    if not await TaxCertificate.exists(client_id=client_id, year=year):
        return None
    figures = await certificates.figures(client_id, year)
    async with in_transaction():
        stored = (
            await TaxCertificate.filter(client_id=client_id, year=year).select_for_update().first()
        )
        if stored is None or certificates.stored_figures(stored) == figures:
            return None
        client = await Client.get(id=client_id).prefetch_related("account")
        agency = await Agency.get(id=client.agency_id)
        await SupersededCertificate.create(
            certificate_id=stored.id,
            version=stored.version,
            issued_on=stored.issued_on,
            published_at=stored.published_at,
            superseded_at=now,
            **_values(certificates.stored_figures(stored)),
        )
        version = stored.version + 1
        await TaxCertificate.filter(id=stored.id).update(
            version=version,
            issued_on=now.astimezone(ZoneInfo(agency.time_zone)).date(),
            published_at=now,
            **_values(figures),
        )
        notice = texts.billing.certificate_corrected(
            client.account.first_name,
            year,
            version,
            figures.declarable_cents,
            figures.advance_cents,
        )
        await notify_client(client.account, NotificationTopic.BILLING, notice)
        return await events.record_event(
            EventType.CERTIFICATE_CORRECTED,
            now,
            agency_id=client.agency_id,
            client_id=client_id,
            subject_id=stored.id,
        )


async def publish_year(rt: Runtime, agency_id: int, year: int, now: datetime) -> int:
    """Publishes the agency's certificates of `year` not yet published; returns how many."""
    done = await published_households(agency_id, year)
    count = 0
    for client_id in sorted(set(await households(agency_id, year)) - done):
        event = await publish_one(client_id, year, now)
        if event is not None:
            await events.publish(rt.bus, [event])
            count += 1
    if count:
        rt.mailer.wake()
    return count


async def publish(rt: Runtime, viewer: Viewer | None, year: int, allow_late: bool = False) -> int:
    """Staff publish the past year's certificates; after 31 March only with `allow_late`."""
    staff = guards.staff(viewer)
    assert staff.agency_id is not None
    certificates.check_year(year)
    agency = await Agency.get(id=staff.agency_id)
    today = today_in(agency.time_zone)
    if today > deadline(year) and not allow_late:
        raise BadInput(
            f"Les attestations {year} devaient être remises avant le "
            f"{deadline(year):%d/%m/%Y} : confirmez la publication tardive (allowLate)."
        )
    return await publish_year(rt, staff.agency_id, year, utcnow())


async def correct_year(rt: Runtime, agency_id: int, year: int, now: datetime) -> int:
    count = 0
    for client_id in sorted(await published_households(agency_id, year)):
        event = await correct_one(client_id, year, now)
        if event is not None:
            await events.publish(rt.bus, [event])
            count += 1
    if count:
        rt.mailer.wake()
    return count


async def after_change(rt: Runtime, invoice_id: int | None) -> None:
    """After a document of a past year changed: correct its published certificate."""
    if invoice_id is None:
        return
    invoice = await Invoice.get_or_none(id=invoice_id)
    if invoice is None:
        return
    year = invoice.period_start.year
    event = await correct_one(invoice.client_id, year, utcnow())
    if event is not None:
        await events.publish(rt.bus, [event])
        rt.mailer.wake()


async def step(rt: Runtime, now: datetime | None = None) -> tuple[int, int]:
    """One round of the job: (published, corrected) over every agency."""
    now = now or utcnow()
    published = corrected = 0
    for agency in await Agency.all().order_by("id"):
        today = now.astimezone(ZoneInfo(agency.time_zone)).date()
        year = today.year - 1
        if today <= deadline(year):
            published += await publish_year(rt, agency.id, year, now)
        corrected += await correct_year(rt, agency.id, year, now)
    return published, corrected
