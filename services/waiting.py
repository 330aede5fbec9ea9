"""Waiting on an asyncio.Event with a timeout, in the loops that run for a process's life.

Python 3.11's `asyncio.wait_for` returns the inner result instead of raising when the task
is cancelled in the loop iteration that sets the event (fixed in 3.12). A loop built on
it then swallows its cancellation and never ends: a process woken by an event at the
instant it was stopped hung at shutdown. `asyncio.timeout` does not lose it.
"""

from __future__ import annotations

import asyncio


async def woken(event: asyncio.Event, seconds: float) -> bool:
    """Waits until `event` is set (True) or `seconds` pass (False); a cancellation always
    propagates."""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True
