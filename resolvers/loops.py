"""The background loops' common shape: do a step, log what fails, wait, again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("passage.loops")


async def every(seconds: float, step: Callable[[], Awaitable[object]], name: str) -> None:
    """Run `step` forever, `seconds` apart. A failing step is logged and tried again at
    the next round; cancellation (shutdown) stops the loop."""
    while True:
        try:
            await step()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed", name)
        await asyncio.sleep(seconds)
