"""A query's statements share one pool connection (models/db.py `one_connection`,
schema/engine/connection.py).

On PostgreSQL a block takes a connection at its first statement (one a block before kept,
else one from the pool) and, at its end, keeps it for the next block (a few at most) or
gives it back; a statement that finds it busy (another task of the block) or comes after
the block takes one from the pool, as before; a transaction takes its own, the block's
idle one handed over first; a connection the server ends is replaced. On SQLite (one
connection, no pool) the block changes nothing. Against the suite's database, with the
server's own loops running beside.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator
from typing import Any

import pytest
import strawberry
from tortoise import connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.transactions import in_transaction

from models.backends import asyncpg as asyncpg_backend
from models.db import one_connection
from schema import build_schema
from tests import factories


def _pooled() -> Any:
    connection = connections.get("default")
    if connection.capabilities.dialect != "postgres":
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL): SQLite has one connection")
    return connection


async def _backend(client: Any) -> int:
    rows = await client.execute_query_dict("SELECT pg_backend_pid() AS pid")
    return int(rows[0]["pid"])


async def _all_back(client: Any) -> None:
    await factories.pool_all_back(client)


async def test_the_statements_of_a_block_share_one_connection_given_back_at_its_end(server):
    client = _pooled()
    await _all_back(client)
    async with one_connection():
        first = await _backend(client)
        assert [await _backend(client) for _ in range(5)] == [first] * 5
        # Held for the whole block (the server's loops borrow one for a moment now and
        # then: the count is read until it settles).
        await factories.eventually(lambda: _true(_in_use(client) == 1), timeout=5, every=0.01)
    await _all_back(client)


def _in_use(client: Any) -> int:
    """Connections out of the pool, but those kept for the next block."""
    pool = client._pool
    return int(pool.get_size() - pool.get_idle_size() - client.parked)


async def _true(value: bool) -> bool:
    return value


async def test_a_busy_connection_sends_other_tasks_to_the_pool(server):
    client = _pooled()
    async with one_connection():
        mine = await _backend(client)

        async def sleeper() -> int:
            rows = await client.execute_query_dict(
                "SELECT pg_backend_pid() AS pid, pg_sleep(0.2) AS slept"
            )
            return int(rows[0]["pid"])

        # Both at once: one of them on the block's connection, the other on one of its own.
        pids = await asyncio.gather(sleeper(), sleeper())
        assert len(set(pids)) == 2
        assert mine in pids
        assert await _backend(client) == mine  # free again: the block's
    await _all_back(client)


async def test_a_task_that_outlives_its_block_gives_the_connection_back(server):
    client = _pooled()
    started = asyncio.Event()

    async def late() -> int:
        started.set()
        rows = await client.execute_query_dict(
            "SELECT pg_backend_pid() AS pid, pg_sleep(0.2) AS slept"
        )
        return int(rows[0]["pid"])

    async with one_connection():
        mine = await _backend(client)
        task = asyncio.create_task(late())  # inherits the block
        await started.wait()
        await asyncio.sleep(0.05)  # its statement runs, on the block's connection
    # The block ended while the task's statement ran: the connection is still the task's.
    assert await task == mine
    await _all_back(client)
    # After the block a statement takes one from the pool, as outside any block.
    assert isinstance(await _backend(client), int)
    await _all_back(client)


async def test_a_transaction_in_a_block_holds_one_connection_not_two(server):
    # The block gives its idle connection back before the transaction takes one: a task
    # never holds one idle while waiting for another (with every connection of the pool
    # held so, the wait would never end).
    client = _pooled()
    async with one_connection():
        await _backend(client)
        async with in_transaction() as transaction:
            await transaction.execute_query_dict("SELECT 1 AS n")
            await factories.eventually(lambda: _true(_in_use(client) == 1), timeout=5, every=0.01)
        # The block's next statements take one again, and share it.
        after = await _backend(client)
        assert await _backend(client) == after
    await _all_back(client)


@strawberry.type
class Backends:
    @strawberry.field
    async def backends(self) -> list[int]:
        client = connections.get("default")
        first = await _backend(client)
        # Meanwhile a task outside the query takes a connection from the pool: the one the
        # first statement used, had it gone back (asyncpg's pool gives the last one back
        # first).
        pool = client._pool

        async def take() -> Any:
            return await pool.acquire()

        taken = await asyncio.create_task(take(), context=contextvars.Context())
        try:
            second = await _backend(client)
        finally:
            await pool.release(taken)
        return [first, second]


async def test_a_querys_statements_share_one_connection(server, settings):
    # schema/engine/connection.py: the product's schema runs a query's execution in one
    # block, through graphql-core here (a field the planner does not know).
    _pooled()
    schema = build_schema(settings, extra_queries=(Backends,))
    for document in ("{ backends }", "query Q { ...F } fragment F on Query { backends }"):
        result = await schema.execute(document)
        assert result.errors is None
        assert result.data is not None
        assert len(set(result.data["backends"])) == 1


async def test_a_block_cancelled_during_a_statement_leaves_the_pool_whole(server):
    client = _pooled()

    async def reading() -> None:
        async with one_connection():
            await _backend(client)
            await client.execute_query_dict("SELECT pg_sleep(10)")

    for delay in (0, 0.01, 0.05):
        await factories.cancelled_after(reading, delay)
        await _all_back(client)
        assert isinstance(await _backend(client), int)


async def test_a_failing_statement_leaves_the_connection_usable(server):
    client = _pooled()
    async with one_connection():
        mine = await _backend(client)
        with pytest.raises(Exception, match="division by zero"):
            await client.execute_query_dict("SELECT 1 / 0 AS n")
        assert await _backend(client) == mine
    await _all_back(client)


async def test_a_connection_lost_during_a_block_is_replaced(server):
    # The server ends the block's connection (a restart, an administrator): the block's
    # next statement runs on a new one instead of failing with the lost one.
    client = _pooled()
    async with one_connection():
        lost = await _backend(client)

        async def end() -> None:
            await client.execute_query(f"SELECT pg_terminate_backend({lost})")

        await asyncio.create_task(end(), context=contextvars.Context())  # outside the block
        await asyncio.sleep(0.2)  # the socket's end reaches the event loop
        found = await _backend(client)
        assert found != lost
        assert await _backend(client) == found
    await _all_back(client)


async def test_on_sqlite_a_block_changes_nothing(server):
    connection = connections.get("default")
    async with one_connection():
        rows = await connection.execute_query_dict("SELECT 1 AS n")
    assert rows == [{"n": 1}]


@pytest.fixture
async def own(settings: Any) -> AsyncIterator[Any]:
    """A client of its own on the suite's PostgreSQL database (a pool of 8), beside the
    server's: nothing but the test takes or keeps its connections."""
    if not settings.database_url.startswith("postgres"):
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL): SQLite has one connection")
    credentials = expand_db_url(settings.database_url)["credentials"]
    credentials.update(minsize=1, maxsize=8)
    client = asyncpg_backend.Client(connection_name="own", **credentials)
    await client.create_connection(with_db=True)
    try:
        yield client
    finally:
        async with asyncio.timeout(5):  # asyncpg's pool waits for every connection back
            await client.close()


async def _pid(client: Any) -> int:
    rows = await client.execute_query_dict("SELECT pg_backend_pid() AS pid")
    return int(rows[0]["pid"])


async def test_a_statement_keeps_its_connection_for_the_next_one(own):
    # Giving a connection back to asyncpg's pool and taking one again cost more CPU than a
    # statement: one that ends normally is kept by the client, and the next statement or
    # block (of this task or another) takes it without the pool.
    first = await _pid(own)
    assert own.parked == 1
    idle = own._pool.get_idle_size()
    assert await _pid(own) == first

    async def block() -> int:
        async with one_connection():
            return await _pid(own)

    assert await asyncio.create_task(block(), context=contextvars.Context()) == first
    assert own.parked == 1
    assert own._pool.get_idle_size() == idle  # nothing taken from the pool or given back


async def test_a_transaction_takes_a_kept_connection(own):
    first = await _pid(own)
    idle = own._pool.get_idle_size()
    async with own._in_transaction() as transaction:
        rows = await transaction.execute_query_dict("SELECT pg_backend_pid() AS pid")
    assert rows[0]["pid"] == first
    assert own.parked == 0  # the transaction gave it back to the pool, as Tortoise does
    assert own._pool.get_idle_size() == idle + 1


async def test_no_more_than_a_quarter_of_the_pool_is_kept(own):
    held = asyncio.Event()
    running = 0

    async def block() -> None:
        nonlocal running
        async with one_connection():
            await _pid(own)
            running += 1
            if running == 8:
                held.set()
            await held.wait()  # the pool's eight connections held at once, then all ended

    await asyncio.gather(*(block() for _ in range(8)))
    assert own.parked == 8 // asyncpg_backend.PARKED_SHARE
    assert own._pool.get_idle_size() == 8 - own.parked


async def test_a_statement_or_block_that_fails_or_is_cancelled_gives_its_connection_back(own):
    with pytest.raises(Exception, match="division by zero"):
        await own.execute_query_dict("SELECT 1 / 0 AS n")
    assert own.parked == 0

    async def failing() -> None:
        async with one_connection():
            await _pid(own)
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        await failing()
    assert own.parked == 0

    async def reading() -> None:
        async with one_connection():
            await _pid(own)
            await asyncio.sleep(10)

    await factories.cancelled_after(reading, 0.05)
    assert own.parked == 0
    assert own._pool.get_idle_size() == own._pool.get_size()


async def test_a_kept_connection_the_server_ended_is_not_used_again(own):
    kept = await _pid(own)
    assert own.parked == 1
    (connection,) = own._parked
    await connections.get("default").execute_query(f"SELECT pg_terminate_backend({kept})")
    await factories.eventually(
        lambda: _true(asyncpg_backend._lost(connection)), timeout=5, every=0.01
    )  # the socket's end reached the event loop
    found = await _pid(own)
    assert found != kept
    assert await _pid(own) == found


async def test_closing_gives_the_kept_connections_back(settings):
    # asyncpg's pool waits, as it closes, for every connection to come back: the client
    # gives back what it kept first.
    if not settings.database_url.startswith("postgres"):
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL): SQLite has one connection")
    credentials = expand_db_url(settings.database_url)["credentials"]
    client = asyncpg_backend.Client(connection_name="closing", **credentials)
    await client.create_connection(with_db=True)
    await _pid(client)
    assert client.parked == 1
    async with asyncio.timeout(5):
        await client.close()
    assert client.parked == 0
