"""A task cancelled while it opens a transaction leaves nothing held (models/backends).

Tortoise's own contexts keep the SQLite lock, or a pool connection, when the cancellation
lands on the `BEGIN`: every later statement of the process then waits forever. That is how
a server stopped while its loops were starting wedged the test server behind it. Here an
opening is cancelled at each step of the event loop, on the suite's database (SQLite, or
PostgreSQL with TEST_DATABASE_URL), and the process must still read and write at once.
"""

from __future__ import annotations

import asyncio

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from models.backends import asyncpg as asyncpg_backend
from models.backends import sqlite as sqlite_backend
from tests import factories

# Enough loop steps to land in each await of an opening (the lock or a pool connection,
# BEGIN on the connection's thread or on the server, a new connection after a leaked one)
# and past it, inside the block.
STEPS = 80


async def _answers(seconds: float = 5.0) -> None:
    """A statement and a transaction both complete, and (PostgreSQL) every connection of
    the pool comes back: nothing is left holding the database."""
    connection = connections.get("default")
    async with asyncio.timeout(seconds):
        await connection.execute_query("SELECT 1")
        async with in_transaction() as transaction:
            await transaction.execute_query("SELECT 1")
        if connection.capabilities.dialect == "postgres":
            # The server's own loops borrow connections for a moment; a leaked one never
            # comes back.
            await factories.pool_all_back(connection)


async def test_the_suites_database_uses_passages_clients(server):
    connection = connections.get("default")
    assert isinstance(connection, (sqlite_backend.Client, asyncpg_backend.Client))


async def test_a_cancelled_opening_gives_back_what_it_took(server):
    async def opening() -> None:
        async with in_transaction() as transaction:
            await transaction.execute_query("SELECT 1")
            await asyncio.sleep(3600)

    for step in range(STEPS):
        for _attempt in range(2):  # the same step twice: what leaks once wedges the next
            task = asyncio.create_task(opening())
            for _ in range(step):
                await asyncio.sleep(0)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            try:
                await _answers()
            except TimeoutError:
                pytest.fail(f"an opening cancelled after {step} loop steps held the database")


async def test_many_openings_cancelled_at_once_leave_the_database_usable(server):
    async def opening() -> None:
        async with in_transaction() as transaction:
            await transaction.execute_query("SELECT 1")
            await asyncio.sleep(3600)

    tasks = [asyncio.create_task(opening()) for _ in range(30)]
    for step in range(len(tasks)):
        tasks[step].cancel()
        await asyncio.sleep(0)
    for task in tasks:
        task.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(result, asyncio.CancelledError) for result in results)
    await _answers()


async def test_an_embedded_transaction_holds_the_lock_for_no_turn_of_the_loop(server, tmp_path):
    # models/backends/sqlite.py: the embedded default's statements run on the loop's
    # thread, so a transaction that awaits only its statements runs from BEGIN to COMMIT
    # without the loop running anything else (a check-in held the lock for seven turns).
    client = sqlite_backend.Client(
        file_path=str(tmp_path / "turns.sqlite3"), connection_name="turns"
    )
    await client.create_connection(with_db=True)
    try:
        await client.execute_script("CREATE TABLE visit (id INTEGER PRIMARY KEY, status TEXT)")
        turns: list[str] = []
        asyncio.get_running_loop().call_soon(turns.append, "a turn")
        async with client._in_transaction() as transaction:
            inserted = await transaction.execute_insert(
                "INSERT INTO visit (status) VALUES (?)", ["SCHEDULED"]
            )
            changed, _ = await transaction.execute_query(
                "UPDATE visit SET status = ? WHERE id = ?", ["IN_PROGRESS", inserted]
            )
            rows = await transaction.execute_query_dict("SELECT id, status FROM visit")
        assert turns == []
        assert (changed, rows) == (1, [{"id": inserted, "status": "IN_PROGRESS"}])
        await asyncio.sleep(0)
        assert turns == ["a turn"]
        # Committed: another connection to the file reads it.
        other = sqlite_backend.InLoopConnection.open(str(tmp_path / "turns.sqlite3"))
        assert await other.execute_fetchall("SELECT status FROM visit") == [("IN_PROGRESS",)]
        await other.close()
    finally:
        await client.close()
