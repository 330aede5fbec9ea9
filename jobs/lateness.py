"""Late and missed visits, looked for every LATENESS_POLL_SECONDS (resolvers.visits.lateness)."""

from __future__ import annotations

from jobs.every import every
from resolvers.core.runtime import Runtime
from resolvers.visits import lateness


async def run(rt: Runtime) -> None:
    await every(rt.settings.lateness_poll_seconds, lambda: lateness.sweep(rt), "lateness sweep")
