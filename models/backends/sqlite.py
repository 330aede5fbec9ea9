"""Tortoise's SQLite client, whose transaction gives its lock back when its opening fails
or is cancelled (models/backends/__init__.py), and whose WAL is checkpointed beside it.

SQLite checkpoints the WAL (copies it into the database file, then syncs both) in the
connection whose commit takes the WAL past 1,000 pages: for Passage, the one connection
every request waits on. A check-in's commit then waited for the disk, and every request
behind it: at 200 check-ins a second with 5,000 sockets, delivery p99 from the check-in
request 89 to 296 ms against 17 to 18 ms without (docs/benchmarks.md). So the client's
connection never checkpoints (`wal_autocheckpoint=0`) and a thread of its own does, on a
connection of its own, every `CHECKPOINT_SECONDS`: first a PASSIVE checkpoint, which takes
no lock a writer waits on and copies most of the WAL, then a RESTART one, which copies the
few pages written meanwhile and lets the next commit write the WAL from its start again
(PASSIVE alone, under steady writes, never catches up: the WAL would grow without end).
The RESTART holds new commits back for as long as it copies, and gives up after
`BUSY_SECONDS` (the next round tries again).

Measured on a file, 10 s of commits of five statements every 4 ms (the commit's latency):
SQLite's own checkpoints p99 2.4 ms, p99.9 6.7 ms, up to 92 ms; here p99 0.34 ms, p99.9 3.8
to 4.1 ms, at most 6.2 ms. The WAL stays under 5 MB either way. It is synced at least every
`CHECKPOINT_SECONDS`, where it waited for 1,000 pages before (hours, on a quiet agency).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
from pathlib import Path
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
            # `BEGIN` may be queued on the connection's thread already: the rollback queued
            # after it ends that transaction (or finds none, which is fine).
            if self.connection._connection is not None:
                with contextlib.suppress(sqlite3.Error, ValueError):
                    await self.connection._connection.rollback()
        finally:
            self._trxlock.release()


CHECKPOINT_SECONDS = 1.0
BUSY_SECONDS = 0.1

log = logging.getLogger("passage.db")


class Checkpointer:
    """Checkpoints the WAL of database file `path` every `every` seconds, on a thread and
    a connection of its own, until `stop`."""

    def __init__(self, path: str, every: float | None = None) -> None:
        self.path = path
        self.every = CHECKPOINT_SECONDS if every is None else every
        self.checkpoints = 0  # done, for tests and curious operators
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        connection = None
        try:
            while not self._stopping.wait(self.every):
                if not Path(self.path).exists():  # a scratch database, removed
                    return
                try:
                    if connection is None:
                        connection = sqlite3.connect(
                            self.path, timeout=BUSY_SECONDS, isolation_level=None
                        )
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    connection.execute("PRAGMA wal_checkpoint(RESTART)").fetchall()
                    self.checkpoints += 1
                except sqlite3.Error:
                    log.warning("WAL checkpoint of %s failed", self.path, exc_info=True)
        finally:
            if connection is not None:
                connection.close()

    def stop(self) -> None:
        """Stops, once the checkpoint in progress (if any) is done."""
        self._stopping.set()
        self._thread.join(timeout=10)


class Client(SqliteClient):
    def __init__(self, file_path: str, **kwargs: Any) -> None:
        super().__init__(file_path, **kwargs)
        self._checkpointer: Checkpointer | None = None
        # A file in WAL mode, unless the URL says how to checkpoint (`wal_autocheckpoint=`).
        self.checkpoints_apart = (
            self.filename != ":memory:"
            and not self.filename.startswith("file:")
            and str(self.pragmas.get("journal_mode", "")).upper() == "WAL"
            and "wal_autocheckpoint" not in kwargs
        )
        if self.checkpoints_apart:
            self.pragmas["wal_autocheckpoint"] = 0

    async def create_connection(self, with_db: bool) -> None:
        await super().create_connection(with_db)
        if self._checkpointer is None and self.checkpoints_apart:
            self._checkpointer = Checkpointer(self.filename)

    async def close(self) -> None:
        checkpointer, self._checkpointer = self._checkpointer, None
        try:
            await super().close()
        finally:
            if checkpointer is not None:
                await asyncio.to_thread(checkpointer.stop)

    def _in_transaction(self) -> TransactionContext:
        return _Transaction(SqliteTransactionWrapper(self), self._lock)


client_class = Client
