"""Live intervention events over a real socket: a team, visits written at once, a reader."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import websockets
from tortoise.transactions import in_transaction

from models.accounts import Client, Worker
from models.interventions import Address, Intervention, ServiceType
from tests.client import WS_PROTOCOL, Api, WsClient
from tests.factories import (
    EVENTS,
    HEAD,
    Agency,
    pk,
    schedule,
    setup_agency,
)


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
