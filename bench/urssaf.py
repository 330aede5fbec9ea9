"""URSSAF exchange throughput: payment requests one process sends and tracks per minute.

    .venv/bin/python -m bench.urssaf [--database postgres://root@127.0.0.1:5432/test]
        [--requests 500] [--households 25]

One run seeds a scratch database (an agency, enrolled households, issued invoices with
their queued payment requests), starts the URSSAF stand-in in a process of its own
(`passage urssaf-sandbox`, over loopback HTTP) and, in this process, runs the sending
step until every request is accepted, then the status poll twice: once when each
request awaits the household's validation, once after 48 h of silence validated them
all. Each poll round moves every invoice's advance (billing event, household notice).
It prints requests sent per minute and status changes tracked per minute, with the
wall time of each phase. Nothing is written to the repository.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from datetime import UTC, date, datetime

import httpx

from bench.common import ROOT, SECRET, free_port, scratch_database
from models.accounts.people import Account, Agency, Client
from models.billing.invoices import Invoice, InvoiceLine
from models.billing.urssaf import UrssafEnrolment, UrssafPaymentRequest
from models.db import close_db, init_db
from models.enums import (
    AdvanceStatus,
    InvoiceKind,
    Role,
    ServiceMode,
    UrssafEnrolmentStatus,
    UrssafRequestState,
)
from resolvers.billing.urssaf.polling import poll_all_due
from resolvers.billing.urssaf.sending import send_all_due
from resolvers.core.runtime import build_runtime
from services.config import Settings
from services.urssaf import payloads
from services.urssaf.client import Credentials, UrssafClient


async def _households(agency: Agency, count: int, url: str) -> list[Client]:
    register = UrssafClient(Credentials(url, "bench", "bench"), audit=False)
    clients = []
    for index in range(count):
        account = await Account.create(
            email=f"foyer{index}@bench.example",
            password_hash="-",
            role=Role.CLIENT,
            first_name="Foyer",
            last_name=f"Numéro {index}",
            agency_id=agency.id,
            password_changed_at=datetime.now(UTC),
        )
        client = await Client.create(
            account=account,
            agency=agency,
            client_number=f"C{index:05d}",
            billing_line1="1 rue de la Paix",
            billing_postal_code="75002",
            billing_city="Paris",
        )
        enrolment = UrssafEnrolment(
            client_id=client.id,
            agency_id=agency.id,
            civility="2",
            birth_name=f"Bench{chr(65 + index % 26)}{chr(65 + index // 26 % 26)}",
            first_names="Marie",
            birth_date=date(1970, 1, 1),
            birth_country_code="99100",
            birth_commune_code="75056",
            birth_commune_label="Paris",
            street_name="rue de la Paix",
            postal_code="75002",
            commune_code="75102",
            commune_label="Paris",
            email=f"foyer{index}@bench.example",
            mobile=f"+3361234{index:04d}",
            iban_sealed="-",
            iban_last4="0189",
            bic="BNPAFRPPXXX",
            account_holder="Mme Bench",
            updated_at=datetime.now(UTC),
        )
        urssaf_id = await register.register_household(
            payloads.household(enrolment, "FR7630006000011234567890189")
        )
        enrolment.urssaf_id = urssaf_id
        enrolment.status = UrssafEnrolmentStatus.ENROLLED
        await enrolment.save()
        clients.append(client)
    await register.aclose()
    return clients


async def _invoices(agency: Agency, clients: list[Client], count: int) -> None:
    now = datetime.now(UTC)
    for index in range(count):
        client = clients[index % len(clients)]
        invoice = await Invoice.create(
            agency=agency,
            client=client,
            kind=InvoiceKind.INVOICE,
            service_mode=ServiceMode.PRESTATAIRE,
            year=2026,
            sequence=index + 1,
            number=f"F2026-{index + 1:06d}",
            issued_at=now,
            issued_on=date(2026, 11, 2),
            due_on=date(2026, 11, 17),
            period_start=date(2026, 10, 1),
            period_end=date(2026, 10, 31),
            total_excl_cents=6000,
            vat_cents=600,
            total_incl_cents=6600,
            eligible_cents=6600,
            advance_cents=3300,
            amount_due_cents=3300,
            advance_status=AdvanceStatus.TO_SEND,
            agency_name=agency.name,
            agency_address="Paris",
            sap_number="SAP812345678",
            client_number=client.client_number,
            client_name="Foyer",
            client_address="Paris",
        )
        await InvoiceLine.create(
            invoice=invoice,
            position=1,
            label="Ménage régulier",
            service_date=date(2026, 10, 6),
            minutes=120,
            hourly_rate_cents=3000,
            vat_rate_bp=1000,
            excl_cents=6000,
            vat_cents=600,
            incl_cents=6600,
        )
        await UrssafPaymentRequest.create(
            invoice=invoice,
            agency_id=agency.id,
            client_id=client.id,
            invoice_number=invoice.number,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )


async def _wait_for(url: str) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(200):
            try:
                await http.post(f"{url}/sandbox/clock", json={"hours": 0})
                return
            except httpx.HTTPError:
                await asyncio.sleep(0.05)
    raise RuntimeError("the URSSAF stand-in did not start")


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds * 60:,.0f}/min ({count} in {seconds:.2f} s)"


async def run(url: str, database: str, requests: int, households: int) -> None:
    await _wait_for(url)
    await init_db(database)
    settings = Settings(
        database_url=database,
        secret_key=SECRET,
        urssaf_url=url,
        urssaf_client_id="bench",
        urssaf_client_secret="bench",
        urssaf_refresh_seconds=3600,
    )
    rt = build_runtime(settings)
    await rt.bus.connect()
    agency = await Agency.create(name="Agence du banc d'essai", siret="81234567800017")
    clients = await _households(agency, households, url)
    await _invoices(agency, clients, requests)

    started = time.perf_counter()
    await send_all_due(rt)
    sending = time.perf_counter() - started
    accepted = await UrssafPaymentRequest.filter(state=UrssafRequestState.SENT).count()
    print(f"sent: {_rate(accepted, sending)}")

    for label, hours, status in (
        ("awaiting validation", 0, AdvanceStatus.AWAITING_VALIDATION),
        ("validated by silence", 49, AdvanceStatus.VALIDATED),
    ):
        async with httpx.AsyncClient() as http:
            await http.post(f"{url}/sandbox/clock", json={"hours": hours})
        await UrssafPaymentRequest.all().update(next_poll_at=datetime.now(UTC))
        started = time.perf_counter()
        await poll_all_due(rt)
        elapsed = time.perf_counter() - started
        moved = await Invoice.filter(advance_status=status).count()
        print(f"tracked ({label}): {_rate(moved, elapsed)}")
    await rt.urssaf.aclose()
    await rt.bus.disconnect()
    await close_db()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--households", type=int, default=25)
    args = parser.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}"

    async def scratch() -> None:
        async with scratch_database(args.database or None) as database:
            await run(url, database, args.requests, args.households)

    # The stand-in in a process of its own: what is measured is Passage's process alone.
    sandbox = subprocess.Popen(
        [sys.executable, "-c", "import cli; cli.main()", "urssaf-sandbox", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        asyncio.run(scratch())
    finally:
        sandbox.terminate()
        sandbox.wait(10)


if __name__ == "__main__":
    main()
