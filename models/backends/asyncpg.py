"""Tortoise's asyncpg client, whose transaction gives its connection back to the pool when
its opening fails or is cancelled (models/backends/__init__.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.base.client import (
    TransactionalDBClient,
    TransactionContext,
    TransactionContextPooled,
)
from tortoise.connection import get_connections


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
        return _Transaction(TransactionWrapper(self), self._pool_init_lock)


client_class = Client
