"""What a commit waits for on the embedded default (SQLite, WAL, `synchronous=NORMAL`),
by who checkpoints the WAL: SQLite itself, inside the commit that takes the WAL past 1,000
pages (what Passage does today), or a thread of its own with a connection of its own.

Each run commits, for `--seconds`, a transaction like a check-in's (four inserts, an
update, a read) every 4 ms on one connection, as the app's one connection does, and
prints the commit latency's percentiles and the WAL's size at the end (docs/benchmarks.md,
the fan-out's tenth round). The ways alternate, `--rounds` each.

    .venv/bin/python -m bench.sqlite_commits [--seconds 10] [--rounds 2] [--ways sqlite,passive,...]

Ways: `sqlite` (its own checkpoints), `passive`, `restart`, `passive+restart` (a thread,
every second), `none` (nobody: the WAL grows).
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

from bench import common

PAUSE = 0.004
WAYS = {
    "sqlite": (),
    "passive": ("PASSIVE",),
    "restart": ("RESTART",),
    "passive+restart": ("PASSIVE", "RESTART"),
    "none": (),
}


def _checkpoints(path: Path, modes: tuple[str, ...], stop: threading.Event) -> None:
    connection = sqlite3.connect(path, timeout=0.1, isolation_level=None)
    try:
        while not stop.wait(1.0):
            for mode in modes:
                connection.execute(f"PRAGMA wal_checkpoint({mode})").fetchall()
    finally:
        connection.close()


def run(way: str, seconds: float) -> tuple[list[float], int]:
    """Commit latencies (ms) and the WAL's size (bytes) at the end."""
    with tempfile.TemporaryDirectory(prefix="passage-bench-") as tmp:
        path = Path(tmp) / "commits.sqlite3"
        db = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "journal_size_limit=16384"):
            db.execute(f"PRAGMA {pragma}")
        db.execute("CREATE TABLE visit (id INTEGER PRIMARY KEY, ref TEXT, note TEXT, n INT)")
        db.execute("CREATE INDEX visit_ref ON visit (ref)")
        db.execute("CREATE INDEX visit_n ON visit (n)")
        stop = threading.Event()
        thread = None
        if way != "sqlite":
            db.execute("PRAGMA wal_autocheckpoint=0")
        if WAYS[way]:
            thread = threading.Thread(target=_checkpoints, args=(path, WAYS[way], stop))
            thread.start()
        latencies: list[float] = []
        end = time.perf_counter() + seconds
        i = 0
        try:
            while time.perf_counter() < end:
                start = time.perf_counter()
                db.execute("BEGIN")
                for j in range(4):
                    db.execute(
                        "INSERT INTO visit (ref, note, n) VALUES (?, ?, ?)",
                        (f"v{i}-{j}", "x" * 300, i),
                    )
                db.execute("UPDATE visit SET n = n + 1 WHERE id = ?", (max(1, 4 * i - 100),))
                db.execute("SELECT * FROM visit WHERE n = ?", (i - 5,)).fetchall()
                db.execute("COMMIT")
                latencies.append(1000 * (time.perf_counter() - start))
                i += 1
                time.sleep(PAUSE)
        finally:
            stop.set()
            if thread is not None:
                thread.join()
        wal = Path(f"{path}-wal")
        size = wal.stat().st_size if wal.exists() else 0
        db.close()
        return latencies, size


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--ways", default="sqlite,passive+restart")
    args = parser.parse_args()
    ways = args.ways.split(",")
    unknown = [way for way in ways if way not in WAYS]
    if unknown:
        raise SystemExit(f"unknown ways {unknown}; known: {', '.join(WAYS)}")
    print(f"machine: {common.machine()}")
    columns = ("commits", "p50 ms", "p99", "p99.9", "max")
    print(f"{'checkpoints by':16} " + " ".join(f"{c:>8}" for c in columns) + f" {'WAL MB':>7}")
    for number in range(args.rounds):
        for way in ways if number % 2 == 0 else ways[::-1]:
            found, wal = run(way, args.seconds)
            p = [common.percentile(found, q) for q in (50, 99, 99.9)]
            print(
                f"{way:16} {len(found):8d} {p[0]:8.3f} {p[1]:8.3f} {p[2]:8.3f} "
                f"{max(found):8.2f} {wal / 1e6:7.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
