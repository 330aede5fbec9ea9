"""Ratings live on the agency's dashboard, and on the client's history."""

from __future__ import annotations

import logging
from typing import Any

from models.enums import InterventionStatus
from tests.client import WsClient
from tests.factories import EVENTS as INTERVENTION_EVENTS
from tests.factories import HEAD, QueryCounter, setup_agency, unique
from tests.messaging.factories import new_team, nothing_more
from tests.ratings.factories import RATE, completed_visit
from tests.visits.factories import past_visit

RATING_EVENTS = """
subscription Ratings($since: String) {
  ratingEvents(since: $since) {
    cursor occurredAt
    rating { id score comment intervention { id } }
  }
}
"""

HISTORY = """
query History($first: Int) {
  interventionHistory(first: $first) {
    edges { node { id status rating { id score comment } } }
  }
}
"""


async def watch(api, token: str, document: str) -> tuple[WsClient, str]:
    head = (await api.data(HEAD, token=token))["interventionEventsCursor"]
    ws = await WsClient.connect(api, token=token)
    await ws.ack()
    return ws, await ws.subscribe(document, {"since": head})


async def next_rating(ws: WsClient, op: str) -> dict[str, Any]:
    message = await ws.receive()
    assert message["type"] == "next" and message["id"] == op, message
    assert "errors" not in message["payload"], message
    return dict(message["payload"]["data"]["ratingEvents"])


async def test_a_rating_reaches_the_dashboard_and_the_client_live(api, settings, home_agency):
    team = await setup_agency(api, settings, home_agency)
    stranger = await new_team(api, settings)  # another agency
    visit_id = await completed_visit(api, team)
    staff_ws, staff_op = await watch(api, team.staff_token, RATING_EVENTS)
    client_ws, client_op = await watch(api, team.client_token, RATING_EVENTS)
    worker_ws, _ = await watch(api, team.worker_token, RATING_EVENTS)
    stranger_ws, _ = await watch(api, stranger.staff_token, RATING_EVENTS)
    visits_ws, _ = await watch(api, team.staff_token, INTERVENTION_EVENTS)

    rated = await api.data(
        RATE,
        {"input": {"interventionId": visit_id, "score": 2, "comment": "En retard"}},
        token=team.client_token,
    )
    rating_id = rated["rateIntervention"]["rating"]["id"]
    for ws, op in ((staff_ws, staff_op), (client_ws, client_op)):
        event = await next_rating(ws, op)
        assert event["rating"] == {
            "id": rating_id,
            "score": 2,
            "comment": "En retard",
            "intervention": {"id": visit_id},
        }
    # An edit within the week is live too.
    await api.data(
        RATE, {"input": {"interventionId": visit_id, "score": 4}}, token=team.client_token
    )
    edited = await next_rating(staff_ws, staff_op)
    assert edited["rating"]["score"] == 4 and edited["rating"]["id"] == rating_id
    await next_rating(client_ws, client_op)

    # Not the worker, not another agency; `interventionEvents` keeps to visits.
    for ws in (worker_ws, stranger_ws, visits_ws):
        assert await nothing_more(ws)
    # A refused rating sends nothing.
    await api.data(
        RATE, {"input": {"interventionId": visit_id, "score": 9}}, token=team.client_token
    )
    assert await nothing_more(staff_ws)

    # Resuming with `since` replays what was missed.
    await staff_ws.close()
    replay_ws = await WsClient.connect(api, token=team.staff_token)
    await replay_ws.ack()
    op = await replay_ws.subscribe(RATING_EVENTS, {"since": edited["cursor"]})
    other_visit = await completed_visit(api, team)
    await api.data(
        RATE, {"input": {"interventionId": other_visit, "score": 5}}, token=team.client_token
    )
    replayed = await next_rating(replay_ws, op)
    assert replayed["rating"]["intervention"]["id"] == other_visit
    for ws in (client_ws, worker_ws, stranger_ws, visits_ws, replay_ws):
        await ws.close()

    anonymous = await WsClient.connect(api)
    await anonymous.ack()
    await anonymous.subscribe(RATING_EVENTS)
    assert await anonymous.closed_with() == 4403


async def test_clients_see_their_ratings_on_their_history(api, settings, home_agency):
    team = await setup_agency(api, settings, home_agency)
    visit_id = await completed_visit(api, team)
    await api.data(
        RATE,
        {"input": {"interventionId": visit_id, "score": 5, "comment": "Parfait"}},
        token=team.client_token,
    )
    unrated = await completed_visit(api, team)
    history = (await api.data(HISTORY, {"first": 10}, token=team.client_token))[
        "interventionHistory"
    ]["edges"]
    by_id = {edge["node"]["id"]: edge["node"] for edge in history}
    assert by_id[visit_id]["rating"]["score"] == 5
    assert by_id[visit_id]["rating"]["comment"] == "Parfait"
    assert by_id[unrated]["rating"] is None

    # Staff of the agency see it on the visit; the worker does not.
    one = "query One($id: ID!) { intervention(id: $id) { rating { score } } }"
    staff = await api.data(one, {"id": visit_id}, token=team.staff_token)
    assert staff["intervention"]["rating"] == {"score": 5}
    worker = await api.data(one, {"id": visit_id}, token=team.worker_token)
    assert worker["intervention"]["rating"] is None


async def test_ratings_on_the_history_cost_the_same_for_3_and_30_visits(api, settings, home_agency):
    from models.ratings import Rating
    from services.clock import utcnow

    teams = {}
    for size in (3, 30):
        team = await setup_agency(api, settings, home_agency)
        for hours in range(size):
            visit = await past_visit(team, 48 + hours, status=InterventionStatus.COMPLETED)
            now = utcnow()
            await Rating.create(
                intervention=visit,
                client_id=visit.client_id,
                worker_id=visit.worker_id,
                agency_id=visit.agency_id,
                score=4,
                created_at=now,
                updated_at=now,
            )
        teams[size] = team

    counter = QueryCounter()
    db_log = logging.getLogger("tortoise.db_client")
    previous = db_log.level
    db_log.setLevel(logging.DEBUG)
    db_log.addHandler(counter)
    counts = {}
    try:
        for size, team in teams.items():
            request_id = unique("history-ratings-")
            result = await api.data(
                HISTORY,
                {"first": 50},
                token=team.client_token,
                headers={"X-Request-ID": request_id},
            )
            edges = result["interventionHistory"]["edges"]
            assert len(edges) == size and all(e["node"]["rating"]["score"] == 4 for e in edges)
            counts[size] = counter.beyond_the_kept(request_id)
    finally:
        db_log.removeHandler(counter)
        db_log.setLevel(previous)
    assert counts[3] == counts[30]
