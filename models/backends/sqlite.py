"""Tortoise's SQLite client, whose transaction gives its lock back when its opening fails
or is cancelled (models/backends/__init__.py), and whose statements run on the event
loop's thread.

Tortoise keeps one SQLite connection per process, behind one lock that a transaction
holds from BEGIN to COMMIT, and runs its statements on aiosqlite's thread. Each statement
was then a trip to that thread and back: about 80 µs of CPU for a statement SQLite runs
in 5, and a turn of the event loop before the next one could start. A check-in's
transaction is seven statements, so it held the lock for seven turns of a loop that was
meanwhile answering other requests and feeding thousands of sockets: at 200 check-ins a
second the lock, not the CPU, set the pace, and check-ins queued for it (docs/benchmarks.md,
the fan-out's fifteenth round).

`InLoopConnection` is the part of aiosqlite's connection that Tortoise's client calls,
running each statement at once on the calling thread. A transaction whose code awaits
nothing but its statements now runs from BEGIN to COMMIT in one turn of the loop. The
price: while SQLite works, the loop waits. Statements of the embedded default take
microseconds to a few milliseconds (a checkpoint inside a commit, a large export's
read); a process that must never pause for one uses PostgreSQL (docs/operations.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any, cast

from tortoise.backends.base.client import TransactionalDBClient, TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.connection import get_connections


class _Transaction(SqliteTransactionContext):
    async def __aenter__(self) -> TransactionalDBClient:
        await self._trxlock.acquire()
        token = None
        try:
            await self.ensure_connection()
            token = self.token = get_connections().set(self.connection_name, self.connection)
            await self.connection.begin()
        except BaseException:
            try:
                # Run to the end even if this task is cancelled again meanwhile.
                await asyncio.shield(self._give_back())
            finally:
                if token is not None:
                    get_connections().reset(token)
            raise
        return cast(TransactionalDBClient, self.connection)

    async def _give_back(self) -> None:
        try:
            # `BEGIN` may have run: the rollback ends that transaction (or finds none,
            # which is fine).
            if self.connection._connection is not None:
                with contextlib.suppress(sqlite3.Error, ValueError):
                    await self.connection._connection.rollback()
        finally:
            self._trxlock.release()


# A sequence or a mapping of parameters, handed to sqlite3 as aiosqlite hands them.
Parameters = Any


class InLoopConnection:
    """What Tortoise's SQLite client uses of `aiosqlite.Connection`, run on the calling
    thread: each coroutine returns without suspending. tests/engine/test_compat.py checks
    that Tortoise calls nothing else."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection  # aiosqlite's name: Tortoise sets its row factory there

    @classmethod
    def open(cls, filename: str) -> InLoopConnection:
        # As aiosqlite opened it for Tortoise (autocommit: Tortoise sends BEGIN itself),
        # usable from another thread as aiosqlite's was (Tortoise's lock serialises it).
        return cls(sqlite3.connect(filename, isolation_level=None, check_same_thread=False))

    @property
    def total_changes(self) -> int:
        return self._conn.total_changes

    async def execute(self, sql: str, parameters: Parameters = None) -> _Cursor:
        return _Cursor(self._conn.execute(sql, () if parameters is None else parameters))

    async def execute_fetchall(self, sql: str, parameters: Parameters = None) -> list[Any]:
        return self._conn.execute(sql, () if parameters is None else parameters).fetchall()

    async def execute_insert(self, sql: str, parameters: Parameters = None) -> Any:
        cursor = self._conn.execute(sql, () if parameters is None else parameters)
        return cursor.execute("SELECT last_insert_rowid()").fetchone()

    async def executemany(self, sql: str, parameters: Iterable[Parameters]) -> _Cursor:
        return _Cursor(self._conn.executemany(sql, parameters))

    async def executescript(self, script: str) -> _Cursor:
        return _Cursor(self._conn.executescript(script))

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self._conn.close()

    async def create_function(
        self, name: str, num_params: int, func: Callable[..., Any], deterministic: bool = False
    ) -> None:
        self._conn.create_function(name, num_params, func, deterministic=deterministic)


class _Cursor:
    """The part of aiosqlite's cursor Tortoise uses (it closes the PRAGMAs' cursors)."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def close(self) -> None:
        self._cursor.close()


class Client(SqliteClient):
    async def create_connection(self, with_db: bool) -> None:
        # Tortoise's own steps (SqliteClient.create_connection), the connection ours.
        if self._connection:
            return
        connection = InLoopConnection.open(self.filename)
        connection._conn.row_factory = sqlite3.Row
        self._connection = cast(Any, connection)
        for pragma, value in self.pragmas.items():
            cursor = await connection.execute(f"PRAGMA {pragma}={value}")
            await cursor.close()
        await self._post_connect()

    def _in_transaction(self) -> TransactionContext:
        return _Transaction(SqliteTransactionWrapper(self), self._lock)


client_class = Client
