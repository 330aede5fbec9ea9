"""Every scheduled loop of an app process, one module each, and the one way to start them.

A loop module only schedules: what a round does is a use case in resolvers/ (or the
mailer's and the event log's own step). Every loop has the same shape (jobs.every): its
interval comes from the settings, a failing round is logged and the loop goes on, and
cancellation at shutdown stops it. Every process runs every loop: each round claims its
rows in the database, so several processes never do the same work twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine
from typing import Any

from jobs import (
    data_exports,
    digests,
    event_relay,
    lateness,
    missing_check_outs,
    outbox,
    overdue_callbacks,
    overdue_conversations,
    plans,
    retention,
    session_sweep,
    tax_certificates,
    urssaf,
    webhooks,
)
from resolvers.core.runtime import Runtime


def _loops(
    rt: Runtime, sockets: session_sweep.OpenSessions
) -> dict[str, Coroutine[Any, Any, None]]:
    return {
        "mailer": outbox.run(rt),
        "lateness": lateness.run(rt),
        "plans": plans.run(rt),
        "overdue-conversations": overdue_conversations.run(rt),
        "overdue-callbacks": overdue_callbacks.run(rt),
        "missing-check-outs": missing_check_outs.run(rt),
        "digests": digests.run(rt),
        "tax-certificates": tax_certificates.run(rt),
        "event-relay": event_relay.run(rt),
        "session-sweep": session_sweep.run(rt, sockets),
        "data-exports": data_exports.run(rt),
        "retention": retention.run(rt),
        "urssaf": urssaf.run(rt),
        "webhooks": webhooks.run(rt),
    }


def start_all(rt: Runtime, sockets: session_sweep.OpenSessions) -> list[asyncio.Task[None]]:
    """Every loop as a task of the running event loop, named after it."""
    return [asyncio.create_task(loop, name=name) for name, loop in _loops(rt, sockets).items()]


async def stop_all(tasks: list[asyncio.Task[None]]) -> None:
    """Cancels every loop and waits until each has stopped."""
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


@contextlib.asynccontextmanager
async def running(rt: Runtime, sockets: session_sweep.OpenSessions) -> AsyncIterator[None]:
    """Every loop runs for the life of the block (the app's lifespan)."""
    tasks = start_all(rt, sockets)
    try:
        yield
    finally:
        await stop_all(tasks)
