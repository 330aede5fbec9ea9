"""Data past its retention period dropped, tried every RETENTION_POLL_SECONDS
(resolvers.privacy.retention)."""

from __future__ import annotations

from jobs.every import every
from resolvers.core.runtime import Runtime
from resolvers.privacy import retention


async def run(rt: Runtime) -> None:
    await every(rt.settings.retention_poll_seconds, lambda: retention.run_once(rt), "retention")
