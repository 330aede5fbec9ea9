"""Several app processes on one PostgreSQL and one Redis: news made in one process reaches
screens held by another, and background loops running everywhere write each event once.

Each process is a real `passage serve` started as a subprocess. With the embedded SQLite
database and memory:// bus there is nothing to share between processes (the memory bus is
per process by design), so these tests need TEST_DATABASE_URL=postgres://… and
TEST_BROADCAST_URL=redis://….
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from models.enums import EventType
from models.events import Event
from schema.core.ids import to_global_id
from tests import backends
from tests.client import Api, WsClient
from tests.factories import CHECK_IN, SECRET, next_event, pk, schedule
from tests.subscriptions.factories import quiet, setup_team, subscribe, visits

LATENESS_POLL_SECONDS = 0.2
START_TIMEOUT = 60
ROOT = Path(__file__).resolve().parents[2]


def require_scale_out(settings: Any) -> None:
    postgres = settings.database_engine == "postgres"
    redis = settings.broadcast_url.startswith("redis")
    if postgres and redis:
        return
    reason = (
        "needs PostgreSQL and Redis shared by several processes (TEST_DATABASE_URL=postgres://…, "
        "TEST_BROADCAST_URL=redis://…): the memory:// bus only carries news within one process"
    )
    if backends.services_required() and (postgres or redis):
        pytest.fail(f"REQUIRE_SERVICES=1 but only one of them is configured: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Process:
    api: Api
    popen: subprocess.Popen[bytes]
    log: Path

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def passage_command() -> list[str]:
    script = Path(sys.executable).parent / "passage"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "cli"]


async def serve(settings: Any, workdir: Path, name: str) -> Process:
    """`passage serve` on a free port, sharing the test run's database, Redis and namespace."""
    port = free_port()
    env = {
        **os.environ,
        "ENVIRONMENT": "development",
        "DATABASE_URL": settings.database_url,
        "BROADCAST_URL": settings.broadcast_url,
        "BUS_NAMESPACE": settings.bus_namespace,
        "EMAIL_URL": settings.email_url,
        "SMS_URL": settings.sms_url,
        "SECRET_KEY": SECRET,
        "PUBLIC_URL": settings.public_url,
        # Tests only: production refuses anything below m=19 MiB, t=2.
        "ARGON2_MEMORY_KIB": "1024",
        "ARGON2_TIME_COST": "1",
        "LATENESS_POLL_SECONDS": str(LATENESS_POLL_SECONDS),
        "LATE_AFTER_MINUTES": str(settings.late_after_minutes),
        "PASSAGE_VAR_DIR": str(workdir / name),
        "LOG_LEVEL": "WARNING",
    }
    log = workdir / f"{name}.log"
    with log.open("wb") as output:
        popen = subprocess.Popen(  # noqa: ASYNC220 - returns at once; readiness is awaited below
            [*passage_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    process = Process(Api(f"http://127.0.0.1:{port}"), popen, log)
    try:
        async with asyncio.timeout(START_TIMEOUT):
            while True:
                if popen.poll() is not None:
                    raise AssertionError(
                        f"{name} exited with {popen.returncode}:\n{process.tail()}"
                    )
                with contextlib.suppress(httpx.TransportError):
                    if (await process.api.http.get("/readyz")).status_code == 200:
                        return process
                await asyncio.sleep(0.1)
    except BaseException:
        await stop(process)
        raise


async def stop(process: Process) -> None:
    await process.api.aclose()
    if process.popen.poll() is None:
        process.popen.send_signal(signal.SIGTERM)
    for _ in range(100):
        if process.popen.poll() is not None:
            return
        await asyncio.sleep(0.1)
    process.popen.kill()
    process.popen.wait()


@pytest.fixture(scope="module")
async def two_processes(
    server, settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Process, Process]]:
    require_scale_out(settings)
    workdir = tmp_path_factory.mktemp("processes")
    first, second = await asyncio.gather(
        serve(settings, workdir, "a"), serve(settings, workdir, "b"), return_exceptions=True
    )
    started = [p for p in (first, second) if isinstance(p, Process)]
    if len(started) < 2:
        for process in started:
            await stop(process)
        raise next(p for p in (first, second) if isinstance(p, BaseException))
    assert isinstance(first, Process) and isinstance(second, Process)
    yield first, second
    await asyncio.gather(stop(first), stop(second))


async def next_about(ws: WsClient, op_id: str, visit_ids: set[str]) -> dict[str, Any]:
    """The next event about one of `visit_ids` (a dashboard also sees the rest of its agency)."""
    while True:
        event = await next_event(ws, op_id, timeout=10)
        if event["intervention"] and event["intervention"]["id"] in visit_ids:
            return event


async def test_a_check_in_on_one_process_reaches_a_dashboard_on_another(
    api, settings, home_agency, two_processes
):
    a, b = two_processes
    team = await setup_team(api, settings, home_agency)
    dashboard, op = await subscribe(a.api, team.staff_token)

    # Planned through process B, seen live on process A.
    visit = (await schedule(b.api, team, hours_from_now=0.5))["intervention"]
    scheduled = await next_about(dashboard, op, {visit["id"]})
    assert scheduled["type"] == "SCHEDULED"

    checked_in = await b.api.data(
        CHECK_IN, {"input": {"interventionId": visit["id"]}}, token=team.worker_token
    )
    assert checked_in["checkIn"]["userErrors"] == []
    arrived = await next_about(dashboard, op, {visit["id"]})
    assert arrived["type"] == "ARRIVED"
    assert arrived["intervention"] == {"id": visit["id"], "status": "IN_PROGRESS"}
    assert pk(arrived["cursor"]) > pk(scheduled["cursor"])
    await dashboard.close()


async def test_the_lateness_loops_of_two_processes_write_each_event_once(
    api, settings, home_agency, two_processes
):
    a, b = two_processes
    team = await setup_team(api, settings, home_agency)
    # The client's screen on A, the staff dashboard on B: each sees every event once.
    client, client_op = await subscribe(a.api, team.client_token)
    dashboard, dashboard_op = await subscribe(b.api, team.staff_token)
    late_after = timedelta(minutes=settings.late_after_minutes + 5)
    late = await visits(team, 40, -late_after)
    missed = await visits(team, 40, -timedelta(hours=3))
    expected = {f"{v.id}": EventType.LATE.value for v in late} | {
        f"{v.id}": EventType.MISSED.value for v in missed
    }

    for ws, op in ((client, client_op), (dashboard, dashboard_op)):
        seen: dict[str, str] = {}
        ids = {to_global_id("Intervention", v.id) for v in late + missed}
        for _ in expected:
            event = await next_about(ws, op, ids)
            key = str(pk(event["intervention"]["id"]))
            assert key not in seen, f"{event} delivered twice"
            seen[key] = event["type"]
        assert seen == expected

    # Both loops keep sweeping every 0.2 s: give them a few rounds to do anything twice.
    await quiet(client, 10 * LATENESS_POLL_SECONDS)
    for visit in late:
        assert await Event.filter(intervention_id=visit.id).count() == 1
        assert await Event.filter(intervention_id=visit.id, type=EventType.LATE).count() == 1
    for visit in missed:
        assert await Event.filter(intervention_id=visit.id).count() == 1
        assert await Event.filter(intervention_id=visit.id, type=EventType.MISSED).count() == 1
    await client.close()
    await dashboard.close()
