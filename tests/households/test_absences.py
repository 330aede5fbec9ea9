"""A household away: its visits are cancelled or offered for rescheduling, plans skip it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from models.requests import LateCancellation
from models.visits.visits import Intervention
from schema.core.ids import from_global_id
from tests.client import WsClient
from tests.factories import (
    EVENTS,
    HEAD,
    PARIS,
    at,
    household,
    office,
    set_policy,
    soon,
    visit,
    weekday_ahead,
)
from tests.households.factories import DECLARE, declare
from tests.mailbox import body_of
from tests.requests.factories import REQUEST_EVENTS, ask, decide, read_visit, received
from tests.visits.factories import CREATE_PLAN

LIST_DETAILED = "query { absences { visits { interventionId toReschedule rescheduledAt } } }"

LIST = """
query List($clientId: ID) { absences(clientId: $clientId) { id visits { interventionId } } }
"""


async def test_visits_away_are_offered_for_rescheduling_by_default(api, mailbox, team):
    day = weekday_ahead()
    inside = [
        await visit(api, team, at(day, 9)),
        await visit(api, team, at(day + timedelta(days=1), 9)),
    ]
    outside = await visit(api, team, at(day + timedelta(days=7), 9))
    late = await visit(api, team, soon(3))
    today = soon(3)[0][:10]
    first = min(date.fromisoformat(today), day)
    result = await declare(api, team.client, first, day + timedelta(days=1), "Vacances")
    assert result["userErrors"] == []
    absence = result["absence"]
    assert absence["policy"] == "OFFER_RESCHEDULE" and absence["note"] == "Vacances"
    taken = {v["interventionId"]: v["toReschedule"] for v in absence["visits"]}
    assert set(inside) <= set(taken) and all(taken.values())
    for visit_id in taken:
        cancelled = await read_visit(api, team, visit_id)
        assert (
            cancelled["status"] == "CANCELLED" and "replanifier" in cancelled["cancellationReason"]
        )
    assert (await read_visit(api, team, outside))["status"] == "SCHEDULED"
    # Offered for rescheduling: never billed, even inside the notice period.
    if late in taken:
        assert not await LateCancellation.exists(intervention_id=from_global_id(late)[1])
    message = await mailbox.wait_for(team.client_email, "Votre absence est enregistrée")
    assert "à replanifier" in body_of(message)


async def test_pending_requests_on_visits_taken_out_are_withdrawn(api, team):
    day = weekday_ahead()
    visit_id = await visit(api, team, at(day, 9))
    made = await ask(api, team, kind="NEW_DURATION", interventionId=visit_id, durationMinutes=60)
    await declare(api, team.client, day, day)
    mine = await api.data(
        "query { myChangeRequests { edges { node { id status } } } }", token=team.client
    )
    assert mine["myChangeRequests"]["edges"][0]["node"] == {
        "id": made["request"]["id"],
        "status": "WITHDRAWN",
    }


async def test_a_visit_offered_for_rescheduling_comes_back_at_the_new_slot(api, team):
    day = weekday_ahead()
    visit_id = await visit(api, team, at(day, 9))
    await declare(api, team.client, day, day)
    later = day + timedelta(days=7)
    start, end = at(later, 14)
    made = await ask(
        api, team, kind="NEW_SLOT", interventionId=visit_id, scheduledStart=start, scheduledEnd=end
    )
    assert made["userErrors"] == [], made
    assert all(c["passed"] for c in made["request"]["checks"])
    assert (await decide(api, team, made["request"]["id"]))["userErrors"] == []
    back = await read_visit(api, team, visit_id)
    assert back["status"] == "SCHEDULED" and back["cancellationReason"] == ""
    assert back["scheduledStart"].startswith(later.isoformat())
    listed = (await api.data(LIST_DETAILED, token=team.client))["absences"][0]["visits"]
    assert listed[0]["rescheduledAt"] is not None
    # The offer is used up: cancelling the visit again is an ordinary cancellation.
    again = await ask(api, team, kind="CANCELLATION", interventionId=visit_id)
    assert again["userErrors"] == []


async def test_a_plainly_cancelled_visit_cannot_be_rescheduled(api, team):
    await set_policy(api, team, absencePolicy="CANCEL")
    day = weekday_ahead()
    visit_id = await visit(api, team, at(day, 9))
    await declare(api, team.client, day, day)
    start, end = at(day + timedelta(days=7), 14)
    made = await ask(
        api, team, kind="NEW_SLOT", interventionId=visit_id, scheduledStart=start, scheduledEnd=end
    )
    assert [e["code"] for e in made["userErrors"]] == ["NOT_EDITABLE"]


async def test_with_the_cancel_policy_late_ones_are_billable(api, team):
    await set_policy(api, team, absencePolicy="CANCEL")
    late = await visit(api, team, soon(3))
    starts = date.fromisoformat(soon(3)[0][:10])
    local_day = (
        (await Intervention.get(id=from_global_id(late)[1]))
        .scheduled_start.astimezone(PARIS)
        .date()
    )
    result = await declare(api, team.client, min(starts, local_day), local_day + timedelta(days=2))
    visits = result["absence"]["visits"]
    assert visits == [{"interventionId": late, "toReschedule": False}]
    billed = await LateCancellation.get(intervention_id=from_global_id(late)[1])
    assert billed.billable is True


async def test_weekly_plans_skip_the_period(api, team):
    tuesday = weekday_ahead(7, 1)
    assert (await declare(api, team.client, tuesday, tuesday))["userErrors"] == []
    values = {
        "clientId": team.client_id,
        "workerId": team.worker_id,
        "serviceTypeCode": "REGULAR_CLEANING",
        "weekday": 1,
        "startTime": "09:00:00",
        "durationMinutes": 120,
        "validFrom": tuesday.isoformat(),
    }
    plan = await api.data(CREATE_PLAN, {"input": values}, token=team.advisor)
    plan_id = from_global_id(plan["createRecurringPlan"]["plan"]["id"])[1]
    days = [
        v.scheduled_start.astimezone(PARIS).date()
        for v in await Intervention.filter(recurring_plan_id=plan_id)
    ]
    assert days and tuesday not in days
    assert tuesday + timedelta(days=7) in days


async def test_the_household_and_the_agency_see_it_live(api, team):
    day = weekday_ahead()
    visit_id = await visit(api, team, at(day, 9))
    sockets = []
    for token in (team.client, team.advisor):
        head = (await api.data(HEAD, token=token))["interventionEventsCursor"]
        ws = await WsClient.connect(api, token=token)
        await ws.ack()
        ops = (
            await ws.subscribe(REQUEST_EVENTS, {"since": head}),
            await ws.subscribe(EVENTS, {"since": head}),
        )
        sockets.append((ws, ops))
    result = await declare(api, team.client, day, day)
    absence_id = result["absence"]["id"]
    for ws, (requests_op, visits_op) in sockets:
        got = dict(await received(ws, 2))
        assert got[visits_op]["type"] == "CANCELLED"
        assert got[visits_op]["intervention"]["id"] == visit_id
        assert got[requests_op]["type"] == "ABSENCE_DECLARED"
        assert got[requests_op]["request"] is None
        assert got[requests_op]["subjectId"] == absence_id
        await ws.close()


@pytest.mark.parametrize(
    ("shift", "length", "note", "code"),
    [
        (-2, 1, "", "PAST_DATE"),
        (3, -1, "", "END_BEFORE_START"),
        (3, 400, "", "TOO_LONG"),
        (3, 1, "x" * 501, "TOO_LONG"),
    ],
)
async def test_bad_periods_are_refused(api, team, shift, length, note, code):
    # From the agency's today, not from a weekday: "two days before next Monday" is today on
    # a Saturday.
    first = datetime.now(PARIS).date() + timedelta(days=shift)
    result = await declare(api, team.client, first, first + timedelta(days=length), note)
    assert result["absence"] is None
    assert [e["code"] for e in result["userErrors"]] == [code]


async def test_who_may_declare_and_list(api, settings, mailbox, team):
    day = weekday_ahead()
    values = {"input": {"from": day.isoformat(), "to": day.isoformat()}}
    for token in (team.worker, team.advisor):
        assert await api.error_code(DECLARE, values, token) == "FORBIDDEN"
    assert await api.error_code(DECLARE, values) == "UNAUTHENTICATED"
    unverified = await household(api, mailbox, team.postal_code, verify=False)
    refused = await declare(api, unverified["token"], day, day)
    assert refused["userErrors"] == [{"field": None, "code": "EMAIL_NOT_VERIFIED"}]
    made = await declare(api, team.client, day, day)
    absence_id = made["absence"]["id"]
    assert [a["id"] for a in (await api.data(LIST, token=team.client))["absences"]] == [absence_id]
    staff = await api.data(LIST, {"clientId": team.client_id}, token=team.advisor)
    assert [a["id"] for a in staff["absences"]] == [absence_id]
    elsewhere = await office(api, settings, mailbox)
    assert (await api.data(LIST, token=elsewhere.advisor))["absences"] == []
    assert (await api.data(LIST, token=elsewhere.client))["absences"] == []
