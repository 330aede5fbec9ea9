"""Daily and weekly digest e-mails, sent when due; checked every DIGEST_POLL_SECONDS
(notifications.digests)."""

from __future__ import annotations

from jobs.every import every
from notifications import digests
from resolvers.core.runtime import Runtime


async def run(rt: Runtime) -> None:
    await every(rt.settings.digest_poll_seconds, lambda: digests.send_due(rt), "digest loop")
