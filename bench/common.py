"""Shared set-up for the benchmarks: scratch databases, seed data, server processes, stats.

Nothing here writes to the repository: databases, logs and temporary files go to a
temporary directory (or a scratch PostgreSQL database, dropped afterwards).
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-that-is-long-enough-0123456789abcdef"
CLK_TCK = os.sysconf("SC_CLK_TCK")

# The contract's Calendar query (docs/CONTRACT.md), verbatim.
CALENDAR = """
query Calendar($from: DateTime!, $to: DateTime!, $first: Int, $after: String) {
  interventions(filter: { from: $from, to: $to }, first: $first, after: $after) {
    edges { cursor node {
      id status scheduledStart scheduledEnd checkedInAt checkedOutAt
      serviceType { code label }
      worker { id displayName }
      client { id }
      address { line1 postalCode city }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

# The contract's live events and check-in (docs/CONTRACT.md); the check-in wrapped to fit.
EVENTS = """
subscription Events($since: String) {
  interventionEvents(since: $since) {
    cursor type occurredAt
    intervention { id status }
  }
}
"""
CHECK_IN = """
mutation CheckIn($input: CheckInInput!) {
  checkIn(input: $input) {
    intervention { id status checkedInAt } userErrors { field message code }
  }
}
"""
HEAD = "query Head { interventionEventsCursor }"


# --------------------------------------------------------------------------- machine


def raise_open_files() -> int:
    """Raises this process's open-files limit to the hard limit; returns it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def machine() -> str:
    model = "?"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    version = sys.version.split()[0]
    return f"{os.cpu_count()} CPU ({model}), Python {version}, {sys.platform}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------- stats


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); NaN when there is nothing to rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


# --------------------------------------------------------------------------- settings


def bench_settings(database_url: str, broadcast_url: str, namespace: str, log_level: str) -> Any:
    """Production settings, except a low argon2 cost (nobody signs in during a run) and no
    rate limits by cost."""
    from services.config import Settings

    return Settings(
        environment="production",
        database_url=database_url,
        broadcast_url=broadcast_url,
        bus_namespace=namespace,
        secret_key=SECRET,
        public_url="https://passage.bench",
        introspection="authenticated",
        log_level=log_level,
        argon2_memory_kib=1024,
        argon2_time_cost=1,
        # A few sessions send what thousands of callers would: their buckets would refuse it.
        cost_limits=False,
    )


def quiet_logging(level: str = "WARNING") -> None:
    from services.logs import configure_logging

    configure_logging(level)


# --------------------------------------------------------------------------- databases


@contextlib.asynccontextmanager
async def scratch_database(url: str | None) -> AsyncIterator[str]:
    """A fresh, migrated database: a SQLite file under a temporary directory by default,
    or a scratch database next to the PostgreSQL one in `url` (dropped afterwards)."""
    from models.db import migrate_db

    if url is None or url.startswith("sqlite"):
        with tempfile.TemporaryDirectory(prefix="passage-bench-") as tmp:
            sqlite = f"sqlite://{tmp}/bench.sqlite3"
            await migrate_db(sqlite)
            await _close_all()
            yield sqlite
        return
    import asyncpg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'bench'}_bench_{os.getpid()}"
    admin = await asyncpg.connect(urlunsplit(parts._replace(scheme="postgresql")))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
        scratch = urlunsplit(parts._replace(path=f"/{name}"))
        await migrate_db(scratch)
        await _close_all()
        yield scratch
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _close_all() -> None:
    from tortoise import Tortoise

    await Tortoise.close_connections()


@contextlib.asynccontextmanager
async def orm(database_url: str) -> AsyncIterator[None]:
    from models.db import close_db, init_db

    await init_db(database_url)
    try:
        yield
    finally:
        await close_db()


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far (0 once it has gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def database_cpu() -> dict[int, float]:
    """User + system CPU time so far of each PostgreSQL process on this machine, by pid
    (its backends answer both servers' statements: their share of a request is part of
    its cost on a machine whose cores they share). Empty where /proc does not say."""
    found: dict[int, float] = {}
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/comm") as comm:
                    if comm.read().strip() != "postgres":
                        continue
            except OSError:
                continue
            found[int(entry.name)] = process_cpu_seconds(int(entry.name))
    return found


def database_cpu_since(before: dict[int, float]) -> float:
    """The PostgreSQL processes' CPU seconds since `before` (`database_cpu()`): a process
    that began since counts whole, one that ended is left out (its last seconds with it)."""
    return sum(max(0.0, cpu - before.get(pid, 0.0)) for pid, cpu in database_cpu().items())


# --------------------------------------------------------------------------- seed data


@dataclass(frozen=True)
class Person:
    account_id: int
    token: str
    record_id: int = 0  # client or worker id


async def agency(name: str = "Agence Bench", prefix: str = "75") -> int:
    from resolvers.agency.staff import create_agency

    return int((await create_agency(name, [prefix])).id)


async def accounts(
    agency_id: int, role: Any, count: int, first_name: str, last_name: str, tag: str
) -> list[int]:
    """`count` active, verified accounts (no usable password: sessions are made directly)."""
    from models.accounts.people import Account

    now = datetime.now(UTC)
    emails = [f"{tag}{i}@bench.example" for i in range(count)]
    await Account.bulk_create(
        [
            Account(
                email=email,
                password_hash="!bench",
                role=role,
                first_name=first_name,
                last_name=last_name,
                agency_id=agency_id,
                email_verified_at=now,
                password_changed_at=now,
            )
            for email in emails
        ],
        batch_size=1000,
    )
    by_email = dict(
        await Account.filter(email__in=emails).values_list("email", "id")  # type: ignore[arg-type]
    )
    return [int(by_email[email]) for email in emails]


async def sessions(account_ids: Sequence[int]) -> list[str]:
    """A live session per account, as `logIn` would create it; returns the bearer tokens."""
    from models.accounts.security import Session
    from services.tokens import digest, new_token

    now = datetime.now(UTC)
    tokens = [new_token("pas") for _ in account_ids]
    await Session.bulk_create(
        [
            Session(
                account_id=account_id,
                token_hash=digest(token),
                created_at=now,
                last_seen_at=now,
                expires_at=now + timedelta(days=30),
                device="bench",
                network="127.0.0.0/24",
            )
            for account_id, token in zip(account_ids, tokens, strict=True)
        ],
        batch_size=1000,
    )
    return tokens


async def clients(agency_id: int, count: int, tag: str = "client") -> list[tuple[Person, int]]:
    """Clients with a billing address each; returns (person, address id)."""
    from models.accounts.people import Client
    from models.enums import Role
    from models.visits.visits import Address

    account_ids = await accounts(agency_id, Role.CLIENT, count, "Jeanne", "Dupont", tag)
    await Client.bulk_create(
        [
            Client(
                account_id=account_id,
                agency_id=agency_id,
                client_number=f"C{account_id:07d}",
                billing_line1="12 rue de Charonne",
                billing_line2="Bâtiment B",
                billing_postal_code="75011",
                billing_city="Paris",
            )
            for account_id in account_ids
        ],
        batch_size=1000,
    )
    client_of = dict(
        await Client.filter(account_id__in=account_ids).values_list("account_id", "id")  # type: ignore[arg-type]
    )
    client_ids = [int(client_of[a]) for a in account_ids]
    await Address.bulk_create(
        [
            Address(
                client_id=client_id,
                line1="12 rue de Charonne",
                line2="Bâtiment B",
                postal_code="75011",
                city="Paris",
                is_billing=True,
            )
            for client_id in client_ids
        ],
        batch_size=1000,
    )
    address_of = dict(
        await Address.filter(client_id__in=client_ids).values_list("client_id", "id")  # type: ignore[arg-type]
    )
    tokens = await sessions(account_ids)
    return [
        (Person(account_id, token, client_id), int(address_of[client_id]))
        for account_id, token, client_id in zip(account_ids, tokens, client_ids, strict=True)
    ]


async def workers(agency_id: int, count: int, tag: str = "worker") -> list[Person]:
    from models.accounts.people import Worker
    from models.enums import Role

    account_ids = await accounts(agency_id, Role.WORKER, count, "Claire", "Martin", tag)
    await Worker.bulk_create(
        [
            Worker(account_id=a, agency_id=agency_id, employee_number=f"M{a:05d}")
            for a in account_ids
        ],
        batch_size=1000,
    )
    worker_of = dict(
        await Worker.filter(account_id__in=account_ids).values_list("account_id", "id")  # type: ignore[arg-type]
    )
    tokens = await sessions(account_ids)
    return [Person(a, t, int(worker_of[a])) for a, t in zip(account_ids, tokens, strict=True)]


async def staff(agency_id: int, tag: str = "advisor") -> Person:
    from models.enums import Role

    (account_id,) = await accounts(agency_id, Role.ADVISOR, 1, "Paul", "Bernard", tag)
    (token,) = await sessions([account_id])
    return Person(account_id, token)


async def service_type_id(code: str = "REGULAR_CLEANING") -> int:
    from models.visits.visits import ServiceType

    return int((await ServiceType.get(code=code)).id)


# --------------------------------------------------------------------------- servers


class ChildProcess:
    """A server in a process of its own (`command`), on `port`, its output in a temporary
    file kept when it fails; `ready` tells from its URL whether it answers yet."""

    stop_signal = signal.SIGINT  # uvicorn shuts down gracefully on it

    def __init__(
        self, kind: str, command: list[str], port: int, env: dict[str, str] | None = None
    ) -> None:
        self.kind = kind
        self.port = port
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - kept open while it runs
            prefix=f"passage-bench-{kind}-", suffix=".log", delete=False
        )
        self.log_path = self._log.name
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        self.pid = self.proc.pid

    def ready(self) -> bool:
        return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200

    def wait_ready(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} server exited; see {self.log_path}")
            with contextlib.suppress(httpx.HTTPError):
                if self.ready():
                    return
            time.sleep(0.1)
        raise RuntimeError(f"{self.kind} server not ready after {timeout}s; see {self.log_path}")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far."""
        return process_cpu_seconds(self.pid)

    def stop(self) -> None:
        """Stops the server; its log is removed unless it failed."""
        failed = self.proc.poll() is not None  # it was not supposed to exit on its own
        if not failed:
            self.proc.send_signal(self.stop_signal)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        if failed or self.proc.returncode not in (0, -self.stop_signal):
            print(f"{self.kind} server log: {self.log_path}", file=sys.stderr)
        else:
            os.unlink(self.log_path)


class ServerProcess(ChildProcess):
    """`python -m bench.serve ...` in a process of its own, its output in a temporary file."""

    def __init__(
        self,
        kind: str,
        database_url: str,
        broadcast_url: str,
        log_level: str,
        port: int | None = None,
    ) -> None:
        self.database_url, self.broadcast_url = database_url, broadcast_url
        self.log_level = log_level
        port = port or free_port()  # a port of its own, or that of one it replaces
        command = [
            sys.executable,
            "-m",
            "bench.serve",
            kind,
            "--database",
            database_url,
            "--broadcast",
            broadcast_url,
            "--port",
            str(port),
            "--log-level",
            log_level,
            "--namespace",
            f"bench-{os.getpid()}",
        ]
        super().__init__(kind, command, port)

    def rss_kib(self) -> int:
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def wait_idle(self, quiet: float = 0.05, window: float = 0.5, timeout: float = 120.0) -> float:
        """Waits until the server used under `quiet` of a core over `window`; returns seconds."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            before = self.cpu_seconds()
            time.sleep(window)
            if (self.cpu_seconds() - before) / window < quiet:
                break
        return time.monotonic() - started

    def kill(self) -> None:
        """SIGKILL, as a crash would; its log is removed."""
        self.proc.kill()
        self.proc.wait()
        self._log.close()
        os.unlink(self.log_path)

    def tail(self, lines: int = 20) -> str:
        with open(self.log_path, errors="replace") as log:
            return "".join(log.readlines()[-lines:])
