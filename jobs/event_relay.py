"""Events committed but never published (a crash between commit and publish) published
again, every EVENT_RELAY_SECONDS (subscriptions.events)."""

from __future__ import annotations

from jobs.every import every
from resolvers.core.runtime import Runtime
from subscriptions import events


async def run(rt: Runtime) -> None:
    await every(rt.settings.event_relay_seconds, lambda: events.relay_once(rt.bus), "event relay")
