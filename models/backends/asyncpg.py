"""Tortoise's asyncpg client, whose transaction gives its connection back to the pool when
its opening fails or is cancelled (models/backends/__init__.py), and can end with
statements of its own sent with its COMMIT, in one round trip (`Transaction.end_with`).

Why the second: the event log's order lock (subscriptions/events.py) is held from the
statement that takes it to the commit. Taken by a statement of its own, it was held
also while the event loop came back to the committing task, a few milliseconds on a busy
process: at 200 check-ins a second every writer queued behind the one before (PostgreSQL
logged waits of 60 ms for it, and a check-in now and then waited over 100 ms). Sent with
the COMMIT, it is held for the time the server takes to insert and commit.

The client also lends one pooled connection to every statement of a `one_connection`
block outside a transaction (a query's execution, schema/engine/connection.py): taking a
connection from asyncpg's pool and giving it back costs about as much CPU as the
statement. So a connection a statement or a block is done with is kept by the client for
the next statement, block or transaction (`Client.park`) rather than given back: a
quarter of the pool at most, given back when the client closes (docs/benchmarks.md, the
reads' eighteenth round). Only after a normal end: after an error or a cancel, asyncpg's
release checks and resets the connection.

To end with statements of its own, the transaction is begun, committed and rolled back
with plain statements (BEGIN, SAVEPOINT, COMMIT...), as asyncpg's own `Transaction` does,
but without it: a COMMIT asyncpg did not send would leave its transaction object
believing it open.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, cast

import asyncpg
from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.base.client import (
    NestedTransactionContext,
    PoolConnectionWrapper,
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
        await _give_back_idle()
        await self.ensure_connection()
        parent = cast(Client, self.client._parent)
        pool = parent._pool
        assert pool is not None  # ensure_connection opened it
        # One a block kept (idle, outside a transaction), else one from the pool; either
        # way given back to the pool at the end, by Tortoise's own `__aexit__`.
        connection = self.client._connection = parent.unpark() or await pool.acquire()
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


# Connections kept for the next statements (`Client.park`): a quarter of the pool at most
# (5 of the 20 of models/db.py), none with a pool under 4.
PARKED_SHARE = 4


class Client(AsyncpgDBClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._parked: list[Any] = []

    def _in_transaction(self) -> TransactionContext:
        return _Transaction(Transaction(self), self._pool_init_lock)

    def park(self, connection: Any) -> bool:
        """Keeps a pool connection a statement or a block is done with, for the next
        statement, block or transaction (`unpark`), instead of giving it back: asyncpg's
        release and the next acquire cost more CPU than a statement (a task, a timer, a
        queue). False when it cannot be kept (enough kept, the pool closed, the connection
        lost or in a transaction): the caller gives it back."""
        if (
            self._pool is None
            or len(self._parked) >= self.pool_maxsize // PARKED_SHARE
            or _lost(connection)
            or connection.is_in_transaction()
        ):
            return False
        self._parked.append(connection)
        return True

    def unpark(self) -> Any | None:
        """A connection `park` kept (the last one: the warmest), or None. One that closed
        while kept is dropped: its closing gave it back to the pool."""
        while self._parked:
            connection = self._parked.pop()
            if not _lost(connection):
                return connection
        return None

    @property
    def parked(self) -> int:
        return len(self._parked)

    async def give_back_parked(self) -> None:
        """Gives every kept connection back to the pool (before it closes; tests)."""
        parked, self._parked = self._parked, []
        for connection in parked:
            if self._pool is not None and not _lost(connection):
                await self._pool.release(connection)

    async def close(self) -> None:
        # asyncpg's pool waits, as it closes, for every connection to come back.
        await self.give_back_parked()
        await super().close()

    def acquire_connection(self) -> Any:
        """A connection for one statement outside a transaction: the one `one_connection`
        holds when it is free, else a kept one or one from the pool (`_Borrowed`)."""
        held = _HELD.get()
        if held is None or held.busy or held.closed or held.client not in (None, self):
            return _Borrowed(self, self._pool_init_lock)
        return _Lent(self, held)


class _Borrowed(PoolConnectionWrapper):  # type: ignore[type-arg]
    """Tortoise's connection for one statement outside a block, a kept one first (`Client.
    unpark`), and kept again after it when it can be; else given back as Tortoise does."""

    __slots__ = ()

    async def __aenter__(self) -> Any:
        client = cast(Client, self.client)
        connection = client.unpark()
        if connection is None:
            return await super().__aenter__()
        self.connection = connection
        return connection

    async def __aexit__(self, kind: Any, error: Any, traceback: Any) -> None:
        if kind is None and cast(Client, self.client).park(self.connection):
            self.connection = None
            return
        await super().__aexit__(kind, error, traceback)


class Held:
    """A pool connection kept by `one_connection` for its statements; see there."""

    __slots__ = ("busy", "client", "closed", "connection")

    def __init__(self) -> None:
        self.client: Client | None = None
        self.connection: Any = None
        self.busy = False
        self.closed = False


_HELD: ContextVar[Held | None] = ContextVar("passage_held_connection", default=None)


class _Lent:
    """The held connection for one statement (taken from the pool at the first)."""

    __slots__ = ("client", "held")

    def __init__(self, client: Client, held: Held) -> None:
        self.client = client
        self.held = held

    async def __aenter__(self) -> Any:
        held = self.held
        held.busy = True
        try:
            if held.connection is not None and _lost(held.connection):
                await _give_back(held)  # a new one below
            if held.connection is None:
                held.connection = self.client.unpark()
                held.client = self.client
            if held.connection is None:
                if self.client._pool is None:  # opened on first use, as Tortoise does
                    await super(Client, self.client).acquire_connection().ensure_connection()
                pool = self.client._pool
                assert pool is not None
                held.connection = await pool.acquire()
        except BaseException:
            held.busy = False
            raise
        return held.connection

    async def __aexit__(self, *exc: object) -> None:
        self.held.busy = False
        if self.held.closed:  # a task of the block outlived it: given back by its last user
            await _give_back(self.held)


class one_connection:  # lower case: used as a function, `async with one_connection():`
    """Statements outside a transaction in this block share one pool connection, taken at
    the first and given back at the end, rather than one taken and given back each.

    asyncpg's pool costs about as much CPU to take a connection and give it back as a
    short statement costs to send (a task, a timer and three turns of the event loop):
    a planned document reads three to five statements in a row (schema/engine/planner.py).
    A query's execution is one block (schema/engine/connection.py). A statement that
    finds the connection busy (another task of the block, say a loader, while one runs),
    or comes after the block, takes one from the pool as before. A transaction takes one
    of its own, the block's idle one given back first (`_give_back_idle`).

    A class rather than `contextlib.asynccontextmanager`: it runs around every query, and
    an async generator costs the event loop's hooks and contextlib's wrapper each time.
    """

    __slots__ = ("_held", "_token")

    async def __aenter__(self) -> None:
        self._held = Held()
        self._token = _HELD.set(self._held)

    async def __aexit__(self, kind: object, *exc: object) -> None:
        held = self._held
        _HELD.reset(self._token)
        held.closed = True
        if held.busy:
            return  # given back by its last user (`_Lent`)
        if kind is None:  # ended normally: kept for the next block, when it can be
            _park(held)
        await _give_back(held)


def _lost(connection: Any) -> bool:
    """The connection closed under the block (the server restarted, say): the pool took it
    back as it closed, and the block takes another."""
    try:
        return bool(connection.is_closed())
    except asyncpg.InterfaceError:  # already given back to the pool by its closing
        return True


async def _give_back_idle() -> None:
    """A transaction takes a connection of its own: a `one_connection` block it runs in
    gives back its idle one first. A task never holds one idle while it waits for another:
    with every connection of the pool held so, that wait would never end. The block's next
    statement takes one again."""
    held = _HELD.get()
    if held is not None and not held.busy:
        _park(held)  # the transaction then takes it (`Client.unpark`)
        await _give_back(held)


def _park(held: Held) -> None:
    """The block's idle connection kept by its client (`Client.park`), when it can be."""
    client = held.client
    if held.connection is not None and client is not None and client.park(held.connection):
        held.connection = None


async def _give_back(held: Held) -> None:
    pool = None if held.client is None else held.client._pool
    if held.connection is not None and pool is not None:
        connection, held.connection = held.connection, None
        await pool.release(connection)  # shielded by asyncpg: done even if this is cancelled


client_class = Client
