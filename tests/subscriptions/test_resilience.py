"""Live events when things go wrong: slow readers, news out of order, concurrent sweeps.
Every check goes over a real websocket; the Redis connection lost under a stream is in
test_redis_outage.py."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from tortoise.transactions import in_transaction

from models.enums import EventType
from models.events import Event
from resolvers.visits import lateness
from schema.core.ids import cursor_for
from subscriptions import events
from tests.client import Api
from tests.factories import eventually, next_event, pk
from tests.subscriptions.factories import (
    all_published,
    burst,
    collect,
    event_id,
    quiet,
    received_ids,
    setup_team,
    subscribe,
    visits,
)

# --- a reader that stops reading ---------------------------------------------------------------


def small_window_socket(api: Api, receive_buffer: int = 4096) -> socket.socket:
    """A connected TCP socket whose receive buffer the kernel keeps small."""
    parts = urlsplit(api.base_url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.connect((parts.hostname, parts.port))
    sock.setblocking(False)
    return sock


def narrow_server_end(running: Any, client: socket.socket, send_buffer: int = 4096) -> None:
    """Caps the kernel send buffer of the server's end of `client`'s connection, as a slow
    link would: on loopback Linux would otherwise let it grow to 4 MiB."""
    for protocol in running.server.server_state.connections:
        transport = protocol.transport
        if transport.get_extra_info("peername")[:2] == client.getsockname()[:2]:
            server_end = transport.get_extra_info("socket")
            server_end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
            return
    raise AssertionError("no server connection for this client")


async def test_a_slow_subscriber_is_closed_with_a_resumable_error(
    api, start, settings, home_agency
):
    # The bound is the queue between the hub and the GraphQL stream: it only fills while the
    # stream is stuck sending, i.e. once every buffer on the way to the client is full. The
    # client stops reading (websockets pauses the socket after one frame, its kernel buffer
    # is 4 KiB) and the server's socket buffer is capped as a slow link would, so about 300
    # events fill the path (asyncio buffers 64 KiB of them); 1,000 are produced.
    running = await start(settings.with_(subscriber_queue_size=4))
    runtime = running.app.state.runtime
    try:
        team = await setup_team(api, settings, home_agency)
        [visit] = await visits(team, 1, timedelta(hours=30))
        sock = small_window_socket(running.api)
        slow, slow_op = await subscribe(running.api, team.client_token, sock=sock, max_queue=1)
        narrow_server_end(running, sock)
        warm_up = await burst(runtime.bus, visit, 1)
        assert await received_ids(slow, slow_op, 1) == warm_up
        [subscriber] = runtime.hub.members(f"client:{pk(team.client_id)}")

        produced: list[int] = []
        for _ in range(10):
            produced += await burst(runtime.bus, visit, 100)

        # The server gives up on it (the client cannot tell before it reads again).
        async def given_up() -> bool:
            return bool(subscriber.overflowed)

        await eventually(given_up)
        received: list[int] = []
        while True:
            message = await slow.receive(10)
            assert message["id"] == slow_op, message
            if message["type"] != "next" or message["payload"].get("errors"):
                break
            received.append(event_id(message["payload"]["data"]["interventionEvents"]))
        assert message["type"] == "next", message
        [error] = message["payload"]["errors"]
        assert error["extensions"]["code"] == "SUBSCRIBER_TOO_SLOW"
        assert "since" in error["message"]
        assert await slow.receive() == {"id": slow_op, "type": "complete"}
        assert 0 < len(received) < len(produced)
        assert received == produced[: len(received)]

        # Resuming from the last cursor received brings every missed event, in order, once.
        resumed, op = await subscribe(
            running.api, team.client_token, since=cursor_for(received[-1])
        )
        rest = await received_ids(resumed, op, len(produced) - len(received))
        assert received + rest == produced
        await quiet(resumed)
        await slow.close()
        await resumed.close()
    finally:
        await running.stop()


# --- the bus delivers out of order -------------------------------------------------------------


async def test_news_published_out_of_order_reaches_subscribers_in_order(
    api, server, settings, home_agency
):
    # Two processes commit events 1 and 2 in that order; the second one publishes first.
    bus = server.app.state.runtime.bus
    team = await setup_team(api, settings, home_agency)
    [visit] = await visits(team, 1, timedelta(hours=30))
    ws, op = await subscribe(api, team.client_token)
    # Once this arrives the subscription is live: the log will not be read again.
    warm_up = await burst(bus, visit, 1)
    assert await received_ids(ws, op, 1) == warm_up
    now = datetime.now(UTC)
    async with in_transaction():
        first = await events.record(EventType.RESCHEDULED, visit, now)
    async with in_transaction():
        second = await events.record(EventType.REASSIGNED, visit, now)
    await events.publish(bus, [second])
    await events.publish(bus, [first])
    assert await received_ids(ws, op, 2) == [first.id, second.id]
    await quiet(ws)
    await ws.close()


# --- a process dies between commit and publish ------------------------------------------------


async def test_an_event_committed_but_never_published_is_relayed_once(
    api, start, settings, home_agency
):
    running = await start(settings.with_(event_relay_seconds=0.2))
    bus = running.app.state.runtime.bus
    try:
        team = await setup_team(api, settings, home_agency)
        [visit] = await visits(team, 1, timedelta(hours=30))
        ws, op = await subscribe(running.api, team.client_token)
        warm_up = await burst(bus, visit, 3)
        assert await received_ids(ws, op, 3) == warm_up
        # The suite's server shares the database and relays too (every 2 s). On the in-memory
        # bus, one per process, the orphan reaches the sockets of whichever relays it first;
        # on Redis, both.
        sockets = [(ws, op), await subscribe(api, team.client_token)]
        # Committed, then the process that wrote it is gone before publishing.
        async with in_transaction():
            orphan = await events.record(EventType.RESCHEDULED, visit, datetime.now(UTC))
        await eventually(lambda: all_published([*warm_up, orphan.id]))
        # The relays keep sweeping: they find nothing more to publish.
        settle = events.RELAY_AFTER.total_seconds() + 2.5
        arrived = await asyncio.gather(*(collect(w, o, settle) for w, o in sockets))
        shared_bus = not settings.broadcast_url.startswith("memory://")
        assert sorted(arrived, key=len, reverse=True)[: 2 if shared_bus else 1] == (
            [[orphan.id], [orphan.id]] if shared_bus else [[orphan.id]]
        )
        assert all(ids in ([], [orphan.id]) for ids in arrived)
        for w, _ in sockets:
            await w.close()
    finally:
        await running.stop()


# --- lateness swept by many at once ------------------------------------------------------------


async def test_concurrent_sweeps_write_one_late_and_one_missed_event_per_visit(
    api, server, settings, home_agency
):
    runtime = server.app.state.runtime
    team = await setup_team(api, settings, home_agency)
    ws, op = await subscribe(api, team.client_token)
    late_after = timedelta(minutes=settings.late_after_minutes + 5)
    late = await visits(team, 3, -late_after)
    missed = await visits(team, 3, -timedelta(hours=3))
    await asyncio.gather(*(lateness.sweep(runtime) for _ in range(6)))

    expected = {v.id: "LATE" for v in late} | {v.id: "MISSED" for v in missed}
    for visit_id, kind in expected.items():
        assert await Event.filter(intervention_id=visit_id).count() == 1
        assert await Event.filter(intervention_id=visit_id, type=kind).count() == 1
    delivered = {}
    for _ in expected:
        event = await next_event(ws, op)
        visit_id = pk(event["intervention"]["id"])
        assert visit_id not in delivered, event
        delivered[visit_id] = event["type"]
    assert delivered == expected
    await quiet(ws)
    await ws.close()
    for visit in missed:
        await visit.refresh_from_db()
        assert visit.status == "MISSED"


# --- Redis goes away ---------------------------------------------------------------------------


# --- short and long lists of events --------------------------------------------------------------


async def test_short_and_long_lists_of_events_arrive_whole_and_in_order(
    api, start, settings, home_agency
):
    # A list of up to ONE_TRIP events (a flagged check-in) is published in one round trip
    # to Redis; a longer one one event at a time. Both reach a subscriber whole, in order,
    # once each, on every bus.
    running = await start(settings)
    runtime = running.app.state.runtime
    try:
        team = await setup_team(api, settings, home_agency)
        [visit] = await visits(team, 1, timedelta(hours=30))
        ws, op = await subscribe(running.api, team.client_token)
        for count in (2, events.ONE_TRIP, events.ONE_TRIP + 5):
            produced = await burst(runtime.bus, visit, count)
            assert await received_ids(ws, op, count) == produced
            await eventually(lambda produced=produced: all_published(produced))
        await ws.close()
    finally:
        await running.stop()
