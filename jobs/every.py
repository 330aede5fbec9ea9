"""The shape every scheduled loop shares: do a step, log what fails, wait, again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("passage.loops")


async def every(
    seconds: float, step: Callable[[], Awaitable[object]], name: str, *, wait_first: bool = False
) -> None:
    """Run `step` forever, `seconds` apart. A failing step is logged and tried again at
    the next round; cancellation (shutdown) stops the loop. `wait_first` skips the round
    at start-up, for a step with nothing to do before the process has served anyone."""
    if wait_first:
        await asyncio.sleep(seconds)
    while True:
        try:
            await step()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed", name)
        await asyncio.sleep(seconds)
