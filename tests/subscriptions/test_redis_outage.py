"""Live events when the Redis connection is lost under a stream: the bus comes back, the
outage is reported and streams resume without loss. Every check goes over a real
websocket."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from models.events import Event
from subscriptions import events
from subscriptions.supervised_redis import client_name
from tests.client import Api
from tests.factories import eventually, next_event, pk, schedule, unique
from tests.subscriptions.factories import (
    all_published,
    burst,
    event_id,
    quiet,
    received_ids,
    setup_team,
    subscribe,
    visits,
)


def needs_redis(settings: Any) -> None:
    if not settings.broadcast_url.startswith("redis"):
        pytest.skip(
            "the memory:// bus has no connection to lose; needs TEST_BROADCAST_URL=redis://"
        )


async def bus_connections(settings: Any, namespace: str) -> list[dict[str, Any]]:
    """The subscription connections Redis lists for a bus namespace."""
    from redis import asyncio as aioredis

    redis = aioredis.Redis.from_url(settings.broadcast_url)
    try:
        name = client_name(namespace, "sub")
        return [c for c in await redis.client_list() if c.get("name") == name]
    finally:
        await redis.aclose()


async def test_the_bus_comes_back_when_redis_drops_its_connection(
    api, start, settings, home_agency
):
    needs_redis(settings)
    # A namespace of its own, so that only this server's connection is killed.
    namespace = unique(f"{settings.bus_namespace}-kill")
    running = await start(settings.with_(bus_namespace=namespace, event_relay_seconds=0.2))
    bus = running.app.state.runtime.bus
    try:
        team = await setup_team(api, settings, home_agency)
        [visit] = await visits(team, 1, timedelta(hours=30))
        ws, op = await subscribe(running.api, team.client_token)
        before = await burst(bus, visit, 1)
        assert await received_ids(ws, op, 1) == before

        [connection] = await bus_connections(settings, namespace)
        from redis import asyncio as aioredis

        redis = aioredis.Redis.from_url(settings.broadcast_url)
        try:
            assert await redis.client_kill_filter(_id=connection["id"]) == 1
        finally:
            await redis.aclose()
        during = await burst(bus, visit, 5)
        assert await received_ids(ws, op, 5) == during

        async def reconnected() -> bool:
            now = await bus_connections(settings, namespace)
            return len(now) == 1 and now[0]["id"] != connection["id"]

        await eventually(reconnected)
        # Whatever was not published is relayed now; the relay's copies are dropped.
        await eventually(lambda: all_published(during))
        after = await burst(bus, visit, 1)
        assert await received_ids(ws, op, 1) == after
        await quiet(ws)
        await ws.close()
    finally:
        await running.stop()


class TcpProxy:
    """A loopback TCP proxy to stand in for Redis: `down()` cuts every connection and
    refuses new ones, as a Redis restart does, without touching the Redis others use."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def up(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def down(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, upstream_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.transport.abort()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))
        self._writers -= {writer, upstream_writer}


@contextlib.asynccontextmanager
async def redis_proxy(settings: Any) -> AsyncIterator[TcpProxy]:
    parts = urlsplit(settings.broadcast_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 6379)
    await proxy.up()
    try:
        yield proxy
    finally:
        with contextlib.suppress(Exception):
            await proxy.down()


async def bus_status(api: Api) -> str:
    response = await api.http.get("/readyz")
    return str(response.json()["checks"]["bus"])


async def test_a_redis_outage_is_reported_and_streams_resume_without_loss(
    api, start, settings, home_agency
):
    needs_redis(settings)
    async with redis_proxy(settings) as proxy:
        # This server reaches Redis through the proxy; the shared test server (`api`), in the
        # same namespace, reaches it directly: another process that keeps publishing.
        db = urlsplit(settings.broadcast_url).path
        running = await start(
            settings.with_(
                broadcast_url=f"redis://127.0.0.1:{proxy.port}{db}", event_relay_seconds=0.2
            )
        )
        try:
            team = await setup_team(api, settings, home_agency)
            assert await bus_status(running.api) == "ok"
            ws, op = await subscribe(running.api, team.client_token)
            first = (await schedule(running.api, team, hours_from_now=30))["intervention"]
            assert (await next_event(ws, op))["intervention"]["id"] == first["id"]

            await proxy.down()

            async def reported_down() -> bool:
                return await bus_status(running.api) == "unreachable"

            await eventually(reported_down)
            response = await running.api.http.get("/readyz")
            assert response.status_code == 503
            # Changes go on while this server's Redis is away. Those made here are saved and
            # not published (the relay will); those made elsewhere are published to Redis,
            # which no longer has this server's subscription: only the log can bring them.
            during = [
                (await schedule(where, team, hours_from_now=33 + 3 * i))["intervention"]["id"]
                for i, where in enumerate([api, running.api, api])
            ]
            elsewhere = [
                event.id
                for event in await Event.filter(intervention_id__in=[pk(during[0]), pk(during[2])])
            ]
            # Marked by the process that published them with its next batch of marks, well
            # before a relay would look at them (events older than RELAY_AFTER only).
            await eventually(
                lambda: all_published(elsewhere), timeout=events.RELAY_AFTER.total_seconds() / 2
            )

            await proxy.up()
            resumed = [await next_event(ws, op, timeout=15) for _ in during]
            assert [e["intervention"]["id"] for e in resumed] == during
            assert [e["type"] for e in resumed] == ["SCHEDULED"] * 3

            async def reported_up() -> bool:
                return await bus_status(running.api) == "ok"

            await eventually(reported_up)
            ids = [event_id(e) for e in resumed]
            await eventually(lambda: all_published(ids))
            last = (await schedule(running.api, team, hours_from_now=42))["intervention"]
            assert (await next_event(ws, op))["intervention"]["id"] == last["id"]
            await quiet(ws)
            await ws.close()
        finally:
            await running.stop()
