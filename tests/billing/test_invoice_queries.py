"""Listing invoices with their lines costs the same SQL statements for 1 or 4 invoices."""

from __future__ import annotations

import logging

from tests.billing import factories as bh
from tests.billing.factories import INVOICE_DETAILS, paris
from tests.factories import QueryCounter, unique


async def test_invoice_lists_have_no_query_per_row(api, settings):
    one, four = await bh.team(api, settings), await bh.team(api, settings)
    await bh.visit(one, paris(2026, 3, 2, 9), worked=(0, 120))
    await bh.run(api, one, "2026-03")
    for month in (3, 4, 5, 6):
        await bh.visit(four, paris(2026, month, 2, 9), worked=(0, 120))
        await bh.visit(four, paris(2026, month, 9, 9), worked=(0, 60))
        await bh.run(api, four, f"2026-{month:02d}")
    counter = QueryCounter()
    db_log = logging.getLogger("tortoise.db_client")
    previous = db_log.level
    db_log.setLevel(logging.DEBUG)
    db_log.addHandler(counter)
    try:
        counts = {}
        for name, team, size in (("one", one, 1), ("four", four, 4)):
            request_id = unique("invoices-request-")
            result = await api.data(
                INVOICE_DETAILS,
                {"year": 2026},
                token=team.client_token,
                headers={"X-Request-ID": request_id},
            )
            edges = result["invoices"]["edges"]
            assert len(edges) == size
            assert all(edge["node"]["lines"] for edge in edges)
            counts[name] = counter.by_request.get(request_id, 0)
    finally:
        db_log.removeHandler(counter)
        db_log.setLevel(previous)
    assert counts["one"] == counts["four"]
