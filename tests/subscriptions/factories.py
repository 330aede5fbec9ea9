"""Live events over a real socket: a team, visits written at once, a reader; and sockets
seen beside their sessions (signed in, connected, still open, the session table locked);
events by id (a burst of them, those received, those published)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import websockets
from tortoise.transactions import in_transaction

from models.accounts.people import Client, Worker
from models.accounts.security import Session
from models.enums import EventType
from models.events import Event
from models.visits.visits import Address, Intervention, ServiceType
from schema.core.ids import after_pk
from services.tokens import digest
from subscriptions import events
from tests import factories
from tests.client import WS_PROTOCOL, Api, WsClient
from tests.factories import EVENTS, HEAD, Agency, next_event, pk, schedule, setup_agency


async def setup_team(api: Api, settings: Any, home_agency: int) -> Agency:
    """An agency's advisor, worker and client, the client's address written by a first visit."""
    team = await setup_agency(api, settings, home_agency)
    await schedule(api, team, hours_from_now=48)
    return team


async def visits(
    team: Agency, count: int, start_in: timedelta, length: timedelta = timedelta(hours=2)
) -> list[Intervention]:
    """`count` visits written straight to the database in one transaction (scheduling
    refuses past starts), so that they appear to every background loop at once."""
    client = await Client.get(id=pk(team.client_id))
    worker = await Worker.get(id=pk(team.worker_id))
    address = await Address.filter(client_id=client.id).order_by("id").first()
    assert address is not None
    service = await ServiceType.get(code="REGULAR_CLEANING")
    start = datetime.now(UTC).replace(microsecond=0) + start_in
    async with in_transaction():
        return [
            await Intervention.create(
                agency_id=client.agency_id,
                client_id=client.id,
                address_id=address.id,
                worker_id=worker.id,
                service_type_id=service.id,
                scheduled_start=start,
                scheduled_end=start + length,
            )
            for _ in range(count)
        ]


async def subscribe(
    api: Api, token: str, since: str | None = None, **connect: Any
) -> tuple[WsClient, str]:
    """A websocket subscribed to interventionEvents, from the viewer's head by default."""
    if since is None:
        since = (await api.data(HEAD, token=token))["interventionEventsCursor"]
    connection = await websockets.connect(
        api.ws_url(),
        subprotocols=[WS_PROTOCOL],  # type: ignore[list-item]
        compression=None,
        **connect,
    )
    ws = WsClient(connection)
    await ws.send({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    await ws.ack()
    return ws, await ws.subscribe(EVENTS, {"since": since})


async def quiet(ws: WsClient, seconds: float = 0.3) -> None:
    """Nothing more arrives. Proving an absence is the one place a test waits for time."""
    try:
        message = await ws.receive(seconds)
    except TimeoutError:
        return
    raise AssertionError(f"unexpected message: {message}")


# --- Sockets and their sessions -------------------------------------------------------------------


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


# Events by id: written in a burst, received, published.


def event_id(event: dict[str, Any]) -> int:
    return int(after_pk(event["cursor"]) or 0)


async def burst(bus: Any, visit: Intervention, count: int) -> list[int]:
    """`count` events on one visit committed together, then published: a busy agency."""
    now = datetime.now(UTC)
    async with in_transaction():
        written = [await events.record(EventType.RESCHEDULED, visit, now) for _ in range(count)]
    await events.publish(bus, written)
    return [event.id for event in written]


async def received_ids(ws: WsClient, op_id: str, count: int, timeout: float = 10) -> list[int]:
    return [event_id(await next_event(ws, op_id, timeout)) for _ in range(count)]


async def collect(ws: WsClient, op_id: str, quiet_for: float) -> list[int]:
    """The ids of the events that arrive until none has for `quiet_for` seconds."""
    ids = []
    while True:
        try:
            ids.append(event_id(await next_event(ws, op_id, quiet_for)))
        except TimeoutError:
            return ids


async def all_published(ids: list[int]) -> bool:
    return not await Event.filter(id__in=ids, published_at=None).exists()
