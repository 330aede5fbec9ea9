"""The webhook deliverer looks for work at most every CLAIM_INTERVAL_SECONDS while events
keep waking it (resolvers/partners/webhook_delivery.py): every check-in of a busy hour
wakes it, and each look is a statement, though most events concern no endpoint."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from itertools import pairwise

from resolvers.partners import webhook_delivery
from resolvers.partners.webhook_delivery import Deliverer
from tests.conftest import RunningServer


class _Counting(Deliverer):
    """Records when it looks for work, and finds none."""

    looked: list[float]
    twice: asyncio.Event

    async def claim_and_start(self) -> int:
        self.looked.append(asyncio.get_running_loop().time())
        if len(self.looked) >= 2:
            self.twice.set()
        return 0


@contextlib.asynccontextmanager
async def _running(server: RunningServer) -> AsyncIterator[_Counting]:
    """A deliverer of the server's runtime, running until the block ends."""
    runtime = server.app.state.runtime
    delivering = dataclasses.replace(
        runtime, settings=runtime.settings.with_(webhook_concurrency=2, webhook_poll_seconds=60)
    )
    deliverer = _Counting(delivering)
    deliverer.looked, deliverer.twice = [], asyncio.Event()
    task = asyncio.create_task(deliverer.run())
    try:
        yield deliverer
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_a_stream_of_events_is_looked_at_once_per_interval(server: RunningServer) -> None:
    loop = asyncio.get_running_loop()
    async with _running(server) as deliverer:
        started = loop.time()
        while loop.time() - started < 0.6:  # an event every 5 ms, as at 200 check-ins/s
            deliverer.wake()
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.1)
        elapsed = loop.time() - started
    interval = webhook_delivery.CLAIM_INTERVAL_SECONDS
    gaps = [later - earlier for earlier, later in pairwise(deliverer.looked)]
    # It keeps looking while woken (the first look is at start), never twice in an interval.
    assert len(deliverer.looked) >= 4, deliverer.looked
    assert min(gaps) >= interval * 0.99, gaps
    assert len(deliverer.looked) <= elapsed / interval + 2  # a slow machine runs longer


async def test_a_single_event_is_looked_at_at_once(server: RunningServer) -> None:
    loop = asyncio.get_running_loop()
    async with _running(server) as deliverer:
        await asyncio.sleep(webhook_delivery.CLAIM_INTERVAL_SECONDS * 2)  # quiet
        woken_at = loop.time()
        deliverer.wake()
        async with asyncio.timeout(2):
            await deliverer.twice.wait()
    # After a quiet time the look follows the event by the gathering wait only.
    assert len(deliverer.looked) == 2, deliverer.looked
    assert deliverer.looked[1] - woken_at < webhook_delivery.CLAIM_INTERVAL_SECONDS
