"""Interpreter settings for a process that serves the API (`passage serve`, the benchmarks).

With SQLite every statement runs on aiosqlite's thread, one at a time for the whole
process: Tortoise keeps one connection behind a lock, held for the length of a
transaction. Handing a statement to that thread and its answer back each need the GIL,
and while the event loop's thread runs Python, CPython hands the GIL over only once
the switch interval has passed (5 ms by default). Under load each of the seven
statements of a check-in could so wait up to 5 ms with the lock held, and one process
stalled near 100 check-ins/s with half a core idle: 176/s at 200/s offered with 1 ms
(5,000 subscribers, otherwise the same run). PostgreSQL (asyncpg) uses no thread;
the shorter interval costs it nothing measurable.
"""

from __future__ import annotations

import sys

SWITCH_INTERVAL_SECONDS = 0.001


def tune_for_serving() -> None:
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
