"""Listing invoices with their lines costs the same SQL statements for 1 or 4 invoices."""

from __future__ import annotations

from tests.billing import factories as bh
from tests.billing.factories import INVOICE_DETAILS, paris
from tests.factories import QueryCounter, logged_statements, unique


async def test_invoice_lists_have_no_query_per_row(api, settings):
    one, four = await bh.team(api, settings), await bh.team(api, settings)
    await bh.visit(one, paris(2026, 3, 2, 9), worked=(0, 120))
    await bh.run(api, one, "2026-03")
    for month in (3, 4, 5, 6):
        await bh.visit(four, paris(2026, month, 2, 9), worked=(0, 120))
        await bh.visit(four, paris(2026, month, 9, 9), worked=(0, 60))
        await bh.run(api, four, f"2026-{month:02d}")
    counter = QueryCounter()
    with logged_statements(counter):
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
            counts[name] = counter.beyond_the_kept(request_id)
    assert counts["one"] == counts["four"]
