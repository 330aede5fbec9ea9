"""Every kind of request, approved automatically (seen live) and rejected (nothing moves)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from models.accounts.people import Client
from models.visits.visits import Intervention
from schema.core.ids import from_global_id
from tests.factories import Office, at, office, set_policy, visit, weekday_ahead
from tests.requests.factories import ask, decide, listen, make_plan

KINDS = ["EXTRA_VISIT", "SERVICE_CHANGE", "NEW_SLOT", "NEW_DURATION", "CANCELLATION", "PLAN_CHANGE"]
# What approval does to the visits, as interventionEvents types.
VISIT_EVENTS = {
    "EXTRA_VISIT": {"SCHEDULED"},
    "SERVICE_CHANGE": {"RESCHEDULED"},
    "NEW_SLOT": {"RESCHEDULED"},
    "NEW_DURATION": {"RESCHEDULED"},
    "CANCELLATION": {"CANCELLED"},
    "PLAN_CHANGE": {"CANCELLED", "SCHEDULED"},
}


async def request_input(api, team: Office, kind: str) -> dict[str, Any]:
    day = weekday_ahead()
    if kind == "PLAN_CHANGE":
        plan_id, first = await make_plan(api, team)
        return {
            "kind": kind,
            "planId": plan_id,
            "weekday": 3,
            "startTime": "15:00:00",
            "durationMinutes": 90,
            "validFrom": first.isoformat(),
        }
    visit_id = await visit(api, team, at(day, 9))
    if kind == "EXTRA_VISIT":
        start, end = at(day + timedelta(days=1), 10)
        return {
            "kind": kind,
            "serviceTypeCode": "WINDOWS",
            "scheduledStart": start,
            "scheduledEnd": end,
        }
    if kind == "SERVICE_CHANGE":
        return {"kind": kind, "interventionId": visit_id, "serviceTypeCode": "SPRING_CLEANING"}
    if kind == "NEW_SLOT":
        start, end = at(day, 14)
        return {
            "kind": kind,
            "interventionId": visit_id,
            "scheduledStart": start,
            "scheduledEnd": end,
        }
    if kind == "NEW_DURATION":
        return {"kind": kind, "interventionId": visit_id, "durationMinutes": 150}
    return {"kind": kind, "interventionId": visit_id, "note": "Déménagement"}


async def snapshot(team: Office) -> list[tuple[Any, ...]]:
    client = await Client.get(id=from_global_id(team.client_id)[1])
    return [
        (v.id, v.status, v.scheduled_start, v.scheduled_end, v.service_type_id)
        for v in await Intervention.filter(client_id=client.id).order_by("id")
    ]


@pytest.mark.parametrize("kind", KINDS)
async def test_each_kind_is_approved_automatically_and_both_sides_see_it(
    api, settings, mailbox, kind
):
    team = await office(api, settings, mailbox)
    await set_policy(api, team, autoApprove=True)
    values = await request_input(api, team, kind)
    sockets = [await listen(api, token) for token in (team.client, team.advisor)]
    made = await ask(api, team, **values)
    assert made["userErrors"] == [], made
    assert made["request"]["status"] == "APPROVED" and made["request"]["autoApproved"] is True
    for ws, requests_op, visits_op in sockets:
        request_types: list[str] = []
        visit_types: set[str] = set()
        # Each subscription replays the log from the head in order; the two of one socket
        # run side by side, so either may deliver first.
        while "REQUEST_APPROVED" not in request_types or visit_types < VISIT_EVENTS[kind]:
            message = await ws.receive()
            assert message["type"] == "next", message
            data = next(iter(message["payload"]["data"].values()))
            if message["id"] == requests_op:
                request_types.append(data["type"])
            else:
                assert message["id"] == visits_op
                visit_types.add(data["type"])
        assert request_types == ["REQUEST_CREATED", "REQUEST_APPROVED"]
        assert visit_types == VISIT_EVENTS[kind], (kind, visit_types)
        await ws.close()


@pytest.mark.parametrize("kind", KINDS)
async def test_each_kind_can_be_rejected_and_nothing_changes(api, settings, mailbox, kind):
    team = await office(api, settings, mailbox)
    values = await request_input(api, team, kind)
    before = await snapshot(team)
    made = await ask(api, team, **values)
    assert made["request"]["status"] == "PENDING"
    rejected = await decide(api, team, made["request"]["id"], "REJECT", reason="Pas possible")
    assert rejected["userErrors"] == []
    assert rejected["request"]["status"] == "REJECTED"
    assert await snapshot(team) == before
    message = await mailbox.wait_for(team.client_email, "Réponse à votre demande")
    assert "Pas possible" in str(message.get_body(preferencelist=("plain",)).get_content())
