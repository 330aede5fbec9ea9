"""The URSSAF exchange when things go wrong: URSSAF away for a while, the app restarted
mid-way, two processes sending and polling at once. Nothing is sent twice, nothing is
lost, each status change is applied once.

On PostgreSQL the two processes share the database as two app servers would (claims
with SKIP LOCKED); on SQLite they share its one connection, statement by statement.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from models.billing.urssaf import AdvanceChange, UrssafPaymentRequest
from models.enums import EventType, UrssafRequestState
from models.events import Event
from services.clock import utcnow
from simulation import urssaf_sandbox
from tests.billing import urssaf_helpers
from tests.billing.urssaf_helpers import (
    A,
    act,
    enrolled,
    issue,
    later,
    reaches,
    sent,
    urssaf_settings,
)
from tests.conftest import start_server
from tests.factories import eventually


async def test_requests_queue_while_urssaf_is_down_and_go_out_after(agency_app, settings, sandbox):
    h = await enrolled(agency_app, settings)
    await sandbox.stop()
    invoices = [await issue(agency_app, h, month) for month in (8, 9, 10)]

    async def retried() -> bool:
        rows = await UrssafPaymentRequest.filter(invoice_id__in=invoices)
        return all(r.attempts >= 2 and r.state == UrssafRequestState.PENDING for r in rows)

    await eventually(retried, 15)
    for invoice_id in invoices:
        assert await urssaf_helpers.advance_of(invoice_id) == A.TO_SEND
    # URSSAF is back where the app expects it, remembering what it knew.
    back = await urssaf_sandbox.start(sandbox.ledger, port=sandbox.port)
    try:
        for invoice_id in invoices:
            await sent(invoice_id)
            await reaches(invoice_id, A.AWAITING_VALIDATION)
        numbers = Counter(r.number for r in back.ledger.requests.values())
        assert sorted(numbers.values()) == [1, 1, 1]
    finally:
        await back.stop()


async def test_a_restart_after_urssaf_accepted_sends_nothing_twice(
    server, agency_app, settings, sandbox
):
    h = await enrolled(agency_app, settings)
    await agency_app.stop()  # the app dies...
    invoice_id = await issue(server, h)  # (issued by a process that does not send)
    # ...after URSSAF accepted the request but before the answer was written down: the
    # row is still held by the dead process's claim, which runs out.
    row = await UrssafPaymentRequest.get(invoice_id=invoice_id)
    body = await urssaf_helpers.payload_of(row)
    accepted = sandbox.ledger.submit(body)
    await UrssafPaymentRequest.filter(id=row.id).update(
        claim="dead-process", next_attempt_at=utcnow() - timedelta(seconds=1)
    )
    restarted = await start_server(urssaf_settings(settings, sandbox.url))
    try:
        row = await sent(invoice_id)
        assert row.urssaf_id == accepted["idDemandePaiement"]
        assert len(sandbox.ledger.requests) == 1
        await reaches(invoice_id, A.AWAITING_VALIDATION)
    finally:
        await restarted.stop()


async def test_a_poll_cut_short_by_a_restart_is_taken_up_again(agency_app, settings, sandbox):
    h = await enrolled(agency_app, settings)
    invoice_id = await issue(agency_app, h)
    row = await sent(invoice_id)
    await reaches(invoice_id, A.AWAITING_VALIDATION)
    await agency_app.stop()
    await act(sandbox, str(row.urssaf_id), "validate")
    # A poll had claimed the row when the process died: its claim runs out.
    await UrssafPaymentRequest.filter(id=row.id).update(
        poll_claim="dead-process", next_poll_at=utcnow() - timedelta(seconds=1)
    )
    restarted = await start_server(urssaf_settings(settings, sandbox.url))
    try:
        await reaches(invoice_id, A.VALIDATED)
        await eventually(lambda: AdvanceChange.exists(invoice_id=invoice_id, to_status=A.VALIDATED))
    finally:
        await restarted.stop()
    assert [s for s, _ in await urssaf_helpers.steps(invoice_id)] == [
        "SENT",
        "AWAITING_VALIDATION",
        "VALIDATED",
    ]


async def test_two_processes_send_and_poll_each_change_once(agency_app, settings, sandbox):
    second = await start_server(urssaf_settings(settings, sandbox.url))
    try:
        households = [
            await enrolled(agency_app, settings, birthName=name)
            for name in ("Martin", "Bernard", "Petit")
        ]
        apps = [agency_app, second]
        invoices = []
        for month in range(3, 10):
            for index, h in enumerate(households):
                invoices.append(await issue(apps[(month + index) % 2], h, month))
        await asyncio.gather(*(reaches(i, A.AWAITING_VALIDATION, 30) for i in invoices))
        await later(sandbox, 49)  # silence: every request validated
        await asyncio.gather(*(reaches(i, A.VALIDATED, 30) for i in invoices))
        await later(sandbox, 24 * 4)  # and paid
        await asyncio.gather(*(reaches(i, A.PAID, 30) for i in invoices))
    finally:
        await second.stop()
    numbers = Counter((r.client_id, r.number) for r in sandbox.ledger.requests.values())
    assert len(numbers) == len(invoices) and set(numbers.values()) == {1}

    async def all_recorded() -> bool:
        return await AdvanceChange.filter(invoice_id__in=invoices).count() >= 4 * len(invoices)

    await eventually(all_recorded, 15)
    changes = Counter(
        (c.invoice_id, str(c.to_status))
        for c in await AdvanceChange.filter(invoice_id__in=invoices)
    )
    assert set(changes.values()) == {1}
    assert len(changes) == 4 * len(invoices)
    moved = Counter(
        e.subject_id
        for e in await Event.filter(type=EventType.ADVANCE_STATUS_CHANGED, subject_id__in=invoices)
    )
    assert moved == dict.fromkeys(invoices, 4)
