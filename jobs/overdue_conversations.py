"""Conversations past the reply promise, looked for every MESSAGE_OVERDUE_POLL_SECONDS
(resolvers.messaging.reply_promise)."""

from __future__ import annotations

from jobs.every import every
from resolvers.core.runtime import Runtime
from resolvers.messaging import reply_promise


async def run(rt: Runtime) -> None:
    await every(
        rt.settings.message_overdue_poll_seconds,
        lambda: reply_promise.sweep(rt),
        "overdue conversations sweep",
    )
