"""Tortoise's asyncpg client, whose transaction gives its connection back to the pool when
its opening fails or is cancelled (models/backends/__init__.py), and can end with
statements of its own sent with its COMMIT, in one round trip (`Transaction.end_with`).

Why the second: the event log's order lock (subscriptions/events.py) is held from the
statement that takes it to the commit. Taken by a statement of its own, it was held
also while the event loop came back to the committing task, a few milliseconds on a busy
process: at 200 check-ins a second every writer queued behind the one before (PostgreSQL
logged waits of 60 ms for it, and a check-in now and then waited over 100 ms). Sent with
the COMMIT, it is held for the time the server takes to insert and commit.

To end with statements of its own, the transaction is begun, committed and rolled back
with plain statements (BEGIN, SAVEPOINT, COMMIT...), as asyncpg's own `Transaction` does,
but without it: a COMMIT asyncpg did not send would leave its transaction object
believing it open.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.base.client import (
    NestedTransactionContext,
    TransactionalDBClient,
    TransactionContext,
    TransactionContextPooled,
)
from tortoise.connection import get_connections
from tortoise.exceptions import TransactionManagementError

# Runs once the transaction committed, on its connection (events read their ids).
AfterCommit = Callable[[asyncpg.Connection], Awaitable[None]]


class Transaction(TransactionWrapper):
    """A transaction (`depth` 0) or a savepoint in one (`depth` 1, 2...) on one connection."""

    def __init__(self, connection: Any, depth: int = 0) -> None:
        super().__init__(connection)
        self.depth = depth
        # Tortoise runs a nested block's statements through the outermost transaction's
        # client: it is told when a savepoint is open.
        self._root: Transaction = connection._root if depth else self
        self._savepoints = 0
        self._final: list[str] = []
        self._after: list[AfterCommit] = []

    def _in_transaction(self) -> TransactionContext:
        return NestedTransactionContext(Transaction(self, self.depth + 1))

    def end_with(self, statements: str, after: AfterCommit) -> bool:
        """Sends `statements` (plain SQL, no parameters: literals only) with the COMMIT, in
        the same round trip, then runs `after`; False (nothing done) in a savepoint, whose
        end is not a commit (nor is any statement run while one is open): the caller then
        runs its statements itself."""
        if self.depth or self._savepoints:
            return False
        self._final.append(statements)
        self._after.append(after)
        return True

    async def _send(self, statement: str) -> None:
        await self.execute_script(statement)  # plain SQL, errors as Tortoise's

    async def begin(self) -> None:
        await self._send("BEGIN")

    async def savepoint(self) -> None:
        await self._send(f"SAVEPOINT passage_{self.depth}")
        self._root._savepoints += 1

    def _finish(self) -> None:
        if self._finalized:
            raise TransactionManagementError("Transaction already finalised")
        self._finalized = True

    async def commit(self) -> None:
        self._finish()
        if not self._final:
            await self._send("COMMIT")
            return
        try:
            await self._send(";\n".join([*self._final, "COMMIT"]))
        except BaseException:
            # A final statement failed: what follows it in the string was not run, and
            # the transaction is aborted; or the wait was cut short. The error goes on;
            # should the ROLLBACK fail too, the pool's reset of the connection rolls back.
            with contextlib.suppress(Exception):
                await asyncio.shield(self._send("ROLLBACK"))
            raise
        for after in self._after:
            await after(self._connection)

    async def release_savepoint(self) -> None:
        self._finish()
        self._root._savepoints -= 1
        await self._send(f"RELEASE SAVEPOINT passage_{self.depth}")

    async def rollback(self) -> None:
        self._finish()
        await self._send("ROLLBACK")

    async def savepoint_rollback(self) -> None:
        self._finish()
        self._root._savepoints -= 1
        await self._send(f"ROLLBACK TO SAVEPOINT passage_{self.depth}")


class _Transaction(TransactionContextPooled):
    async def __aenter__(self) -> TransactionalDBClient:
        await self.ensure_connection()
        pool = self.client._parent._pool
        connection = self.client._connection = await pool.acquire()
        token = None
        try:
            token = self.token = get_connections().set(self.connection_name, self.client)
            await self.client.begin()
        except BaseException:
            try:
                # Run to the end even if this task is cancelled again meanwhile.
                await asyncio.shield(self._give_back(pool, connection))
            finally:
                if token is not None:
                    get_connections().reset(token)
            raise
        return self.client

    @staticmethod
    async def _give_back(pool: Any, connection: Any) -> None:
        # A `BEGIN` cut short leaves asyncpg's transaction failed: asyncpg's release waits
        # for the statement (or closes the connection) and rolls back what is still open,
        # logging "Resetting connection with an active transaction".
        await pool.release(connection)


class Client(AsyncpgDBClient):
    def _in_transaction(self) -> TransactionContext:
        return _Transaction(Transaction(self), self._pool_init_lock)


client_class = Client
