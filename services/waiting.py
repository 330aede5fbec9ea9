"""Waiting on an asyncio.Event with a timeout, in the loops that run for a process's life.

Python 3.11's `asyncio.wait_for` returns the inner result instead of raising when the task
is cancelled in the loop iteration that sets the event (fixed in 3.12). A loop built on
it then swallows its cancellation and never ends: a process woken by an event at the
instant it was stopped hung at shutdown. `asyncio.timeout` does not lose it.

It does lose one that something else lost first. A library that still waits with
`wait_for` (an SMTP send with a timeout, say) can swallow the task's cancellation and leave
it cancelling (`Task.cancelling()` above 0). `asyncio.timeout` then counts that request
as its own, and turns the next expiry into a TimeoutError: the loop polled on, cancelled
but never ending, and its process's shutdown hung (seen in the two-process URSSAF test
under load). So a task that is still cancelling when it comes to wait stops there.
"""

from __future__ import annotations

import asyncio


async def woken(event: asyncio.Event, seconds: float) -> bool:
    """Waits until `event` is set (True) or `seconds` pass (False); a cancellation always
    propagates, one lost before the wait included."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError  # requested, and swallowed below the caller's loop
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True
