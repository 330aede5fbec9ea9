"""Conversations past the reply promise, looked for every MESSAGE_OVERDUE_POLL_SECONDS
(resolvers.reply_promise)."""

from __future__ import annotations

from jobs.every import every
from resolvers import reply_promise
from resolvers.runtime import Runtime


async def run(rt: Runtime) -> None:
    await every(
        rt.settings.message_overdue_poll_seconds,
        lambda: reply_promise.sweep(rt),
        "overdue conversations sweep",
    )
