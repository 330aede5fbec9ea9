"""The websocket transport, spoken over a real socket: graphql-transport-ws only,
auth in connection_init, the handshake and size limits."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
import websockets

from models.accounts.people import Agency
from models.accounts.security import Session
from services.clock import utcnow
from services.tokens import digest
from tests import factories
from tests.client import WsClient
from tests.subscriptions.factories import (
    connected,
    handshake_status,
    result_of,
    session_table_locked,
    signed_in,
)

ME = "query { me { id email } }"
SESSIONS = "query { sessions { id current } }"
APP_ORIGIN = "https://app.passage.test"

LOG_OUT = "mutation { logOut { ok } }"


# --- protocol and authentication ---------------------------------------------------------------


async def test_queries_over_the_socket_run_as_the_connections_viewer(api, home_agency):
    email, [token] = await signed_in(api)
    ws = await connected(api, token)
    assert (await result_of(ws, ME))["data"]["me"]["email"] == email
    [current] = (await result_of(ws, SESSIONS))["data"]["sessions"]
    assert current["current"] is True
    await ws.close()


async def test_without_a_token_the_socket_is_anonymous(api):
    ws = await connected(api)
    assert (await result_of(ws, ME))["data"] == {"me": None}
    refused = await result_of(ws, SESSIONS)
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    await ws.close()


@pytest.mark.parametrize(
    "payload",
    [
        {"authorization": "Bearer garbage"},
        {"authorization": "Bearer pas_" + "A" * 43},
        {"authorization": "Basic dXNlcjpwYXNzd29yZA=="},
        {"authorization": "Bearer " + "x" * 300},
        {"authorization": 42},
        {"authorization": ["Bearer x"]},
    ],
)
async def test_a_bad_token_is_refused_with_4403(api, payload):
    ws = await WsClient.connect(api, payload=payload)
    assert await ws.closed_with() == 4403


@pytest.mark.parametrize("ended", ["logged_out", "expired", "idle"])
async def test_a_token_whose_session_ended_is_refused_with_4403(api, settings, home_agency, ended):
    _, [token] = await signed_in(api)
    sessions = Session.filter(token_hash=digest(token))
    if ended == "logged_out":
        assert (await api.data(LOG_OUT, token=token))["logOut"] == {"ok": True}
    elif ended == "expired":
        await sessions.update(expires_at=utcnow() - timedelta(seconds=1))
    else:
        idle = timedelta(minutes=settings.session_idle_minutes, seconds=1)
        await sessions.update(last_seen_at=utcnow() - idle)
    ws = await WsClient.connect(api, token)
    assert await ws.closed_with() == 4403


async def test_only_graphql_transport_ws_is_spoken(api):
    for offered in (["graphql-ws"], None):
        connection = await websockets.connect(
            api.ws_url(),
            subprotocols=offered,  # type: ignore[arg-type]
            compression=None,
        )
        assert connection.subprotocol is None
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(connection.recv(), 5)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4406, offered


async def test_operations_before_connection_ack_close_the_socket(api):
    ws = await WsClient.connect(api, init=False)
    await ws.subscribe(ME)
    assert await ws.closed_with() == 4401


async def test_connection_init_must_come_within_the_timeout(start, settings):
    running = await start(settings.with_(ws_init_timeout_seconds=0.3))
    try:
        ws = await WsClient.connect(running.api, init=False)
        assert await ws.closed_with(timeout=5) == 4408
    finally:
        await running.stop()


# --- handshake: origins ----------------------------------------------------------------------


async def test_only_allowed_origins_may_open_a_socket(api, start, settings):
    # The shared test server allows no other origin; same-origin pages and clients
    # that send no Origin (not browsers) are always let in.
    same_origin = api.base_url
    assert await handshake_status(api, None) == 101
    assert await handshake_status(api, same_origin) == 101
    assert await handshake_status(api, APP_ORIGIN) == 403

    running = await start(settings.with_(allowed_origins=(APP_ORIGIN,)))
    try:
        assert await handshake_status(running.api, APP_ORIGIN) == 101
        assert await handshake_status(running.api, APP_ORIGIN + "/") == 101
        assert await handshake_status(running.api, "https://evil.example") == 403
        assert await handshake_status(running.api, "https://sub.app.passage.test") == 403
        assert await handshake_status(running.api, "null") == 403
    finally:
        await running.stop()


async def test_in_production_a_plain_http_page_may_not_open_a_socket(start, settings):
    running = await start(settings.with_(environment="production", allowed_origins=(APP_ORIGIN,)))
    try:
        # Same origin, but over http://: the token would cross the network in clear.
        assert await handshake_status(running.api, running.api.base_url) == 403
        assert await handshake_status(running.api, "http://app.passage.test") == 403
        assert await handshake_status(running.api, APP_ORIGIN) == 101
        assert await handshake_status(running.api, None) == 101
    finally:
        await running.stop()


# --- limits ----------------------------------------------------------------------------------


def message_of_size(size: int) -> str:
    """A `me` subscribe message padded with a GraphQL comment to exactly `size` bytes."""
    base = {"id": "big", "type": "subscribe", "payload": {"query": "{ me { id } }\n#"}}
    padding = size - len(json.dumps(base))
    assert padding >= 0
    base["payload"]["query"] += "x" * padding  # type: ignore[index]
    encoded = json.dumps(base)
    assert len(encoded.encode()) == size
    return encoded


async def test_a_message_over_the_size_limit_closes_the_socket_with_1009(api, settings):
    ws = await connected(api)
    await ws.connection.send(message_of_size(settings.max_ws_message_bytes))
    at_limit = await ws.receive()
    assert (at_limit["id"], at_limit["type"]) == ("big", "next")
    assert at_limit["payload"]["data"] == {"me": None}
    assert (await ws.receive())["type"] == "complete"

    await ws.connection.send(message_of_size(settings.max_ws_message_bytes + 1))
    assert await ws.closed_with() == 1009


async def test_operations_in_flight_per_connection_are_limited(api, start, settings, home_agency):
    # No subscription field exists yet, so the operations are held open another way:
    # while the session table is locked, `sessions` queries cannot finish.
    running = await start(settings.with_(max_subscriptions_per_connection=2))
    try:
        _, [token] = await signed_in(api)
        ws = await connected(running.api, token)
        async with session_table_locked(settings):
            first = await ws.subscribe(SESSIONS)
            second = await ws.subscribe(SESSIONS)
            third = await ws.subscribe(SESSIONS)
            refused = await ws.receive()
        assert refused["id"] == third
        assert refused["type"] == "error"
        assert refused["payload"][0]["message"] == "Subscription limit reached"

        # Once the held operations finish, their places are free again.
        answered = [await ws.receive() for _ in range(4)]
        assert sorted((m["id"], m["type"]) for m in answered) == sorted(
            [(first, "next"), (first, "complete"), (second, "next"), (second, "complete")]
        )
        assert (await result_of(ws, SESSIONS))["data"]["sessions"]
        await ws.close()
    finally:
        await running.stop()


async def test_each_operation_on_a_socket_sees_fresh_data(api, settings):
    # DataLoaders are per operation, not per connection: a socket open for hours
    # must not keep serving the rows it loaded first.
    agency_id = await factories.agency(settings)
    token = await factories.log_in(api, await factories.staff(settings, agency_id))
    ws = await connected(api, token)
    query = "query { me { agency { name } } }"
    before = (await result_of(ws, query))["data"]["me"]["agency"]["name"]
    await Agency.filter(id=agency_id).update(name=before + " (renamed)")
    after = (await result_of(ws, query))["data"]["me"]["agency"]["name"]
    assert after == before + " (renamed)"
    await ws.close()
