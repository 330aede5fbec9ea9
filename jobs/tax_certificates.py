"""Tax certificates published (and corrected) from January; checked every
CERTIFICATE_POLL_SECONDS (resolvers.billing.certificate_publication)."""

from __future__ import annotations

from jobs.every import every
from resolvers.billing import certificate_publication
from resolvers.core.runtime import Runtime


async def run(rt: Runtime) -> None:
    await every(
        rt.settings.certificate_poll_seconds,
        lambda: certificate_publication.step(rt),
        "certificate job",
    )
