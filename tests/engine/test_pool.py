"""The PostgreSQL pool hands connections back without asyncpg's per-release reset
statement (models/db.py `keep_session`), but never with a transaction left open."""

from __future__ import annotations

import asyncpg
import pytest

from models.db import _opened_whole, keep_session, tortoise_config


def test_the_pool_is_configured_with_the_light_reset():
    config = tortoise_config("postgres://root@127.0.0.1:5432/test")
    assert config["connections"]["default"]["credentials"]["reset"] is keep_session
    assert config["connections"]["default"]["credentials"]["maxsize"] == "20"
    # SQLite keeps its pragmas, synchronous=NORMAL added.
    sqlite = tortoise_config("sqlite://x.db")["connections"]["default"]
    assert sqlite["credentials"]["synchronous"] == "NORMAL"
    assert sqlite["credentials"]["journal_mode"] == "WAL"


def test_a_server_opens_its_postgresql_pool_whole():
    def credentials(url: str) -> dict[str, object]:
        found: dict[str, object] = tortoise_config(url)["connections"]["default"]["credentials"]
        return found

    served = credentials(_opened_whole("postgres://root@127.0.0.1:5432/test"))
    assert int(str(served["minsize"])) == int(str(served["maxsize"])) == 20
    sized = credentials(_opened_whole("postgres://root@127.0.0.1:5432/test?maxsize=8"))
    assert int(str(sized["minsize"])) == int(str(sized["maxsize"])) == 8
    # The URL says otherwise; commands and tests (not serving) open connections as needed.
    chosen = credentials(_opened_whole("postgres://root@127.0.0.1:5432/test?minsize=2"))
    assert int(str(chosen["minsize"])) == 2
    assert "minsize" not in credentials("postgres://root@127.0.0.1:5432/test")
    assert _opened_whole("sqlite://x.db") == "sqlite://x.db"


async def test_a_transaction_left_open_is_rolled_back_and_nothing_else_runs(settings):
    if not settings.database_url.startswith(("postgres", "asyncpg")):
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL)")
    dsn = settings.database_url.replace("asyncpg://", "postgres://").split("?")[0]
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=1, reset=keep_session)
    try:
        async with pool.acquire() as connection:
            await connection.execute("CREATE TEMPORARY TABLE pool_probe (n int)")
            await connection.execute("BEGIN")
            await connection.execute("INSERT INTO pool_probe VALUES (1)")
            assert connection.is_in_transaction()
        async with pool.acquire() as connection:  # the same one: max_size=1
            assert not connection.is_in_transaction()
            # Rolled back, and the session kept (no RESET ALL / DISCARD): the table is there.
            assert await connection.fetchval("SELECT count(*) FROM pool_probe") == 0
    finally:
        await pool.close()
