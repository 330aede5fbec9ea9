"""Clients ask for changes; staff approve or reject them; automatic approval when allowed."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from models.enums import Role
from models.requests import LateCancellation
from models.visits.visits import Intervention
from schema.core.ids import from_global_id
from tests import factories
from tests.factories import PARIS, at, codes, set_policy, soon, visit, weekday_ahead
from tests.mailbox import body_of
from tests.requests.factories import (
    PENDING,
    WITHDRAW,
    ask,
    ask_extra,
    ask_slot,
    decide,
    make_plan,
    read_visit,
)

MINE = "query { myChangeRequests(first: 50) { edges { node { id status } } } }"


# --- each kind, from creation to approval -------------------------------------------------


async def test_a_new_slot_waits_for_staff_then_moves_the_visit(api, team, mailbox):
    day = weekday_ahead()
    visit_id = await visit(api, team, at(day, 9))
    start, end = at(day, 14)
    made = await ask_slot(api, team, visit_id, (start, end), note="Visite de famille le matin")
    assert made["userErrors"] == []
    request = made["request"]
    assert request["status"] == "PENDING" and request["autoApproved"] is False
    assert {c["rule"]: c["passed"] for c in request["checks"]} == {
        "EDITABLE": True,
        "NOTICE": True,
        "OPENING_HOURS": True,
        "WORKER_FREE": True,
    }
    decided = await decide(api, team, request["id"])
    assert decided["userErrors"] == []
    assert decided["request"]["status"] == "APPROVED"
    moved = await read_visit(api, team, visit_id)
    assert datetime.fromisoformat(moved["scheduledStart"]) == datetime.fromisoformat(start)
    message = await mailbox.wait_for(team.client_email, "Réponse à votre demande")
    assert "acceptée" in body_of(message)


async def test_a_new_duration_resizes_the_visit(api, team):
    day = weekday_ahead()
    visit_id = await visit(api, team, at(day, 9))
    made = await ask(api, team, kind="NEW_DURATION", interventionId=visit_id, durationMinutes=180)
    assert made["userErrors"] == []
    assert (await decide(api, team, made["request"]["id"]))["userErrors"] == []
    resized = await read_visit(api, team, visit_id)
    length = datetime.fromisoformat(resized["scheduledEnd"]) - datetime.fromisoformat(
        resized["scheduledStart"]
    )
    assert length == timedelta(hours=3)


async def test_an_extra_visit_goes_to_the_usual_worker_or_the_one_staff_pick(api, team):
    day = weekday_ahead()
    await visit(api, team, at(day, 8))  # the usual worker
    start, end = at(day, 15)
    made = await ask_extra(api, team, (start, end), note="Déménagement")
    assert made["userErrors"] == [] and made["request"]["status"] == "PENDING"
    decided = await decide(api, team, made["request"]["id"])
    created = await read_visit(api, team, decided["request"]["resultInterventionId"])
    assert created["status"] == "SCHEDULED" and created["serviceType"]["code"] == "WINDOWS"
    assert created["worker"]["id"] == team.worker_id

    start, end = at(day, 17)
    again = await ask(
        api,
        team,
        kind="EXTRA_VISIT",
        serviceTypeCode="IRONING",
        scheduledStart=start,
        scheduledEnd=end,
    )
    decided = await decide(api, team, again["request"]["id"], workerId=team.other_worker_id)
    created = await read_visit(api, team, decided["request"]["resultInterventionId"])
    assert created["worker"]["id"] == team.other_worker_id


async def test_a_cancellation_in_time_is_not_billable(api, team):
    visit_id = await visit(api, team, at(weekday_ahead(), 10))
    made = await ask(api, team, kind="CANCELLATION", interventionId=visit_id, note="Travaux")
    assert made["request"]["late"] is False
    assert (await decide(api, team, made["request"]["id"]))["userErrors"] == []
    cancelled = await read_visit(api, team, visit_id)
    assert cancelled["status"] == "CANCELLED" and "Travaux" in cancelled["cancellationReason"]
    assert not await LateCancellation.exists(intervention_id=from_global_id(visit_id)[1])


async def test_a_late_cancellation_is_flagged_billable(api, team):
    visit_id = await visit(api, team, soon(5))
    made = await ask(api, team, kind="CANCELLATION", interventionId=visit_id)
    assert made["userErrors"] == [] and made["request"]["late"] is True
    assert (await decide(api, team, made["request"]["id"]))["userErrors"] == []
    late = await LateCancellation.get(intervention_id=from_global_id(visit_id)[1])
    assert late.billable is True and late.notice_hours == 48


async def test_a_late_cancellation_is_not_billable_when_the_agency_says_so(api, team):
    await set_policy(api, team, lateCancellationBillable=False)
    visit_id = await visit(api, team, soon(5))
    made = await ask(api, team, kind="CANCELLATION", interventionId=visit_id)
    await decide(api, team, made["request"]["id"])
    late = await LateCancellation.get(intervention_id=from_global_id(visit_id)[1])
    assert late.billable is False


async def test_a_service_change_of_one_visit(api, team):
    visit_id = await visit(api, team, at(weekday_ahead(), 10))
    made = await ask(
        api, team, kind="SERVICE_CHANGE", interventionId=visit_id, serviceTypeCode="SPRING_CLEANING"
    )
    assert made["userErrors"] == [], made
    await decide(api, team, made["request"]["id"])
    assert (await read_visit(api, team, visit_id))["serviceType"]["code"] == "SPRING_CLEANING"


async def test_a_service_change_of_a_weekly_plan_changes_its_later_visits(api, team):
    plan_id, _ = await make_plan(api, team)
    made = await ask(api, team, kind="SERVICE_CHANGE", planId=plan_id, serviceTypeCode="IRONING")
    assert made["userErrors"] == []
    await decide(api, team, made["request"]["id"])
    visits = await Intervention.filter(
        recurring_plan_id=from_global_id(plan_id)[1]
    ).prefetch_related("service_type")
    assert visits and {v.service_type.code for v in visits} == {"IRONING"}


async def test_a_plan_change_moves_the_weekly_slot(api, team):
    plan_id, first = await make_plan(api, team)
    made = await ask(
        api,
        team,
        kind="PLAN_CHANGE",
        planId=plan_id,
        weekday=3,
        startTime="14:00:00",
        durationMinutes=150,
        validFrom=first.isoformat(),
    )
    assert made["userErrors"] == [], made
    assert (await decide(api, team, made["request"]["id"]))["userErrors"] == []
    live = await Intervention.filter(
        recurring_plan_id=from_global_id(plan_id)[1], status="SCHEDULED"
    )
    assert live
    for row in live:
        local = row.scheduled_start.astimezone(PARIS)
        assert (local.weekday(), local.hour) == (3, 14)
        assert row.scheduled_end - row.scheduled_start == timedelta(minutes=150)


# --- rejection, withdrawal -----------------------------------------------------------------


async def test_a_rejection_needs_a_reason_which_the_client_reads(api, team, mailbox):
    day = weekday_ahead()
    visit_id = await visit(api, team, at(day, 9))
    start, end = at(day, 11)
    made = await ask(
        api, team, kind="NEW_SLOT", interventionId=visit_id, scheduledStart=start, scheduledEnd=end
    )
    request_id = made["request"]["id"]
    assert codes(await decide(api, team, request_id, "REJECT")) == ["REASON_REQUIRED"]
    rejected = await decide(api, team, request_id, "REJECT", reason="Intervenante en formation")
    assert rejected["request"]["status"] == "REJECTED"
    assert rejected["request"]["decisionReason"] == "Intervenante en formation"
    unchanged = await read_visit(api, team, visit_id)
    assert datetime.fromisoformat(unchanged["scheduledStart"]).astimezone(PARIS).hour == 9
    message = await mailbox.wait_for(team.client_email, "Réponse à votre demande")
    assert "Intervenante en formation" in body_of(message)
    assert codes(await decide(api, team, request_id)) == ["NOT_PENDING"]


async def test_a_client_withdraws_a_pending_request_only(api, team):
    visit_id = await visit(api, team, at(weekday_ahead(), 10))
    made = await ask(api, team, kind="CANCELLATION", interventionId=visit_id)
    request_id = made["request"]["id"]
    withdrawn = await api.data(WITHDRAW, {"input": {"requestId": request_id}}, token=team.client)
    assert withdrawn["cancelChangeRequest"]["request"]["status"] == "WITHDRAWN"
    again = await api.data(WITHDRAW, {"input": {"requestId": request_id}}, token=team.client)
    assert again["cancelChangeRequest"]["userErrors"][0]["code"] == "NOT_PENDING"
    assert codes(await decide(api, team, request_id)) == ["NOT_PENDING"]
    assert (await read_visit(api, team, visit_id))["status"] == "SCHEDULED"


# --- automatic approval --------------------------------------------------------------------


async def test_automatic_approval_when_every_rule_passes(api, team, mailbox):
    await set_policy(api, team, autoApprove=True)
    day = weekday_ahead()
    visit_id = await visit(api, team, at(day, 9))
    start, end = at(day, 13)
    made = await ask(
        api, team, kind="NEW_SLOT", interventionId=visit_id, scheduledStart=start, scheduledEnd=end
    )
    assert made["request"]["status"] == "APPROVED" and made["request"]["autoApproved"] is True
    moved = await read_visit(api, team, visit_id)
    assert datetime.fromisoformat(moved["scheduledStart"]) == datetime.fromisoformat(start)
    await mailbox.wait_for(team.client_email, "Réponse à votre demande")

    await visit(api, team, at(day, 16))
    extra = await ask_extra(api, team, at(day, 17))
    assert extra["request"]["status"] == "PENDING"  # the usual worker is busy then
    assert {"rule": "WORKER_FREE", "passed": False} in [
        {k: c[k] for k in ("rule", "passed")} for c in extra["request"]["checks"]
    ]


async def test_a_late_cancellation_waits_for_staff_even_with_automatic_approval(api, team):
    await set_policy(api, team, autoApprove=True)
    visit_id = await visit(api, team, soon(6))
    made = await ask(api, team, kind="CANCELLATION", interventionId=visit_id)
    assert made["request"]["status"] == "PENDING" and made["request"]["late"] is True


# --- business rules ------------------------------------------------------------------------


async def test_changes_inside_the_notice_period_are_refused(api, team):
    # Two weeks' notice, so slots inside the opening hours fall within it whatever the hour.
    await set_policy(api, team, minNoticeHours=24 * 14)
    visit_id = await visit(api, team, at(weekday_ahead(), 10))
    made = await ask(api, team, kind="NEW_DURATION", interventionId=visit_id, durationMinutes=60)
    assert codes(made) == ["TOO_LATE"] and made["request"] is None
    start, end = at(weekday_ahead(5), 14)
    extra = await ask_extra(api, team, (start, end))
    assert "TOO_LATE" in codes(extra)


async def test_slots_outside_opening_hours_are_refused(api, team):
    day = weekday_ahead()
    visit_id = await visit(api, team, at(day, 9))
    for slot in (at(day, 18), at(day, 6), at(weekday_ahead(4, 0) + timedelta(days=6), 10)):
        made = await ask_slot(api, team, visit_id, slot)
        assert codes(made) == ["OUTSIDE_OPENING_HOURS"], (slot, made)


SET_HOURS = """
mutation Set($input: SetOpeningHoursInput!) {
  setOpeningHours(input: $input) { userErrors { code } }
}
"""


async def test_the_rules_read_the_agencys_own_hours_and_policy_together(api, team):
    # Two spans a weekday: the rules read the agency, its policy and its hours joined, one
    # row per span, with no policy row at first.
    spans = [
        {"weekday": day, "opensAt": opens, "closesAt": closes}
        for day in range(5)
        for opens, closes in (("07:00:00", "10:00:00"), ("15:00:00", "21:00:00"))
    ]
    result = await api.data(SET_HOURS, {"input": {"spans": spans}}, token=team.admin)
    assert result["setOpeningHours"]["userErrors"] == []
    day = weekday_ahead(20)
    visit_id = await visit(api, team, at(day, 8))

    async def move_to(hour: float) -> list[str]:
        return codes(await ask_slot(api, team, visit_id, at(day, hour)))

    # 11:00 is open by default, not by the agency's hours; 18:30-20:30 the other way round.
    assert await move_to(11) == ["OUTSIDE_OPENING_HOURS"]
    await set_policy(api, team, minNoticeHours=24 * 30)
    assert await move_to(18.5) == ["TOO_LATE"]
    await set_policy(api, team, minNoticeHours=48)
    assert await move_to(18.5) == []


async def test_running_and_past_visits_cannot_change(api, team):
    visit_id = await visit(api, team, soon(0.5))
    check_in = (
        """mutation($id: ID!) { checkIn(input: {interventionId: $id}) { userErrors { code } } }"""
    )
    assert (await api.data(check_in, {"id": visit_id}, token=team.worker))["checkIn"][
        "userErrors"
    ] == []
    made = await ask(api, team, kind="CANCELLATION", interventionId=visit_id)
    assert "NOT_EDITABLE" in codes(made)


async def test_staff_cannot_approve_a_slot_the_worker_took_meanwhile(api, team):
    day = weekday_ahead()
    visit_id = await visit(api, team, at(day, 9))
    start, end = at(day, 14)
    made = await ask(
        api, team, kind="NEW_SLOT", interventionId=visit_id, scheduledStart=start, scheduledEnd=end
    )
    await visit(api, team, at(day, 14.5, 1))  # staff book the worker in between
    pending = (await api.data(PENDING, token=team.advisor))["pendingChangeRequests"]["edges"]
    checks = {c["rule"]: c["passed"] for c in pending[0]["node"]["checks"]}
    assert checks["WORKER_FREE"] is False
    assert codes(await decide(api, team, made["request"]["id"])) == ["WORKER_UNAVAILABLE"]
    unchanged = await read_visit(api, team, visit_id)
    assert datetime.fromisoformat(unchanged["scheduledStart"]).astimezone(PARIS).hour == 9


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"kind": "NEW_SLOT"}, {"REQUIRED"}),
        ({"kind": "NEW_DURATION", "durationMinutes": 15, "visit": True}, {"INVALID_DURATION"}),
        ({"kind": "NEW_DURATION", "durationMinutes": 800, "visit": True}, {"INVALID_DURATION"}),
        ({"kind": "CANCELLATION"}, {"REQUIRED"}),
        ({"kind": "SERVICE_CHANGE", "visit": True}, {"REQUIRED"}),
        (
            {"kind": "SERVICE_CHANGE", "serviceTypeCode": "X", "visit": True},
            {"UNKNOWN_SERVICE_TYPE"},
        ),
        ({"kind": "EXTRA_VISIT", "serviceTypeCode": "WINDOWS"}, {"REQUIRED"}),
        ({"kind": "PLAN_CHANGE"}, {"REQUIRED", "INVALID_WEEKDAY"}),
        ({"kind": "CANCELLATION", "visit": True, "note": "x" * 1001}, {"TOO_LONG"}),
    ],
)
async def test_bad_input_per_kind(api, team, values, expected):
    if values.pop("visit", False):
        values["interventionId"] = await visit(api, team, at(weekday_ahead(), 10))
    made = await ask(api, team, **values)
    assert made["request"] is None
    assert set(codes(made)) == expected, made


async def test_a_slot_that_ends_before_it_starts_is_refused(api, team):
    visit_id = await visit(api, team, at(weekday_ahead(), 10))
    start, end = at(weekday_ahead(), 14)
    made = await ask(
        api, team, kind="NEW_SLOT", interventionId=visit_id, scheduledStart=end, scheduledEnd=start
    )
    assert "END_BEFORE_START" in codes(made)


async def test_one_pending_request_per_visit(api, team):
    visit_id = await visit(api, team, at(weekday_ahead(), 10))
    assert (await ask(api, team, kind="CANCELLATION", interventionId=visit_id))["userErrors"] == []
    again = await ask(api, team, kind="NEW_DURATION", interventionId=visit_id, durationMinutes=60)
    assert codes(again) == ["ALREADY_PENDING"]


async def test_pending_requests_come_oldest_first_by_pages(api, team):
    day = weekday_ahead()
    ids = []
    for hour in (8, 11, 14):
        visit_id = await visit(api, team, at(day, hour, 1))
        made = await ask(api, team, kind="CANCELLATION", interventionId=visit_id)
        ids.append(made["request"]["id"])
    first = (await api.data(PENDING, {"first": 2}, token=team.advisor))["pendingChangeRequests"]
    assert [e["node"]["id"] for e in first["edges"]] == ids[:2]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = await api.data(
        PENDING, {"first": 2, "after": first["pageInfo"]["endCursor"]}, token=team.advisor
    )
    assert [e["node"]["id"] for e in rest["pendingChangeRequests"]["edges"]] == ids[2:]
    mine = (await api.data(MINE, token=team.client))["myChangeRequests"]["edges"]
    assert [e["node"]["id"] for e in mine] == ids[::-1]


async def test_two_staff_deciding_at_once_one_decision_wins(api, settings, team):
    colleague = await factories.log_in(
        api, await factories.staff(settings, team.agency_id, Role.ADVISOR)
    )
    visit_id = await visit(api, team, at(weekday_ahead(), 10))
    made = await ask(api, team, kind="CANCELLATION", interventionId=visit_id)
    request_id = made["request"]["id"]
    results = await asyncio.gather(
        decide(api, team, request_id),
        decide(api, team, request_id, "REJECT", token=colleague, reason="Non"),
    )
    outcomes = sorted(codes(r) for r in results)
    assert outcomes == [[], ["NOT_PENDING"]], results
    final = (await read_visit(api, team, visit_id))["status"]
    winner = next(r for r in results if not r["userErrors"])["request"]["status"]
    assert final == ("CANCELLED" if winner == "APPROVED" else "SCHEDULED")


async def test_a_change_of_policy_or_hours_reaches_the_pending_checks_at_once(api, team):
    # The rules' settings are kept a second per process (resolvers/agency/policy.py): a
    # change made here is seen by the very next request.
    day = weekday_ahead(6)
    visit_id = await visit(api, team, at(day, 9))
    made = await ask_slot(api, team, visit_id, at(day, 14))
    assert made["userErrors"] == []
    request_id = made["request"]["id"]

    async def checks() -> dict[str, bool]:
        page = await api.data(PENDING, {"first": 50}, token=team.advisor)
        [node] = [
            e["node"]
            for e in page["pendingChangeRequests"]["edges"]
            if e["node"]["id"] == request_id
        ]
        return {c["rule"]: c["passed"] for c in node["checks"]}

    assert (await checks())["NOTICE"] is True
    await set_policy(api, team, minNoticeHours=720)
    assert (await checks())["NOTICE"] is False
    assert (await checks())["OPENING_HOURS"] is True
    mornings = [{"weekday": d, "opensAt": "07:00:00", "closesAt": "10:00:00"} for d in range(5)]
    result = await api.data(SET_HOURS, {"input": {"spans": mornings}}, token=team.admin)
    assert result["setOpeningHours"]["userErrors"] == []
    assert (await checks())["OPENING_HOURS"] is False


async def test_a_policy_changed_by_another_process_is_seen_within_a_second(api, team):
    from models.agency.policy import AgencyPolicy
    from resolvers.agency.policy import RULE_SETTINGS_SECONDS

    day = weekday_ahead(6)
    visit_id = await visit(api, team, at(day, 9))
    made = await ask_slot(api, team, visit_id, at(day, 14))
    request_id = made["request"]["id"]
    await set_policy(api, team, minNoticeHours=24)

    async def notice() -> bool:
        page = await api.data(PENDING, {"first": 50}, token=team.advisor)
        [node] = [
            e["node"]
            for e in page["pendingChangeRequests"]["edges"]
            if e["node"]["id"] == request_id
        ]
        return bool(next(c["passed"] for c in node["checks"] if c["rule"] == "NOTICE"))

    assert await notice() is True  # read and kept
    # Another process changes the row: this one is not told, and reads it again once its
    # copy is RULE_SETTINGS_SECONDS old.
    await AgencyPolicy.filter(agency_id=team.agency_id).update(min_notice_hours=720)
    await asyncio.sleep(RULE_SETTINGS_SECONDS + 0.05)
    assert await notice() is False
