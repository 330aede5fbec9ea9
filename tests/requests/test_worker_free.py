"""WORKER_FREE on the staff's pending list: a new slot's or a new duration's worker is
looked up within the page's own statement (rule_context.next_busy_column), other kinds
with a statement of their own. Each arrangement is on a day of its own; the list must say
what the request's own answer said when it was made (the rules' other path), and what is
true."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import at, visit, weekday_ahead
from tests.requests.factories import PENDING, ask, ask_extra, ask_slot
from tests.visits.factories import CANCEL

# (what is asked, the worker's other visits that day as (hour, hours[, cancelled]), free?)
# The request's own visit is 9:00-11:00; a slot is [start, end): touching is not taking.
ARRANGEMENTS: list[tuple[tuple[str, float], list[tuple[Any, ...]], bool]] = [
    (("slot", 14), [(12, 2)], True),  # ends as the slot starts
    (("slot", 14), [(16, 1)], True),  # starts as the slot ends
    (("slot", 14), [(13, 2)], False),  # runs into the slot's start
    (("slot", 14), [(13, 4)], False),  # covers the slot
    (("slot", 14), [(12, 1), (15, 2)], False),  # the second one, not the first
    (("slot", 14), [(14.5, 1, "cancelled")], True),  # a cancelled visit takes no time
    (("slot", 10), [], True),  # overlapping only the visit it moves
    (("slot", 14), [(14.5, 1, "other worker")], True),
    (("duration", 180), [(11.5, 1)], False),  # taken only once lengthened
    (("duration", 120), [(11, 1)], True),
    (("duration", 360), [(15, 1)], True),  # lengthened up to the next one
]


def _day(index: int):
    return weekday_ahead(4 + 7 * index)


async def _arrange(api, team, index: int) -> tuple[str, bool]:
    (kind, amount), others, free = ARRANGEMENTS[index]
    day = _day(index)
    visit_id = await visit(api, team, at(day, 9))
    for hour, hours, *how in others:
        worker = team.other_worker_id if how == ["other worker"] else None
        other = await visit(api, team, at(day, hour, hours), worker_id=worker)
        if how == ["cancelled"]:
            variables = {"input": {"interventionId": other, "reason": "Client absent"}}
            cancelled = await api.data(CANCEL, variables, token=team.advisor)
            assert cancelled["cancelIntervention"]["userErrors"] == []
    if kind == "slot":
        made = await ask_slot(api, team, visit_id, at(day, amount))
    else:
        made = await ask(
            api, team, kind="NEW_DURATION", interventionId=visit_id, durationMinutes=amount
        )
    assert made["userErrors"] == [], made
    asked = {c["rule"]: c["passed"] for c in made["request"]["checks"]}
    assert asked["WORKER_FREE"] is free, (index, asked)
    return made["request"]["id"], free


async def _worker_free(api, team) -> dict[str, bool | None]:
    """WORKER_FREE of each pending request of the staff's list (None: not checked), by
    request id."""
    page = await api.data(PENDING, {"first": 50}, token=team.advisor)
    return {
        edge["node"]["id"]: next(
            (c["passed"] for c in edge["node"]["checks"] if c["rule"] == "WORKER_FREE"), None
        )
        for edge in page["pendingChangeRequests"]["edges"]
    }


async def test_the_pending_list_says_whether_the_worker_is_free(api, team):
    expected = {}
    for index in range(len(ARRANGEMENTS)):
        request_id, free = await _arrange(api, team, index)
        expected[request_id] = free
    listed = await _worker_free(api, team)
    assert {pk: listed[pk] for pk in expected} == expected


@pytest.mark.parametrize("free", [True, False])
async def test_a_page_mixing_kinds_reads_both_ways(api, team, free):
    """An extra visit's worker (the usual one) is read with a statement of its own, the
    new slot's with the page: both are right on one page."""
    day = _day(0)
    visit_id = await visit(api, team, at(day, 9))
    slot = await ask_slot(api, team, visit_id, at(day, 14))
    if not free:
        await visit(api, team, at(day, 15, 0.5))
    extra = await ask_extra(api, team, at(day, 15.25, 0.5))
    assert extra["userErrors"] == [], extra
    listed = await _worker_free(api, team)
    assert listed[slot["request"]["id"]] is free
    assert listed[extra["request"]["id"]] is free
