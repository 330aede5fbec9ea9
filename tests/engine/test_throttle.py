"""Rate limits by cost: each caller's bucket drains, refills, refuses with the wait, and is
shared by every process on the same database (or Redis, when the run has one)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from models.enums import Role
from tests import factories
from tests.client import WsClient
from tests.conftest import RunningServer

# Six fields, no list: requested and actual are both 6.
ME = "{ me { id email role firstName lastName } }"
ME_COST = 6
# A page of 9 asked, none there: 1 + 1 + 9 * 2 requested, 2 actual.
EMPTY_PAGE = "{ clients(first: 9) { edges { node { id } } } }"
EMPTY_CALENDAR = (  # 20 points asked, 2 used: the agency has no visit
    '{ interventions(filter: { from: "2026-12-01T00:00:00+01:00", '
    'to: "2026-12-08T00:00:00+01:00" }, first: 9) { edges { node { id } } } }'
)
BIGGER_EVENTS = (  # 7 points
    "subscription { interventionEvents { cursor type occurredAt intervention { id status } } }"
)
CAPACITY = 20
RESTORE = 5  # points a second
ANONYMOUS_RESTORE = 0.01  # slow enough for a test to count anonymous points exactly


@pytest.fixture(scope="module")
async def throttled(settings, start) -> AsyncIterator[list[RunningServer]]:
    """Two servers on the same database (and bus), small buckets switched on."""
    tight = settings.with_(
        cost_limits=True,
        cost_bucket_session=CAPACITY,
        cost_restore_session=RESTORE,
        cost_bucket_anonymous=CAPACITY,
        cost_restore_anonymous=ANONYMOUS_RESTORE,
        # Behind a proxy on loopback: X-Forwarded-For gives anonymous callers their network.
        trusted_proxies=("127.0.0.1",),
    )
    servers = [await start(tight), await start(tight)]
    yield servers
    for server in servers:
        await server.stop()


async def staff_token(api, settings) -> str:
    """A signed-in ADMIN of an agency of its own (signed in where no bucket is counted)."""
    agency_id = await factories.agency(settings)
    email = await factories.staff(settings, agency_id, Role.ADMIN)
    return await factories.log_in(api, email)


async def post(server: RunningServer, query: str, token: str | None = None) -> Any:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return await server.api.http.post("/graphql", json={"query": query}, headers=headers)


def cost_of(body: dict[str, Any]) -> dict[str, Any]:
    return dict(body["extensions"]["cost"])


async def test_a_bucket_drains_refuses_with_the_wait_and_refills(api, settings, throttled):
    server = throttled[0]
    token = await staff_token(api, settings)
    response = await post(server, ME, token)
    assert response.status_code == 200
    first = cost_of(response.json())
    assert first["requestedQueryCost"] == first["actualQueryCost"] == ME_COST
    assert first["maxQueryCost"] == settings.max_query_cost
    assert first["throttleStatus"] == {
        "maximumAvailable": CAPACITY,
        "currentlyAvailable": CAPACITY - ME_COST,  # a new bucket starts full
        "restoreRate": RESTORE,
    }
    for _ in range(50):  # three more draws of 6 empty it, unless the machine is very slow
        refused = await post(server, ME, token)
        if refused.status_code != 200:
            break
    assert refused.status_code == 429
    body = refused.json()
    [error] = body["errors"]
    assert error["extensions"]["code"] == "THROTTLED"
    wait_ms = error["extensions"]["retryAfterMs"]
    assert 0 < wait_ms <= ME_COST / RESTORE * 1000
    assert int(refused.headers["retry-after"]) == -(-wait_ms // 1000)
    assert body["data"] is None
    assert cost_of(body)["actualQueryCost"] is None  # nothing ran

    await asyncio.sleep(wait_ms / 1000 + 0.05)
    again = await post(server, ME, token)
    assert again.status_code == 200
    assert again.json()["data"]["me"]["role"] == "ADMIN"
    # What costs nothing does not even read the bucket.
    free = cost_of((await post(server, "{ __typename }", token)).json())
    assert free == {"requestedQueryCost": 0, "actualQueryCost": 0, "maxQueryCost": 5000}


async def test_what_a_request_did_not_use_is_given_back(api, settings, throttled):
    server = throttled[0]
    token = await staff_token(api, settings)
    response = await post(server, EMPTY_PAGE, token)
    body = response.json()
    assert body["data"] == {"clients": {"edges": []}}
    cost = cost_of(body)
    assert cost["requestedQueryCost"] == 20  # the whole bucket, taken before it ran
    assert cost["actualQueryCost"] == 2
    assert cost["throttleStatus"]["currentlyAvailable"] >= CAPACITY - 2  # 18 given back


async def test_planned_queries_draw_from_the_bucket_too(api, settings, throttled):
    """The calendar is answered from SQL straight to JSON (schema/engine/planner.py).

    It draws from the same bucket.
    """
    server = throttled[0]
    token = await staff_token(api, settings)
    planner = server.app.state.planner
    answered = planner.answered
    body = (await post(server, EMPTY_CALENDAR, token)).json()
    assert planner.answered == answered + 1
    assert body["data"] == {"interventions": {"edges": []}}
    cost = cost_of(body)
    assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (20, 2)
    assert cost["throttleStatus"]["currentlyAvailable"] >= CAPACITY - 2
    # Drained, the planner lets graphql-core's path refuse it, with the status and the wait.
    while (await post(server, ME, token)).status_code == 200:
        pass
    refused = await post(server, EMPTY_CALENDAR, token)
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["extensions"]["code"] == "THROTTLED"


async def test_a_request_bigger_than_the_bucket_is_refused_for_good(api, settings, throttled):
    """The bucket holds 20: a page of 50 can never be granted, and waiting would not help."""
    server = throttled[0]
    token = await staff_token(api, settings)
    response = await post(server, "{ clients(first: 50) { edges { node { id } } } }", token)
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert error["extensions"]["maxCost"] == CAPACITY
    assert response.status_code == 200  # no Retry-After: a smaller page is the answer


async def test_two_processes_draw_from_one_bucket(api, settings, throttled):
    a, b = throttled
    token = await staff_token(api, settings)
    while (await post(a, ME, token)).status_code == 200:
        pass  # drained on A: fewer than 6 points left
    # A bucket of B's own would hold all 20 points; the shared one needs seconds to refill.
    refused = await post(b, EMPTY_PAGE, token)
    assert refused.status_code == 429
    [error] = refused.json()["errors"]
    assert error["extensions"]["code"] == "THROTTLED"
    assert error["extensions"]["retryAfterMs"] > 1000


async def test_a_subscription_pays_when_it_starts(api, settings, throttled):
    server = throttled[0]
    token = await staff_token(api, settings)
    ws = await WsClient.connect(server.api, token=token)
    await ws.ack()
    while (await post(server, ME, token)).status_code == 200:
        pass  # drained: fewer than 6 points left
    await ws.subscribe(BIGGER_EVENTS)
    refused = await ws.receive()
    assert refused["type"] == "error", refused
    assert refused["payload"][0]["extensions"]["code"] == "THROTTLED"
    assert refused["payload"][0]["extensions"]["retryAfterMs"] > 0
    await ws.close()


async def anonymous(server: RunningServer, address: str) -> dict[str, Any]:
    headers = {"x-forwarded-for": address}
    response = await server.api.http.post("/graphql", json={"query": ME}, headers=headers)
    return dict(cost_of(response.json())["throttleStatus"])


async def test_anonymous_callers_share_the_bucket_of_their_network(throttled):
    a, b = throttled
    # `me` is null for them: 6 points taken, 5 given back.
    first = await anonymous(a, "198.51.100.7")
    assert first["currentlyAvailable"] == pytest.approx(CAPACITY - 1, abs=0.1)
    assert first["restoreRate"] == ANONYMOUS_RESTORE
    # Another address of the same /24, on the other process: the same bucket.
    neighbour = await anonymous(b, "198.51.100.200")
    assert neighbour["currentlyAvailable"] == pytest.approx(CAPACITY - 2, abs=0.1)
    # Another network: a bucket of its own.
    elsewhere = await anonymous(b, "203.0.113.7")
    assert elsewhere["currentlyAvailable"] == pytest.approx(CAPACITY - 1, abs=0.1)
