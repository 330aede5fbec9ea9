"""The embedded database's WAL is checkpointed by a thread of its own, never by the commit
a request waits on (models/backends/sqlite.py)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from models.backends.sqlite import Client


async def _client(path, **pragmas) -> Client:
    client = Client(str(path), connection_name="checkpoints", **pragmas)
    await client.create_connection(with_db=True)
    await client.execute_script("CREATE TABLE IF NOT EXISTS t (x TEXT)")
    return client


async def _pragma(client: Client, name: str) -> int:
    rows = await client.execute_query_dict(f"PRAGMA {name}")
    return int(next(iter(rows[0].values())))


def _rows_in_the_file_alone(path: Path) -> int:
    alone = path.with_name("alone.sqlite3")
    shutil.copyfile(path, alone)
    with contextlib.closing(sqlite3.connect(alone)) as connection:
        return int(connection.execute("SELECT count(*) FROM t").fetchone()[0])


async def test_commits_never_checkpoint_and_the_thread_does(tmp_path, monkeypatch):
    monkeypatch.setattr("models.backends.sqlite.CHECKPOINT_SECONDS", 0.05)
    path = tmp_path / "wal.sqlite3"
    client = await _client(path)
    try:
        assert await _pragma(client, "wal_autocheckpoint") == 0
        checkpointer = client._checkpointer
        assert checkpointer is not None and checkpointer.every == 0.05
        # Far past SQLite's 1,000 pages, one commit each: none of them checkpoints.
        for i in range(2000):  # 8 MB
            await client.execute_query("INSERT INTO t VALUES (?)", ["x" * 4000 + str(i)])
        done = checkpointer.checkpoints
        for _ in range(200):  # the thread checkpoints every 0.05 s: two rounds after the writes
            if checkpointer.checkpoints >= done + 2:
                break
            await asyncio.sleep(0.05)
        assert checkpointer.checkpoints >= done + 2
        # The WAL is written from its start again: it stays small.
        assert await asyncio.to_thread(os.path.getsize, f"{path}-wal") < 4_000_000
        # Everything written is in the database file itself: a copy of the file alone,
        # without the WAL, holds every row.
        await asyncio.to_thread(checkpointer.stop)
        assert await asyncio.to_thread(_rows_in_the_file_alone, path) == 2000
    finally:
        await client.close()
    assert client._checkpointer is None and not checkpointer._thread.is_alive()


@pytest.mark.parametrize("pragmas", [{"wal_autocheckpoint": "500"}, {"journal_mode": "DELETE"}])
async def test_a_url_that_says_otherwise_is_obeyed(tmp_path, pragmas):
    client = await _client(tmp_path / "own.sqlite3", **pragmas)
    try:
        assert client._checkpointer is None
        expected = 500 if "wal_autocheckpoint" in pragmas else 1000
        assert await _pragma(client, "wal_autocheckpoint") == expected
    finally:
        await client.close()
