"""Tortoise configuration and lifecycle, shared by the app, the CLI and the tests."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api.migrate import migrate as _migrate

from models import MODEL_MODULES

# Reads run one after the other on one pooled connection (PostgreSQL; nothing on SQLite).
from models.backends.asyncpg import one_connection as one_connection

# Python's sqlite3 has no adapter for `time` (TimeField, e.g. opening hours): store ISO text.
sqlite3.register_adapter(time, time.isoformat)


def _ensure_sqlite_folder(database_url: str) -> None:
    if urlsplit(database_url).scheme == "sqlite":
        path = database_url.removeprefix("sqlite://")
        if path not in {"", ":memory:"}:
            Path(path).parent.mkdir(parents=True, exist_ok=True)


POSTGRES_SCHEMES = {"postgres", "postgresql", "asyncpg", "psycopg"}
POSTGRES_POOL_SIZE = 20


def _with_pragmas(database_url: str) -> str:
    """SQLite in WAL mode (Tortoise's default) with `synchronous=NORMAL`: a commit no longer
    waits for the disk (fsync at checkpoints only). A crash of the process loses nothing;
    a power cut may lose the last commits. Overridable in the URL (`?synchronous=FULL`)."""
    scheme = urlsplit(database_url).scheme
    joiner = "&" if "?" in database_url else "?"
    if scheme in POSTGRES_SCHEMES and "maxsize=" not in database_url:
        # asyncpg's pool defaults to 5 connections: a few requests waiting on a row lock
        # would hold them all. Overridable in the URL (`?maxsize=N`).
        return database_url + joiner + f"maxsize={POSTGRES_POOL_SIZE}"
    if scheme != "sqlite" or "synchronous=" in database_url:
        return database_url
    return database_url + joiner + "synchronous=NORMAL"


async def keep_session(connection: Any) -> None:
    """What asyncpg's pool does to a connection it takes back: roll back a transaction
    left open (asyncpg's pool does it first today, through a private method; this does
    not count on it), and nothing else.

    By default the pool sends `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *;
    RESET ALL` on every release, and Tortoise takes a connection from the pool (and gives
    it back) for every statement outside a transaction: a second round trip per
    statement, parsed by PostgreSQL each time. Passage keeps no state in a session (no
    session-level advisory lock, `SET`, `LISTEN` or cursor: the event order lock is
    transaction-scoped), so there is nothing to reset: one round trip fewer for every
    statement outside a transaction (docs/benchmarks.md; tests/engine/test_pool.py)."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


def ids_parameter(dialect: str, ids: Iterable[int]) -> list[int] | str:
    """Ids bound as one parameter whatever their number, so that a statement is written
    once (Tortoise writes an `IN` of each length anew): a PostgreSQL array, for
    `= ANY($n::bigint[])`, or a JSON list on SQLite, for `IN (SELECT value FROM json_each(?))`."""
    listed = list(ids)
    return listed if dialect == "postgres" else json.dumps(listed)


async def rows_changed(db: Any, statements: Mapping[str, str], values: list[Any]) -> int:
    """How many rows a hand-written INSERT or UPDATE changed; `statements` holds it per
    dialect. On PostgreSQL it ends in RETURNING and its rows are counted (Tortoise's
    `execute_query` takes the OID of "INSERT 0 1" for the count); on SQLite the changes
    count is read (RETURNING needs SQLite 3.35)."""
    dialect = db.capabilities.dialect
    if dialect == "postgres":
        return len(await db.execute_query_dict(statements[dialect], values))
    changed, _ = await db.execute_query(statements[dialect], values)
    return int(changed)


# Tortoise's clients, with transactions that give back what they took when their opening
# is cancelled (models/backends/__init__.py).
ENGINES = {
    "tortoise.backends.sqlite": "models.backends.sqlite",
    "tortoise.backends.asyncpg": "models.backends.asyncpg",
}


def _connection(database_url: str) -> dict[str, Any]:
    config = expand_db_url(_with_pragmas(database_url))
    config["engine"] = ENGINES.get(config["engine"], config["engine"])
    if config["engine"] == ENGINES["tortoise.backends.asyncpg"]:
        # Tortoise hands the credentials it does not know to asyncpg's create_pool.
        config["credentials"]["reset"] = keep_session
    return config


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": _connection(database_url)},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


# `tortoise makemigrations` reads this (see [tool.tortoise] in pyproject.toml).
TORTOISE_ORM = tortoise_config("sqlite://var/makemigrations.sqlite3")


def _opened_whole(database_url: str) -> str:
    """A server's PostgreSQL pool opens all its connections when it starts: one opened
    under load made a burst of check-ins wait for its set-up and for the first preparation
    of every statement on it (`python -m bench.fanout`, docs/benchmarks.md). Overridable in
    the URL (`?minsize=N`); commands and tests open connections as they need them."""
    if urlsplit(database_url).scheme not in POSTGRES_SCHEMES or "minsize=" in database_url:
        return database_url
    joiner = "&" if "?" in database_url else "?"
    size = parse_qs(urlsplit(database_url).query).get("maxsize", [str(POSTGRES_POOL_SIZE)])[-1]
    return database_url + joiner + f"minsize={size}"


async def init_db(database_url: str, *, serving: bool = False) -> None:
    """The ORM's connections; `serving`: for a server, its pool opened whole."""
    _ensure_sqlite_folder(database_url)
    url = _opened_whole(database_url) if serving else database_url
    # The global fallback lets request tasks spawned by the server find the context.
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)


async def migrate_db(database_url: str) -> None:
    """Applies pending migrations, then closes the connections it opened."""
    _ensure_sqlite_folder(database_url)
    try:
        await _migrate(config=tortoise_config(database_url))
    finally:
        await Tortoise.close_connections()


async def close_db() -> None:
    await Tortoise.close_connections()
