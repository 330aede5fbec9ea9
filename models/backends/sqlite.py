"""Tortoise's SQLite client, whose transaction gives its lock back when its opening fails
or is cancelled (models/backends/__init__.py)."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from typing import cast

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
            # `BEGIN` may be queued on the connection's thread already: the rollback queued
            # after it ends that transaction (or finds none, which is fine).
            if self.connection._connection is not None:
                with contextlib.suppress(sqlite3.Error, ValueError):
                    await self.connection._connection.rollback()
        finally:
            self._trxlock.release()


class Client(SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return _Transaction(SqliteTransactionWrapper(self), self._lock)


client_class = Client
