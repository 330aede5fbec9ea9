"""Households' data exports built in the background, claimed every EXPORT_POLL_SECONDS
(resolvers.privacy.exports)."""

from __future__ import annotations

from jobs.every import every
from resolvers.core.runtime import Runtime
from resolvers.privacy import exports


async def run(rt: Runtime) -> None:
    await every(rt.settings.export_poll_seconds, lambda: exports.run_once(rt), "data exports")
