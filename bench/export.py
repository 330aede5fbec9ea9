"""Time to build the data export of a household with a year of data (goal: under 5 s on
the embedded default, SQLite).

A year: two visits a week with check-in times and positions, a message and a rating a
week, twelve monthly invoices (one line per visit) each paid, a tax certificate. The ZIP
holds a JSON per domain and the PDFs of the invoices and the certificate.

    .venv/bin/python -m bench.export [--database-url postgres://…] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, date, datetime, timedelta

from bench import common


async def seed_year(agency_id: int) -> int:
    """One household of `agency_id` with a year of visits, messages, ratings and billing."""
    from models.billing.invoices import Invoice, InvoiceLine, Payment
    from models.billing.tax_credit import TaxCertificate
    from models.enums import InterventionStatus, PaymentMethod, ServiceMode
    from models.messaging import Conversation, Message
    from models.ratings import Rating
    from models.visits.visits import Intervention

    (person, address_id), *_ = await common.clients(agency_id, 1, "export")
    worker = (await common.workers(agency_id, 1, "export-worker"))[0]
    service = await common.service_type_id()
    client_id = person.record_id
    start = datetime(2025, 1, 6, 8, tzinfo=UTC)
    visits = []
    for week in range(52):
        for day in (0, 3):
            begin = start + timedelta(weeks=week, days=day)
            visits.append(
                Intervention(
                    agency_id=agency_id,
                    client_id=client_id,
                    address_id=address_id,
                    worker_id=worker.record_id,
                    service_type_id=service,
                    scheduled_start=begin,
                    scheduled_end=begin + timedelta(hours=2),
                    status=InterventionStatus.COMPLETED,
                    checked_in_at=begin + timedelta(minutes=3),
                    checked_out_at=begin + timedelta(minutes=123),
                    check_in_latitude=48.85,
                    check_in_longitude=2.38,
                )
            )
    await Intervention.bulk_create(visits, batch_size=500)
    rows = await Intervention.filter(client_id=client_id).order_by("scheduled_start")
    conversation = await Conversation.create(
        client_id=client_id, agency_id=agency_id, created_at=start, last_message_at=start
    )
    await Message.bulk_create(
        [
            Message(
                conversation_id=conversation.id,
                author_id=person.account_id,
                from_client=True,
                body=f"Message de la semaine {week} : merci de passer l'aspirateur sous le lit.",
                sent_at=start + timedelta(weeks=week),
            )
            for week in range(52)
        ]
    )
    await Rating.bulk_create(
        [
            Rating(
                intervention_id=visit.id,
                client_id=client_id,
                worker_id=worker.record_id,
                agency_id=agency_id,
                score=5,
                comment="Très bien, merci.",
                created_at=visit.scheduled_end,
                updated_at=visit.scheduled_end,
            )
            for visit in rows[::2]
        ]
    )
    for month in range(1, 13):
        of_month = [v for v in rows if v.scheduled_start.month == month]
        total = 2 * 2700 * len(of_month)
        invoice = await Invoice.create(
            agency_id=agency_id,
            client_id=client_id,
            service_mode=ServiceMode.PRESTATAIRE,
            year=2025,
            sequence=month,
            number=f"F2025-{month:05d}",
            issued_at=datetime(2025, month, 28, tzinfo=UTC),
            issued_on=date(2025, month, 28),
            due_on=date(2025, month, 28) + timedelta(days=15),
            period_start=date(2025, month, 1),
            period_end=date(2025, month, 28),
            total_excl_cents=total * 10 // 11,
            vat_cents=total - total * 10 // 11,
            total_incl_cents=total,
            amount_due_cents=total,
            paid_cents=total,
            agency_name="Agence Bench",
            agency_address="5 rue de l'Église, 75015 Paris",
            sap_number="SAP812345678",
            client_number=f"C{client_id:07d}",
            client_name="Jeanne Dupont",
            client_address="12 rue de Charonne, 75011 Paris",
        )
        await InvoiceLine.bulk_create(
            [
                InvoiceLine(
                    invoice_id=invoice.id,
                    intervention_id=visit.id,
                    position=position,
                    label="Ménage",
                    service_date=visit.scheduled_start.date(),
                    start_time="09:00",
                    end_time="11:00",
                    worker_name="Claire M.",
                    employee_number="M00001",
                    minutes=120,
                    hourly_rate_cents=2700,
                    vat_rate_bp=1000,
                    excl_cents=4909,
                    vat_cents=491,
                    incl_cents=5400,
                )
                for position, visit in enumerate(of_month, start=1)
            ]
        )
        await Payment.create(
            invoice_id=invoice.id,
            client_id=client_id,
            method=PaymentMethod.SEPA_DEBIT,
            amount_cents=total,
            received_on=date(2025, month, 28),
            created_at=datetime(2025, month, 28, tzinfo=UTC),
        )
    await TaxCertificate.create(
        client_id=client_id, year=2025, amount_paid_cents=560000, published_at=start
    )
    return client_id


async def main(database_url: str | None, runs: int) -> None:
    from models.accounts.people import Client
    from models.privacy import DataExport
    from resolvers.privacy import exports
    from services.clock import utcnow

    common.quiet_logging()
    async with common.scratch_database(database_url) as url, common.orm(url):
        agency_id = await common.agency()
        client_id = await seed_year(agency_id)
        client = await Client.get(id=client_id)
        account_id = client.account_id
        timings = []
        size = 0
        for _ in range(runs):
            export = await DataExport.create(
                account_id=account_id, client_id=client_id, requested_at=utcnow()
            )
            started = time.perf_counter()
            archive = await exports.build(export)
            timings.append(time.perf_counter() - started)
            size = len(archive)
        print(f"machine: {common.machine()}")
        print(f"database: {url.split(':', 1)[0]}")
        print("household: 104 visits, 52 messages, 52 ratings, 12 invoices, 12 payments, 1 cert")
        print(f"export size: {size / 1024:.0f} KiB")
        print(
            f"build time: median {common.median(timings):.2f} s, max {max(timings):.2f} s "
            f"over {runs} runs (goal < 5 s)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.database_url, args.runs))
