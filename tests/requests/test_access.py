"""Change requests live and private: who hears of them, who may touch them."""

from __future__ import annotations

from tests.client import WsClient
from tests.factories import at, codes, household, office, visit, weekday_ahead
from tests.requests.factories import (
    PENDING,
    REQUEST,
    REVIEW,
    WITHDRAW,
    ask,
    ask_extra,
    decide,
    listen,
    received,
)

NODE = "query($id: ID!) { node(id: $id) { id ... on ChangeRequest { status } } }"


async def silent(ws: WsClient) -> bool:
    try:
        await ws.receive(0.5)
    except TimeoutError:
        return True
    return False


async def test_client_and_staff_follow_a_request_live(api, settings, mailbox, team):
    stranger = await household(api, mailbox, team.postal_code)
    day = weekday_ahead()
    visit_id = await visit(api, team, at(day, 9))
    client_ws, client_req, client_visits = await listen(api, team.client)
    staff_ws, staff_req, staff_visits = await listen(api, team.advisor)
    stranger_ws, _, _ = await listen(api, stranger["token"])
    start, end = at(day, 14)
    made = await ask(
        api, team, kind="NEW_SLOT", interventionId=visit_id, scheduledStart=start, scheduledEnd=end
    )
    request_id = made["request"]["id"]
    for ws, op in ((client_ws, client_req), (staff_ws, staff_req)):
        [(got_op, event)] = await received(ws, 1)
        assert got_op == op and event["type"] == "REQUEST_CREATED"
        assert event["request"]["id"] == request_id
    await decide(api, team, request_id)
    for ws, req_op, visit_op in (
        (client_ws, client_req, client_visits),
        (staff_ws, staff_req, staff_visits),
    ):
        events = dict(await received(ws, 2))
        assert events[visit_op]["type"] == "RESCHEDULED"
        assert events[visit_op]["intervention"]["id"] == visit_id
        assert events[req_op]["type"] == "REQUEST_APPROVED"
        assert events[req_op]["request"]["status"] == "APPROVED"
    # Rejection and withdrawal reach both as well; the other household hears nothing.
    second = await ask(api, team, kind="CANCELLATION", interventionId=visit_id)
    await decide(api, team, second["request"]["id"], "REJECT", reason="Trop tard pour nous")
    third = await ask(api, team, kind="NEW_DURATION", interventionId=visit_id, durationMinutes=60)
    await api.data(WITHDRAW, {"input": {"requestId": third["request"]["id"]}}, token=team.client)
    for ws in (client_ws, staff_ws):
        types = [event["type"] for _, event in await received(ws, 4)]
        assert types == [
            "REQUEST_CREATED",
            "REQUEST_REJECTED",
            "REQUEST_CREATED",
            "REQUEST_WITHDRAWN",
        ]
    assert await silent(stranger_ws)
    for ws in (client_ws, staff_ws, stranger_ws):
        await ws.close()


async def test_a_client_only_asks_about_its_own_visits(api, mailbox, team):
    other = await household(api, mailbox, team.postal_code)
    visit_id = await visit(api, team, at(weekday_ahead(), 10))
    made = await ask(api, team, token=other["token"], kind="CANCELLATION", interventionId=visit_id)
    assert codes(made) == ["NOT_FOUND"]
    mine = await ask(api, team, kind="CANCELLATION", interventionId=visit_id)
    request_id = mine["request"]["id"]
    withdraw = await api.data(WITHDRAW, {"input": {"requestId": request_id}}, token=other["token"])
    assert withdraw["cancelChangeRequest"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert (await api.data(NODE, {"id": request_id}, token=other["token"]))["node"] is None
    assert (await api.data(NODE, {"id": request_id}, token=team.client))["node"]["status"] == (
        "PENDING"
    )


async def test_an_unverified_client_cannot_ask(api, mailbox, team):
    unverified = await household(api, mailbox, team.postal_code, verify=False)
    result = await api.data(REQUEST, {"input": {"kind": "CANCELLATION"}}, token=unverified["token"])
    assert codes(result["requestChange"]) == ["EMAIL_NOT_VERIFIED"]


async def test_only_clients_ask_and_only_staff_decide(api, team):
    visit_id = await visit(api, team, at(weekday_ahead(), 10))
    values = {"kind": "CANCELLATION", "interventionId": visit_id}
    for token in (team.worker, team.advisor, team.admin):
        assert await api.error_code(REQUEST, {"input": values}, token) == "FORBIDDEN"
    assert await api.error_code(REQUEST, {"input": values}) == "UNAUTHENTICATED"
    request_id = (await ask(api, team, **values))["request"]["id"]
    review = {"input": {"requestId": request_id, "decision": "APPROVE"}}
    for token in (team.worker, team.client):
        assert await api.error_code(REVIEW, review, token) == "FORBIDDEN"
        assert await api.error_code(PENDING, token=token) == "FORBIDDEN"
    assert await api.error_code(REVIEW, review) == "UNAUTHENTICATED"


async def test_staff_act_only_within_their_agency(api, settings, mailbox, team):
    elsewhere = await office(api, settings, mailbox)
    visit_id = await visit(api, team, at(weekday_ahead(), 10))
    request_id = (await ask(api, team, kind="CANCELLATION", interventionId=visit_id))["request"][
        "id"
    ]
    assert codes(await decide(api, team, request_id, token=elsewhere.advisor)) == ["NOT_FOUND"]
    pending = (await api.data(PENDING, token=elsewhere.advisor))["pendingChangeRequests"]
    assert pending["edges"] == []
    assert (await api.data(NODE, {"id": request_id}, token=elsewhere.advisor))["node"] is None
    # A worker of another agency cannot be sent on an extra visit.
    start, end = at(weekday_ahead(), 15)
    extra = await ask_extra(api, team, (start, end))
    outsider = await decide(api, team, extra["request"]["id"], workerId=elsewhere.worker_id)
    assert codes(outsider) == ["NOT_IN_AGENCY"]


async def test_an_extra_visit_without_a_usual_worker_needs_staff_to_pick_one(api, team):
    start, end = at(weekday_ahead(), 15)
    extra = await ask_extra(api, team, (start, end))
    checks = {c["rule"]: c["passed"] for c in extra["request"]["checks"]}
    assert checks["WORKER_FREE"] is False
    assert codes(await decide(api, team, extra["request"]["id"])) == ["WORKER_REQUIRED"]
    done = await decide(api, team, extra["request"]["id"], workerId=team.worker_id)
    assert done["userErrors"] == [] and done["request"]["status"] == "APPROVED"


async def test_bad_ids_are_bad_input(api, team):
    bad = {"input": {"kind": "CANCELLATION", "interventionId": "not-an-id"}}
    assert await api.error_code(REQUEST, bad, team.client) == "BAD_USER_INPUT"
    review = {"input": {"requestId": "x", "decision": "APPROVE"}}
    assert await api.error_code(REVIEW, review, team.advisor) == "BAD_USER_INPUT"
    assert await api.error_code(PENDING, {"first": 101}, team.advisor) == "BAD_USER_INPUT"
