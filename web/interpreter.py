"""Interpreter settings for a process that serves the API (`passage serve`, the benchmarks).

Some work runs on threads beside the event loop: argon2 hashing, PDF rendering (and, until
the fan-out's fifteenth round in docs/benchmarks.md, every SQLite statement). Handing work to a
thread and its answer back each need the GIL, and while the event loop's thread runs
Python, CPython hands the GIL over only once the switch interval has passed (5 ms by
default). With SQLite on aiosqlite's thread, each of the seven statements of a check-in
could so wait up to 5 ms: one process stalled near 100 check-ins/s with half a core idle.
The shorter interval bounds that wait for the threads that remain, and costs the loop
nothing measurable.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import sys
import time
from collections.abc import AsyncIterator

log = logging.getLogger("passage.interpreter")

SWITCH_INTERVAL_SECONDS = 0.001
# The full collections of the cycle collector, on a schedule of their own (below).
FULL_COLLECTION_SECONDS = 300.0
# A third threshold no count reaches in practice (a young collection every 700 net
# allocations, a middle one every 10 of those): CPython no longer starts full ones itself.
NO_AUTOMATIC_FULL_COLLECTION = 1_000_000

_serving = False


def tune_for_serving() -> None:
    """Called by what serves (`passage serve`, the benchmarks) before it starts, never by
    the tests: the switch interval now, the cycle collector's policy once the app has
    started (`collector_policy`, in the app's lifespan)."""
    global _serving
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    _serving = True


@contextlib.asynccontextmanager
async def collector_policy() -> AsyncIterator[None]:
    """The cycle collector while the app serves, when `tune_for_serving` was called.

    A full collection walks every object the process holds, and stops everything while it
    does: about 200,000 objects once the app has started (modules, schema, ORM), and some
    150 more per open socket. CPython starts one whenever the objects that outlived two
    young collections since the last one reach a quarter of the old ones, which under load
    (requests in flight outlive young collections) came every few seconds: 252 ms each
    with 1,000 subscribers on a busy 2-core machine, the check-in's p99. So:

    - what exists once the app has started is frozen (`gc.freeze`): it lives as long as
      the process, and no collection walks it again;
    - CPython starts no full collection itself; one runs every FULL_COLLECTION_SECONDS,
      for the cyclic garbage of what outlived the young collections (a closed socket, a
      request that was in flight across two of them). Young collections are unchanged:
      they find the few dozen objects in cycles a check-in leaves.
    """
    if not _serving:
        yield
        return
    gc.collect()
    gc.freeze()
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], NO_AUTOMATIC_FULL_COLLECTION)
    task = asyncio.create_task(_full_collections(), name="full-collections")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        gc.set_threshold(*thresholds)


async def _full_collections() -> None:
    while True:
        await asyncio.sleep(FULL_COLLECTION_SECONDS)
        started = time.perf_counter()
        found = gc.collect()
        pause_ms = round(1000 * (time.perf_counter() - started), 1)
        log.info("full collection", extra={"fields": {"unreachable": found, "ms": pause_ms}})
