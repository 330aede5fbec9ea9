"""Shared fixtures: one real server per run, a real SMTP server, the usual teams.

The server is uvicorn on a loopback port, in the test event loop, so tests
speak HTTP and websockets to it like any client and can read the database.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn

from app import create_app
from models.accounts.security import LoginAttempt
from models.db import close_db, init_db, migrate_db
from models.enums import Role
from services.config import Settings
from tests import backends, factories
from tests.cli.commands import Cli
from tests.client import Api
from tests.factories import SECRET
from tests.mailbox import Mailbox, start_smtp
from web.server import server_config

# The suite's clock (PASSAGE_TEST_NOW, the `clock` marker) and its timeout with stacks.
pytest_plugins = ("tests.clock", "tests.hangs")


@pytest.fixture(scope="session")
async def mailbox() -> AsyncIterator[Mailbox]:
    box = Mailbox(asyncio.get_running_loop())
    controller = start_smtp(box)
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture(scope="session")
async def database_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    url = backends.database_url(str(tmp_path_factory.mktemp("db")))
    if not url.startswith("postgres"):
        yield url
        return
    if not backends.reachable(url):
        if backends.services_required():
            pytest.fail(f"PostgreSQL is required but unreachable at {url}")
        pytest.skip("PostgreSQL unreachable")
    # A database of its own per run, so parallel runs never see each other's rows.
    async with backends.scratch_postgres(url) as scratch:
        yield scratch


@pytest.fixture(scope="session")
def settings(database_url: str, mailbox: Mailbox) -> Settings:
    bus = backends.broadcast_url()
    if bus.startswith("redis") and not backends.reachable(bus):
        if backends.services_required():
            pytest.fail(f"Redis is required but unreachable at {bus}")
        pytest.skip("Redis unreachable")
    return Settings(
        environment="development",
        database_url=database_url,
        broadcast_url=bus,
        email_url=f"smtp://127.0.0.1:{mailbox.port}",
        secret_key=SECRET,
        public_url="http://passage.test",
        # Tests only: production refuses anything below m=19 MiB, t=2.
        argon2_memory_kib=1024,
        argon2_time_cost=1,
        # Every test signs up from 127.0.0.1; tests/attack/test_sign_up.py meets the limit.
        signup_max_per_address=10_000,
        outbox_poll_seconds=0.5,
        # Webhooks are delivered by the servers tests/partners/conftest.py starts with the
        # settings they need (loopback, short retries and window); this one delivers none.
        webhook_concurrency=0,
        bus_namespace=f"test-{os.getpid()}",
        # Every test calls from 127.0.0.1: cost buckets are tested where they are switched on.
        cost_limits=False,
    )


async def _reset_database(url: str) -> None:
    await migrate_db(url)


@dataclass
class RunningServer:
    api: Api
    app: Any
    server: uvicorn.Server
    task: asyncio.Task[None]

    async def stop(self) -> None:
        await self.api.aclose()
        self.server.should_exit = True
        await self.task


async def start_server(settings: Settings, port: int = 0) -> RunningServer:
    """A server on a free port, or on `port` (to restart one where its clients expect it)."""
    app = create_app(settings, manage_db=False)
    factories.SERVED.add(app)
    config = server_config(app, settings, "127.0.0.1", port)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return RunningServer(Api(f"http://127.0.0.1:{port}"), app, server, task)


@pytest.fixture(scope="session")
async def server(settings: Settings) -> AsyncIterator[RunningServer]:
    await _reset_database(settings.database_url)
    await init_db(settings.database_url)
    running = await start_server(settings)
    yield running
    await running.stop()
    await close_db()


@pytest.fixture(scope="session")
def start(server: RunningServer) -> Callable[[Settings], Awaitable[RunningServer]]:
    """Starts another server on the same database, e.g. with production settings."""
    return start_server


@pytest.fixture
async def api(server: RunningServer) -> Api:
    # Throttling counts failures per address, and every test comes from 127.0.0.1.
    await LoginAttempt.all().delete()
    return server.api


@pytest.fixture(scope="session")
async def home_agency(server: RunningServer, settings: Settings) -> int:
    """The agency serving Paris (75): where clients signed up by factories land."""
    from resolvers.agency.staff import create_agency

    agency = await create_agency("Agence Paris Test", ["75"])
    return agency.id


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """One migrated database shared by the set-up tests (each uses its own prefixes)."""
    shared = Cli(tmp_path_factory.mktemp("cli"))
    shared.ok("migrate")
    shared.agencies = {"13": shared.create_agency("13", "Agence Marseille")}
    return shared


@pytest.fixture
async def team(api: Api, settings: Settings, home_agency: int) -> factories.Agency:
    """An advisor, a worker and a client of the home agency, each signed in."""
    return await factories.setup_agency(api, settings, home_agency)


@pytest.fixture
async def office(api: Api, settings: Settings, mailbox: Mailbox) -> factories.Office:
    """A self-service agency of its own: its policy changes touch nobody else."""
    return await factories.office(api, settings, mailbox)


@pytest.fixture
async def staff_token(api: Api, settings: Settings, home_agency: int) -> str:
    """An advisor of the home agency, signed in."""
    email = await factories.staff(settings, home_agency, Role.ADVISOR)
    return await factories.log_in(api, email)
