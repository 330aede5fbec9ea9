"""The embedded database's WAL is checkpointed by a thread of its own, never by the commit
a request waits on (models/backends/sqlite.py)."""

from __future__ import annotations

import asyncio
import sqlite3

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
        for _ in range(100):  # the thread checkpoints every 0.05 s
            if checkpointer.checkpoints >= 2:
                break
            await asyncio.sleep(0.05)
        assert checkpointer.checkpoints >= 2
        # Everything written is in the database file: another connection's checkpoint
        # finds nothing left to copy.
        with sqlite3.connect(path) as other:
            busy, pages, copied = other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert busy == 0 and pages == copied
        # And the WAL is written from its start again: it stays small.
        assert (path.parent / "wal.sqlite3-wal").stat().st_size < 4_000_000
    finally:
        await client.close()
    assert client._checkpointer is None and not checkpointer._thread.is_alive()
    with sqlite3.connect(path) as other:
        assert other.execute("SELECT count(*) FROM t").fetchone() == (2000,)


@pytest.mark.parametrize("pragmas", [{"wal_autocheckpoint": "500"}, {"journal_mode": "DELETE"}])
async def test_a_url_that_says_otherwise_is_obeyed(tmp_path, pragmas):
    client = await _client(tmp_path / "own.sqlite3", **pragmas)
    try:
        assert client._checkpointer is None
        expected = 500 if "wal_autocheckpoint" in pragmas else 1000
        assert await _pragma(client, "wal_autocheckpoint") == expected
    finally:
        await client.close()
