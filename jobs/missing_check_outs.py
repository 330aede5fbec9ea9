"""Check-outs still missing once the visit's day is over, looked for every
LATENESS_POLL_SECONDS (resolvers.visits.anomalies)."""

from __future__ import annotations

from jobs.every import every
from resolvers.core.runtime import Runtime
from resolvers.visits import anomalies


async def run(rt: Runtime) -> None:
    await every(
        rt.settings.lateness_poll_seconds, lambda: anomalies.sweep(rt), "missing check-outs sweep"
    )
