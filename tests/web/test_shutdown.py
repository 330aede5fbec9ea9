"""A serving process's loops end when it stops, even when woken at that very instant.

Python 3.11's `asyncio.wait_for` returned the event's result instead of the cancellation
when both came in one loop iteration: the outbox's and the webhooks' loops then waited
again, and a stop (lifespan shutdown) hung for good. A check-in's event wakes both, so a
busy process stopped during a check-in could hang (services/waiting.py)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Awaitable, Callable

from notifications.mailer import Mailer
from resolvers.partners.webhook_delivery import Deliverer
from services.waiting import woken
from tests.conftest import RunningServer


async def _cancelled_as_woken(run: Awaitable[None], wake: Callable[[], None]) -> None:
    task = asyncio.ensure_future(run)
    await asyncio.sleep(0.3)  # past its first pass: waiting to be woken
    assert not task.done()
    wake()
    task.cancel()  # in the same iteration as the wake-up
    done, _ = await asyncio.wait({task}, timeout=5)
    assert task in done, "the loop swallowed its cancellation"
    assert task.cancelled()


async def test_a_wait_woken_and_cancelled_at_once_ends_cancelled() -> None:
    event = asyncio.Event()

    async def forever() -> None:
        while True:
            await woken(event, 60)
            event.clear()

    await _cancelled_as_woken(forever(), event.set)
    event.clear()
    assert await woken(event, 0.01) is False  # a timeout says so
    event.set()
    assert await woken(event, 0.01) is True


async def test_a_cancellation_swallowed_before_the_wait_still_ends_the_loop() -> None:
    """As 3.11's `wait_for` in a library can: the request stays (`cancelling()`), and the
    loop's next wait must end it rather than poll on."""
    event = asyncio.Event()
    polls = 0

    async def swallowing() -> None:
        nonlocal polls
        while True:
            # What the loop does between waits; the cancellation lost, without `uncancel()`.
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(60)
            polls += 1
            await woken(event, 0.01)

    task = asyncio.ensure_future(swallowing())
    await asyncio.sleep(0.05)
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=5)
    assert task in done and task.cancelled(), "the loop polled on, cancelled"
    assert polls == 1


async def test_the_outbox_loop_ends_when_stopped_as_it_is_woken(server: RunningServer) -> None:
    runtime = server.app.state.runtime
    mailer = Mailer(runtime.mailer.transport, "passage@example.org", poll_seconds=60)
    await _cancelled_as_woken(mailer.run(), mailer.wake)


async def test_the_webhook_loop_ends_when_stopped_as_it_is_woken(server: RunningServer) -> None:
    runtime = server.app.state.runtime
    delivering = dataclasses.replace(
        runtime, settings=runtime.settings.with_(webhook_concurrency=2)
    )
    deliverer = Deliverer(delivering)
    await _cancelled_as_woken(deliverer.run(), deliverer.wake)
