"""Gapless invoice numbers under concurrent runs on several servers (PostgreSQL only)."""

from __future__ import annotations

import asyncio

import pytest

from models.billing.invoices import BilledVisit, Invoice, InvoiceLine
from models.visits.visits import Intervention
from tests.billing import factories as bh
from tests.billing.factories import RUN, credit, paris


async def test_concurrent_runs_number_without_gaps(api, settings, start):
    if not settings.database_url.startswith("postgres"):
        pytest.skip("row locks (SELECT ... FOR UPDATE) are a no-op on SQLite")
    teams = [await bh.team(api, settings)]
    t = teams[0]
    # Several households of one agency, each with visits in two months.
    households = []
    for i in range(6):
        email, _ = await bh.factories.client(
            api,
            billingAddress={
                "line1": f"{i} rue Neuve",
                "postalCode": (await bh.Client.get(id=t.client_id)).billing_postal_code,
                "city": "X",
            },
        )
        households.append(await bh.Client.get(account__email=email))
    for household in households:
        t.client_id = household.id
        await bh.visit(t, paris(2026, 9, 7, 9), worked=(0, 120))
        await bh.visit(t, paris(2026, 10, 7, 9), worked=(0, 120))
    second = await start(settings)
    try:
        calls = []
        for server_api in (api, second.api, api, second.api):
            for month in ("2026-09", "2026-10"):
                calls.append(server_api.data(RUN, {"month": month}, token=t.staff_token))
        results = await asyncio.gather(*calls)
        # Meanwhile-safe credit notes take numbers from the same counter.
        first = await Invoice.filter(agency_id=t.agency_id).order_by("sequence").first()
        assert first is not None
        notes = await asyncio.gather(
            credit(api, t.staff_token, bh.to_global_id("Invoice", first.id)),
            credit(second.api, t.staff_token, bh.to_global_id("Invoice", first.id)),
        )
    finally:
        await second.stop()
    issued = sum(len(r["runInvoicing"]["invoices"]) for r in results)
    assert issued == 12  # one per household and month, whatever the interleaving
    assert sorted(len(n["userErrors"]) for n in notes) == [0, 1]
    rows = await Invoice.filter(agency_id=t.agency_id).order_by("sequence")
    assert [r.sequence for r in rows] == list(range(1, 14))
    assert [r.issued_at for r in rows] == sorted(r.issued_at for r in rows)
    visits = await Intervention.filter(agency_id=t.agency_id).values_list("id", flat=True)
    lines = await InvoiceLine.filter(invoice__kind="INVOICE", intervention_id__in=visits)
    assert len(lines) == len({line.intervention_id for line in lines}) == 12
    assert await BilledVisit.filter(intervention_id__in=visits).count() == 11
