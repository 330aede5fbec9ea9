"""Weekly plans' horizon moved forward every PLAN_POLL_SECONDS (resolvers.visits.plans)."""

from __future__ import annotations

from jobs.every import every
from resolvers.core.runtime import Runtime
from resolvers.visits import plans


async def run(rt: Runtime) -> None:
    await every(rt.settings.plan_poll_seconds, lambda: plans.extend_all(rt), "plan horizon loop")
