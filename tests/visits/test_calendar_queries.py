"""Listing visits costs a constant number of SQL statements, whatever the page size."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.factories import QueryCounter, logged_statements, setup_agency, unique
from tests.visits.factories import CALENDAR, make_visits


async def test_listing_100_visits_costs_the_same_queries_as_listing_10(api, settings, home_agency):
    small, large = (
        await setup_agency(api, settings, home_agency),
        await setup_agency(api, settings, home_agency),
    )
    day = datetime(2031, 3, 3, 8, tzinfo=UTC)
    await make_visits(small, 10, day)
    await make_visits(large, 100, day)

    counter = QueryCounter()
    with logged_statements(counter):
        counts = {}
        for name, team, size in (("small", small, 10), ("large", large, 100)):
            request_id = unique("calendar-request-")
            result = await api.data(
                CALENDAR,
                {
                    "from": day.isoformat(),
                    "to": (day + timedelta(days=1)).isoformat(),
                    "first": 100,
                },
                token=team.staff_token if False else team.client_token,
                headers={"X-Request-ID": request_id},
            )
            edges = result["interventions"]["edges"]
            assert len(edges) == size
            assert all(
                e["node"]["worker"]["displayName"]
                and e["node"]["serviceType"]["code"] == "WINDOWS"
                and e["node"]["address"]["city"] == "Paris"
                for e in edges
            )
            counts[name] = counter.beyond_the_kept(request_id)
    assert counts["small"] == counts["large"]
    assert counts["large"] <= 3  # scope, the page; nothing per row
