"""Weekly plans: visits materialised ahead, in local time, moved and ended with the plan."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from models.enums import InterventionStatus
from models.visits.visits import Intervention, RecurringPlan
from resolvers.visits.plans import extend_all, occurrences
from schema.core.ids import from_global_id
from tests.factories import PARIS, schedule
from tests.visits.factories import CREATE_PLAN as CREATE

UPDATE = """
mutation Update($input: UpdateRecurringPlanInput!) {
  updateRecurringPlan(input: $input) { plan { id startTime } skippedDays userErrors { field code } }
}
"""

END = """
mutation End($input: EndRecurringPlanInput!) {
  endRecurringPlan(input: $input) { plan { id validTo } userErrors { field code } }
}
"""


def first_day() -> date:
    """A plan's first day, two days ahead: its first four weeks fall inside the four-week
    horizon whatever today's weekday (a plan starting next Monday had three on a Monday)."""
    return datetime.now(PARIS).date() + timedelta(days=2)


def plan_input(team, first: date | None = None, **overrides) -> dict[str, Any]:
    first = first or first_day()
    values = {
        "clientId": team.client_id,
        "workerId": team.worker_id,
        "serviceTypeCode": "IRONING",
        "weekday": first.weekday(),
        "startTime": "09:00:00",
        "durationMinutes": 180,
        "validFrom": first.isoformat(),
    }
    values.update(overrides)
    return values


async def plan_visits(plan_gid: str) -> list[Intervention]:
    return await Intervention.filter(recurring_plan_id=from_global_id(plan_gid)[1]).order_by(
        "scheduled_start"
    )


async def test_a_plan_keeps_its_weeks_materialised_at_local_wall_clock_time(api, team, server):
    first = first_day()
    result = await api.data(CREATE, {"input": plan_input(team, first)}, token=team.staff_token)
    payload = result["createRecurringPlan"]
    assert payload["userErrors"] == [] and payload["skippedDays"] == []
    visits = await plan_visits(payload["plan"]["id"])
    assert len(visits) == 4  # the four-week horizon
    for week, visit in enumerate(visits):
        local = visit.scheduled_start.astimezone(PARIS)
        assert (local.date(), local.time()) == (first + timedelta(weeks=week), time(9, 0))
        assert visit.scheduled_end - visit.scheduled_start == timedelta(hours=3)
    # The loop is idempotent: running it again (in any process) creates nothing more.
    runtime = server.app.state.runtime
    await extend_all(runtime)
    await extend_all(runtime)
    assert len(await plan_visits(payload["plan"]["id"])) == 4


async def test_weeks_where_the_worker_is_booked_are_skipped_and_reported(api, team):
    first = first_day()
    start = datetime.combine(first, time(10, 0), tzinfo=PARIS)
    hours_from_now = (start - datetime.now(UTC)).total_seconds() / 3600
    assert (await schedule(api, team, hours_from_now=hours_from_now))["userErrors"] == []
    payload = (await api.data(CREATE, {"input": plan_input(team, first)}, token=team.staff_token))[
        "createRecurringPlan"
    ]
    assert payload["skippedDays"] == [first.isoformat()]
    assert len(await plan_visits(payload["plan"]["id"])) == 3


async def test_changing_and_ending_a_plan_moves_and_cancels_its_future_visits(api, team):
    first = first_day()
    created = (await api.data(CREATE, {"input": plan_input(team, first)}, token=team.staff_token))[
        "createRecurringPlan"
    ]["plan"]
    later = plan_input(team, first, startTime="14:00:00")
    moved = await api.data(
        UPDATE,
        {"input": {"planId": created["id"], "plan": later}},
        token=team.staff_token,
    )
    assert moved["updateRecurringPlan"]["userErrors"] == []
    visits = await plan_visits(created["id"])
    live = [v for v in visits if v.status is InterventionStatus.SCHEDULED]
    assert len(live) == 4
    assert {v.scheduled_start.astimezone(PARIS).time() for v in live} == {time(14, 0)}
    assert all(v.cancellation_reason for v in visits if v.status is InterventionStatus.CANCELLED)

    last_day = first + timedelta(days=7)  # keeps the first two weeks
    ended = await api.data(
        END,
        {"input": {"planId": created["id"], "lastDay": last_day.isoformat()}},
        token=team.staff_token,
    )
    assert ended["endRecurringPlan"]["plan"]["validTo"] == last_day.isoformat()
    live = [v for v in await plan_visits(created["id"]) if v.status is InterventionStatus.SCHEDULED]
    assert len(live) == 2


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"weekday": 7}, "INVALID_WEEKDAY"),
        ({"durationMinutes": 10}, "INVALID_DURATION"),
        ({"validFrom": "2020-01-06"}, "PAST_START"),
        ({"validTo": "2020-01-06"}, "END_BEFORE_START"),
        ({"serviceTypeCode": "NOPE"}, "UNKNOWN_SERVICE_TYPE"),
    ],
)
async def test_bad_plans_are_refused(api, team, override, code):
    payload = (
        await api.data(CREATE, {"input": plan_input(team, **override)}, token=team.staff_token)
    )["createRecurringPlan"]
    assert payload["plan"] is None
    assert code in [e["code"] for e in payload["userErrors"]]


async def test_only_staff_plan(api, team):
    assert (
        await api.error_code(CREATE, {"input": plan_input(team)}, token=team.client_token)
        == "FORBIDDEN"
    )
    assert (
        await api.error_code(CREATE, {"input": plan_input(team)}, token=team.worker_token)
        == "FORBIDDEN"
    )
    assert await RecurringPlan.filter(client_id=from_global_id(team.client_id)[1]).count() == 0


def test_wall_clock_time_survives_daylight_saving():
    plan = RecurringPlan(
        weekday=6,
        start_minute=9 * 60,
        duration_minutes=60,
        valid_from=date(2027, 3, 21),
        valid_to=None,
        materialised_until=date(2027, 3, 21),
    )
    starts = occurrences(plan, PARIS, date(2027, 3, 21), date(2027, 4, 5))
    # 21 March is in winter time (UTC+1), 28 March and 4 April in summer time (UTC+2).
    assert [s.hour for s in starts] == [8, 7, 7]
    assert [s.astimezone(PARIS).hour for s in starts] == [9, 9, 9]
