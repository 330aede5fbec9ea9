"""The websocket transport, spoken over a real socket: graphql-transport-ws only,
auth in connection_init, the handshake and size limits, and sockets that end
with their session (revoked anywhere, or expired while open)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
import websockets
from tortoise.transactions import in_transaction

from models.accounts import Agency
from models.security import Session
from services.clock import utcnow
from services.tokens import digest
from tests import factories
from tests.client import WS_PROTOCOL, Api, WsClient
from tests.factories import PASSWORD
from tests.mailbox import token_in

ME = "query { me { id email } }"
SESSIONS = "query { sessions { id current } }"
NEW_PASSWORD = "Nouveau-Secret9?x"
APP_ORIGIN = "https://app.passage.test"

LOG_OUT = "mutation { logOut { ok } }"
REVOKE_SESSION = "mutation Revoke($id: ID!) { revokeSession(id: $id) { ok } }"
CHANGE_PASSWORD = """
mutation Change($input: ChangePasswordInput!) {
  changePassword(input: $input) { ok userErrors { code } }
}
"""
REQUEST_RESET = "mutation Ask($email: String!) { requestPasswordReset(email: $email) { ok } }"
RESET_PASSWORD = """
mutation Reset($input: ResetPasswordInput!) {
  resetPassword(input: $input) { ok userErrors { code } }
}
"""


# --- helpers ---------------------------------------------------------------------------------


async def signed_in(api: Api, sessions: int = 1) -> tuple[str, list[str]]:
    """A new client account signed in `sessions` times: (email, tokens)."""
    email, _ = await factories.client(api)
    return email, [await factories.log_in(api, email) for _ in range(sessions)]


async def session_id(token: str) -> int:
    return (await Session.get(token_hash=digest(token))).id


async def connected(api: Api, token: str | None = None, **kwargs: Any) -> WsClient:
    """A socket past connection_ack."""
    ws = await WsClient.connect(api, token, **kwargs)
    await ws.ack()
    return ws


async def result_of(ws: WsClient, query: str, variables: dict[str, Any] | None = None) -> Any:
    """Runs one operation; returns its `next` payload after checking it completes."""
    message = await ws.execute(query, variables)
    assert message["type"] == "next", message
    assert await ws.receive() == {"id": message["id"], "type": "complete"}
    return message["payload"]


async def still_open(ws: WsClient) -> bool:
    await ws.send({"type": "ping"})
    return await ws.receive() == {"type": "pong"}


async def handshake_status(api: Api, origin: str | None) -> int:
    """101 when the server accepts the handshake, else the HTTP status it answered."""
    try:
        connection = await websockets.connect(
            api.ws_url(),
            subprotocols=[WS_PROTOCOL],  # type: ignore[list-item]
            origin=origin,  # type: ignore[arg-type]
            compression=None,
        )
    except websockets.InvalidStatus as refused:
        return refused.response.status_code
    await connection.close()
    return 101


async def connections_ended(running: Any) -> None:
    """Waits until the server has finished with every connection it was handling."""
    tasks = set(running.server.server_state.tasks)
    if tasks:
        await asyncio.wait_for(asyncio.wait(tasks), 5)


@contextlib.asynccontextmanager
async def session_table_locked(settings: Any) -> AsyncIterator[None]:
    """Holds every read of the session table until the block ends.

    On SQLite the ORM has one connection and an open transaction holds it; on
    PostgreSQL the table lock does.
    """
    async with in_transaction() as connection:
        if settings.database_engine == "postgres":
            await connection.execute_script('LOCK TABLE "session" IN ACCESS EXCLUSIVE MODE')
        yield


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


# --- sockets end with their session ------------------------------------------------------------


async def test_logging_out_closes_the_sessions_sockets(api, server, home_agency):
    _, [token, other] = await signed_in(api, sessions=2)
    sockets = server.app.state.sockets
    first, second = await connected(api, token), await connected(api, token)
    bystander = await connected(api, other)
    assert await session_id(token) in sockets.session_ids()

    assert (await api.data(LOG_OUT, token=token))["logOut"] == {"ok": True}
    assert await first.closed_with() == 4403
    assert await second.closed_with() == 4403
    assert await session_id(token) not in sockets.session_ids()
    assert await still_open(bystander)
    await bystander.close()


async def test_logging_out_over_the_socket_closes_it(api, home_agency):
    _, [token] = await signed_in(api)
    ws = await connected(api, token)
    await ws.subscribe(LOG_OUT)
    assert await ws.closed_with() == 4403


async def test_revoking_a_session_closes_its_sockets_only(api, home_agency):
    _, [laptop, phone] = await signed_in(api, sessions=2)
    laptop_ws, phone_ws = await connected(api, laptop), await connected(api, phone)
    [phone_session] = [
        s for s in (await api.data(SESSIONS, token=laptop))["sessions"] if not s["current"]
    ]

    await api.data(REVOKE_SESSION, {"id": phone_session["id"]}, token=laptop)
    assert await phone_ws.closed_with() == 4403
    assert await still_open(laptop_ws)
    await laptop_ws.close()


async def test_changing_the_password_closes_the_other_sessions_sockets(api, home_agency):
    email, [here, elsewhere] = await signed_in(api, sessions=2)
    here_ws, elsewhere_ws = await connected(api, here), await connected(api, elsewhere)

    variables = {"input": {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}}
    changed = await result_of(here_ws, CHANGE_PASSWORD, variables)
    assert changed["data"]["changePassword"] == {"ok": True, "userErrors": []}
    assert await elsewhere_ws.closed_with() == 4403
    assert (await result_of(here_ws, ME))["data"]["me"]["email"] == email
    await here_ws.close()


async def test_resetting_the_password_closes_every_socket_of_the_account(api, mailbox, home_agency):
    email, [first, second] = await signed_in(api, sessions=2)
    sockets = [await connected(api, first), await connected(api, second)]
    await api.data(REQUEST_RESET, {"email": email})
    token = token_in(await mailbox.wait_for(email, "Réinitialisation"))

    reset = await api.data(RESET_PASSWORD, {"input": {"token": token, "newPassword": NEW_PASSWORD}})
    assert reset["resetPassword"] == {"ok": True, "userErrors": []}
    for ws in sockets:
        assert await ws.closed_with() == 4403


async def test_a_revocation_reaches_sockets_held_by_another_process(
    api, start, settings, home_agency
):
    if not settings.broadcast_url.startswith("redis"):
        pytest.skip("memory:// carries news within one process only; needs Redis")
    other = await start(settings)
    try:
        _, [token] = await signed_in(api)
        ws = await connected(other.api, token)
        # Signed out through the first server; the socket lives on the second.
        await api.data(LOG_OUT, token=token)
        assert await ws.closed_with() == 4403
    finally:
        await other.stop()


@pytest.mark.parametrize("ended", ["expired", "idle"])
async def test_the_sweep_closes_sockets_whose_session_ran_out(
    api, start, settings, home_agency, ended
):
    running = await start(settings.with_(session_sweep_seconds=0.2))
    try:
        _, [live, ending] = await signed_in(api, sessions=2)
        # Connected first, so each sweep checks it before the ending one.
        live_ws = await connected(running.api, live)
        ending_ws = await connected(running.api, ending)
        assert await still_open(ending_ws)

        sessions = Session.filter(token_hash=digest(ending))
        if ended == "expired":
            await sessions.update(expires_at=utcnow() - timedelta(seconds=1))
        else:
            idle = timedelta(minutes=settings.session_idle_minutes, seconds=1)
            await sessions.update(last_seen_at=utcnow() - idle)
        assert await ending_ws.closed_with() == 4403
        # The sweep that closed it had already looked at the live session.
        assert await still_open(live_ws)
        assert running.app.state.sockets.session_ids() == [await session_id(live)]
        await live_ws.close()
    finally:
        await running.stop()


async def test_sockets_that_go_away_leave_nothing_behind(api, start, settings, home_agency):
    running = await start(settings)
    sockets = running.app.state.sockets
    try:
        _, [token, revoked] = await signed_in(api, sessions=2)
        clean = await connected(running.api, token)
        dropped = await connected(running.api, token)
        ended = await connected(running.api, revoked)  # left open: the revocation closes it
        anonymous = await connected(running.api)
        assert len(sockets) == 3
        assert sorted(sockets.session_ids()) == sorted(
            [await session_id(token), await session_id(revoked)]
        )

        await clean.close()
        dropped.connection.transport.abort()  # no close frame: the TCP link just drops
        await anonymous.close()
        # Through this server: memory:// only carries news within one app.
        await running.api.data(LOG_OUT, token=revoked)
        assert await ended.closed_with() == 4403
        await connections_ended(running)
        assert len(sockets) == 0
        assert sockets.session_ids() == []
    finally:
        await running.stop()


async def test_the_sweep_reads_sessions_in_batches(api, server, settings, home_agency):
    """Thousands of open sockets: the sweep's statements come by batch, and say the same."""
    from resolvers.sessions import SWEEP_BATCH, live_sessions

    _, tokens = await signed_in(api, sessions=3)
    live, revoked, expired = [await session_id(token) for token in tokens]
    await Session.filter(id=revoked).update(revoked_at=utcnow())
    await Session.filter(id=expired).update(expires_at=utcnow() - timedelta(seconds=1))
    unknown = list(range(10**8, 10**8 + 2 * SWEEP_BATCH))
    asked = [*unknown[:SWEEP_BATCH], revoked, live, *unknown[SWEEP_BATCH:], expired]
    assert await live_sessions(server.app.state.runtime, asked) == {live}
    assert await live_sessions(server.app.state.runtime, []) == set()
