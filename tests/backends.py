"""Which database and bus the suite runs against.

Default: a fresh SQLite file and the memory bus. With TEST_DATABASE_URL /
TEST_BROADCAST_URL set (as `make test` does when PostgreSQL and Redis answer)
the same suite runs against them. REQUIRE_SERVICES=1 (CI) turns an unreachable
service into a failure instead of a skip.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit


def reachable(url: str) -> bool:
    parts = urlsplit(url)
    default_port = {"postgres": 5432, "redis": 6379}.get(parts.scheme, 0)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def database_url(tmp_dir: str) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite://{tmp_dir}/test.sqlite3"


def broadcast_url() -> str:
    return os.environ.get("TEST_BROADCAST_URL") or "memory://"


@contextlib.asynccontextmanager
async def scratch_postgres(url: str) -> AsyncIterator[str]:
    """A fresh database beside the one in `url`, dropped afterwards."""
    import asyncpg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'test'}_{os.getpid()}"
    admin = await asyncpg.connect(urlunsplit(parts._replace(scheme="postgresql")))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "").lower() in {"1", "true", "yes"}


if __name__ == "__main__":
    import sys

    # `python -m tests.backends URL...`: exit 0 when every URL answers.
    sys.exit(0 if all(reachable(url) for url in sys.argv[1:]) else 1)
