"""Reviewing pending requests costs a constant number of SQL statements per page."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

import pytest

from tests.client import WsClient
from tests.factories import QueryCounter, at, office, unique, visit, weekday_ahead
from tests.requests.factories import REQUEST_EVENTS, ask, ask_extra

PENDING = """
query Pending {
  pendingChangeRequests(first: 100) {
    edges { node { id kind serviceTypeCode checks { rule passed message } } }
  }
}
"""
# Without the service's code (handed to the objects, never read from rows) the planner
# answers it (schema/engine/plans.py): the rule checks worked out from the page's rows.
PLANNED = """
query Planned {
  pendingChangeRequests(first: 100) {
    edges { node { id kind checks { rule passed message } } }
  }
}
"""


def working_days(count: int) -> list[date]:
    """Monday-to-Friday days from weekday_ahead() on (the agency is closed at weekends)."""
    days: list[date] = []
    day = weekday_ahead()
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


async def _requests(api, team, count: int) -> None:
    days = working_days(count // 5 + 2)
    for index in range(count):
        when, next_day = days[index // 5], days[index // 5 + 1]
        visit_id = await visit(api, team, at(when, 8 + 2 * (index % 5), 1))
        if index % 3 == 0:
            made = await ask(
                api,
                team,
                kind="NEW_SLOT",
                interventionId=visit_id,
                scheduledStart=at(when, 9 + 2 * (index % 5), 1)[0],
                scheduledEnd=at(when, 9 + 2 * (index % 5), 1)[1],
            )
        elif index % 3 == 1:
            made = await ask_extra(api, team, at(next_day, 9, 1))
        else:
            made = await ask(api, team, kind="CANCELLATION", interventionId=visit_id)
        assert made["userErrors"] == [], made


async def test_a_page_of_12_costs_the_same_queries_as_a_page_of_2(api, settings, mailbox):
    small, large = await office(api, settings, mailbox), await office(api, settings, mailbox)
    await _requests(api, small, 2)
    await _requests(api, large, 12)
    counter = QueryCounter()
    db_log = logging.getLogger("tortoise.db_client")
    previous = db_log.level
    db_log.setLevel(logging.DEBUG)
    db_log.addHandler(counter)
    counts: dict[tuple[str, str], int] = {}
    answers: dict[tuple[str, str], list[dict[str, Any]]] = {}
    try:
        for name, team, size in (("small", small, 2), ("large", large, 12)):
            for way, document in (("graphql-core", PENDING), ("planned", PLANNED)):
                # Not counted: the catalogue's codes (read once), the caller's session and
                # the agency's rule settings (read again when this process's copy is over a
                # second old: a slow run passed that between two requests).
                await api.data(document, token=team.advisor)
                request_id = unique("pending-request-")
                result = await api.data(
                    document, token=team.advisor, headers={"X-Request-ID": request_id}
                )
                edges = result["pendingChangeRequests"]["edges"]
                assert len(edges) == size and all(e["node"]["checks"] for e in edges)
                counts[name, way] = counter.beyond_the_kept(request_id)
                answers[name, way] = [
                    {k: v for k, v in e["node"].items() if k != "serviceTypeCode"} for e in edges
                ]
    finally:
        db_log.removeHandler(counter)
        db_log.setLevel(previous)
    for way in ("graphql-core", "planned"):
        assert counts["small", way] == counts["large", way], counts
    # Both ways evaluate the same rules the same way, for every kind of the page.
    for name in ("small", "large"):
        assert answers[name, "planned"] == answers[name, "graphql-core"]
    kinds = {e["kind"] for e in answers["large", "planned"]}
    assert kinds == {"NEW_SLOT", "EXTRA_VISIT", "CANCELLATION"}
    rules = {c["rule"] for e in answers["large", "planned"] for c in e["checks"]}
    assert rules == {"EDITABLE", "NOTICE", "OPENING_HOURS", "WORKER_FREE"}


@pytest.mark.parametrize("token", [None, "not-a-token"])
async def test_request_events_need_a_signed_in_viewer(api, token):
    ws = await WsClient.connect(api, token=token)
    if token is None:
        await ws.ack()
        await ws.subscribe(REQUEST_EVENTS)
    assert await ws.closed_with() == 4403
