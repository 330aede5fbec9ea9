"""Webhook deliveries: each endpoint's events in log order, retried with backoff.

The deliverer waits on the event bus and on its own retry times, like the mailer, so
it keeps its own loop (resolvers.partners.webhook_delivery); WEBHOOK_CONCURRENCY=0
makes a process deliver none.
"""

from __future__ import annotations

from resolvers.core.runtime import Runtime
from resolvers.partners.webhook_delivery import Deliverer


async def run(rt: Runtime) -> None:
    await Deliverer(rt).run()
