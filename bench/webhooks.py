"""Webhook deliveries: what one process sustains, and the delay from event to endpoint.

    .venv/bin/python -m bench.webhooks [--rate 200] [--seconds 10] [--endpoints 1]
        [--database postgres://root@127.0.0.1:5432/test] [--broadcast redis://127.0.0.1:6379/0]
        [--backlog 5000]

A fresh database (an agency, a partner application, `--endpoints` endpoints subscribed
to ARRIVED), then, in this one process, the app's own delivery loop
(resolvers/partners/webhook_delivery.py, production settings but loopback allowed)
while events are written to the log at `--rate` per second for `--seconds`, each in
its own transaction and published on the bus, as a check-in writes them. The partner's
endpoint is a small HTTP server in a process of its own (it answers 200 at once). Each
delivery is timed from the commit of its event to its arrival at the endpoint
(CLOCK_MONOTONIC is shared by the processes of one machine). Printed: deliveries per
second while events were written and over the whole run, the time to drain what was
left, the delay p50/p99/max, and the CPU this process used. Target: every event
delivered while 200 events/s are written, p99 under 250 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import multiprocessing
import os
import time
from datetime import UTC, datetime
from multiprocessing.connection import Connection

from bench import common

# --------------------------------------------------------------------------- endpoint


def _endpoint(conn: Connection) -> None:
    """The partner: answers 200 to every POST, keeps (event id, arrival) of each."""
    arrivals: list[tuple[int, float]] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length, event_id = 0, 0
                for line in head.decode("latin-1").split("\r\n")[1:]:
                    name, _, value = line.partition(":")
                    name = name.strip().lower()
                    if name == "content-length":
                        length = int(value)
                    elif name == "webhook-id":
                        cursor = value.strip()
                        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
                        event_id = int(raw.decode().split(":")[1])
                await reader.readexactly(length)
                arrivals.append((event_id, time.monotonic()))
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(serve, "127.0.0.1", 0, backlog=512)
        conn.send(server.sockets[0].getsockname()[1])
        loop = asyncio.get_running_loop()
        while True:
            command = await loop.run_in_executor(None, conn.recv)
            if command == "count":
                conn.send(len(arrivals))
            else:
                conn.send(arrivals)
                return

    asyncio.run(main())


# --------------------------------------------------------------------------- run


async def _seed(rt: object, endpoints: int, url: str) -> int:
    """An agency, its application and endpoints, written directly (production settings take
    https:// endpoints only through the API; this one is on loopback, over http)."""
    from models.enums import EventType, Role
    from models.partners import PartnerApplication
    from models.webhooks import WebhookEndpoint
    from resolvers.core.runtime import Runtime
    from services.sealing import Sealer
    from services.webhook_signing import new_secret

    assert isinstance(rt, Runtime)
    agency_id = await common.agency()
    (admin_id,) = await common.accounts(agency_id, Role.ADMIN, 1, "Paul", "Admin", "admin")
    now = datetime.now(UTC)
    application = await PartnerApplication.create(
        agency_id=agency_id, name="Bench", created_at=now, created_by_id=admin_id
    )
    sealer = Sealer(rt.settings.data_encryption_key, rt.settings.secret_key)
    for index in range(endpoints):
        await WebhookEndpoint.create(
            application_id=application.id,
            agency_id=agency_id,
            url=f"{url}/{index}",
            event_types=[str(EventType.ARRIVED)],
            secret_sealed=sealer.seal(new_secret()),
            created_at=now,
            updated_at=now,
            next_attempt_at=now,
        )
    return agency_id


async def _produce(rt: object, agency_id: int, rate: int, seconds: float) -> dict[int, float]:
    """Events at `rate` per second, each committed alone then published; id -> commit time."""
    from tortoise.transactions import in_transaction

    from models.enums import EventType
    from resolvers.core.runtime import Runtime
    from subscriptions import events

    assert isinstance(rt, Runtime)
    committed: dict[int, float] = {}
    total = int(rate * seconds)
    started = time.monotonic()
    for index in range(total):
        delay = started + index / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        async with in_transaction():
            event = await events.record_event(
                EventType.ARRIVED, datetime.now(UTC), agency_id=agency_id
            )
        committed[event.id] = time.monotonic()
        await events.publish(rt.bus, [event])
    return committed


async def run(args: argparse.Namespace) -> None:
    from resolvers.core.runtime import build_runtime
    from resolvers.partners.webhook_delivery import Deliverer

    parent, child = multiprocessing.Pipe()
    endpoint = multiprocessing.Process(target=_endpoint, args=(child,), daemon=True)
    endpoint.start()
    port = parent.recv()
    async with common.scratch_database(args.database) as database_url:
        settings = common.bench_settings(
            database_url, args.broadcast, f"bench-{os.getpid()}", "WARNING"
        ).with_(webhook_allow_loopback=True, webhook_concurrency=max(16, args.endpoints))
        async with common.orm(database_url):
            rt = build_runtime(settings)
            await rt.bus.connect()
            agency_id = await _seed(rt, args.endpoints, f"http://127.0.0.1:{port}/hooks")
            if args.backlog:
                await _backlog(rt, agency_id, args, parent)
                await rt.bus.disconnect()
                parent.send("report")
                parent.recv()
                endpoint.join(5)
                return
            deliverer = asyncio.create_task(Deliverer(rt).run(), name="webhooks")
            cpu_before, started = time.process_time(), time.monotonic()
            committed = await _produce(rt, agency_id, args.rate, args.seconds)
            writing = time.monotonic() - started
            parent.send("count")
            during = parent.recv()
            expected = len(committed) * args.endpoints
            deadline = time.monotonic() + args.drain
            while time.monotonic() < deadline:
                parent.send("count")
                if parent.recv() >= expected:
                    break
                await asyncio.sleep(0.05)
            finished = time.monotonic()
            cpu = time.process_time() - cpu_before
            parent.send("report")
            arrivals: list[tuple[int, float]] = parent.recv()
            deliverer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await deliverer
            await rt.bus.disconnect()
    endpoint.join(5)
    _report(args, committed, arrivals, during, writing, started, finished, cpu)


async def _backlog(
    rt: object, agency_id: int, args: argparse.Namespace, parent: Connection
) -> None:
    """Capacity alone: `--backlog` events written first, then the time to deliver them all."""
    from models.enums import EventType
    from models.events import Event
    from resolvers.core.runtime import Runtime
    from resolvers.partners.webhook_delivery import Deliverer

    assert isinstance(rt, Runtime)
    now = datetime.now(UTC)
    await Event.bulk_create(
        [
            Event(type=EventType.ARRIVED, occurred_at=now, agency_id=agency_id)
            for _ in range(args.backlog)
        ],
        batch_size=1000,
    )
    expected = args.backlog * args.endpoints
    cpu_before, started = time.process_time(), time.monotonic()
    deliverer = asyncio.create_task(Deliverer(rt).run(), name="webhooks")
    delivered = 0
    while time.monotonic() - started < args.drain and delivered < expected:
        await asyncio.sleep(0.05)
        parent.send("count")
        delivered = parent.recv()
    elapsed = time.monotonic() - started
    cpu = time.process_time() - cpu_before
    deliverer.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await deliverer
    print(f"machine: {common.machine()}")
    print(f"database: {'postgres' if args.database else 'sqlite'}, endpoints: {args.endpoints}")
    print(
        f"backlog of {args.backlog} events: {delivered} of {expected} deliveries in "
        f"{elapsed:.1f} s ({delivered / elapsed:.0f} deliveries/s, CPU {cpu:.1f} s)"
    )


def _report(
    args: argparse.Namespace,
    committed: dict[int, float],
    arrivals: list[tuple[int, float]],
    during: int,
    writing: float,
    started: float,
    finished: float,
    cpu: float,
) -> None:
    delays = [(at - committed[event_id]) * 1000 for event_id, at in arrivals]
    expected = len(committed) * args.endpoints
    last = max((at for _, at in arrivals), default=started)
    ms = common.percentile
    print(f"machine: {common.machine()}")
    print(
        f"database: {'postgres' if args.database else 'sqlite'}, bus: {args.broadcast}, "
        f"endpoints: {args.endpoints}"
    )
    print(f"events written: {len(committed)} in {writing:.1f} s ({len(committed) / writing:.0f}/s)")
    print(f"deliveries: {len(arrivals)} of {expected} ({len(set(arrivals))} distinct)")
    print(f"sustained while writing: {during / writing:.0f} deliveries/s")
    print(f"whole run: {len(arrivals) / max(last - started, 1e-9):.0f} deliveries/s")
    print(f"left to drain after writing stopped: {max(0.0, last - started - writing):.2f} s")
    print(
        f"event -> endpoint delay: p50 {ms(delays, 50):.1f} ms, p99 {ms(delays, 99):.1f} ms, "
        f"max {max(delays, default=float('nan')):.1f} ms"
    )
    print(f"CPU of this process: {cpu:.1f} s over {finished - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=200, help="events per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--endpoints", type=int, default=1)
    parser.add_argument("--drain", type=float, default=60.0, help="seconds to wait at the end")
    parser.add_argument("--database", default=None, help="postgres://…; SQLite by default")
    parser.add_argument("--broadcast", default="memory://")
    parser.add_argument(
        "--backlog",
        type=int,
        default=0,
        help="instead: write this many events first, then time their delivery (capacity)",
    )
    args = parser.parse_args()
    common.raise_open_files()
    common.quiet_logging("WARNING")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
