"""Call-back requests past their due time, looked for every MESSAGE_OVERDUE_POLL_SECONDS
(resolvers.care.callbacks)."""

from __future__ import annotations

from jobs.every import every
from resolvers.care import callbacks
from resolvers.core.runtime import Runtime


async def run(rt: Runtime) -> None:
    await every(
        rt.settings.message_overdue_poll_seconds,
        lambda: callbacks.sweep(rt),
        "overdue call-backs sweep",
    )
