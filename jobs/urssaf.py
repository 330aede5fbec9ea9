"""The two loops of the URSSAF exchange, when URSSAF_URL is set: payment requests sent
every URSSAF_SEND_SECONDS (resolvers.billing.urssaf.sending), their status read every
URSSAF_POLL_SECONDS (resolvers.billing.urssaf.polling)."""

from __future__ import annotations

import asyncio

from jobs.every import every
from resolvers.billing.urssaf.polling import poll_all_due
from resolvers.billing.urssaf.sending import send_all_due
from resolvers.core.runtime import Runtime


async def run(rt: Runtime) -> None:
    if not rt.urssaf.configured:
        return
    async with asyncio.TaskGroup() as group:
        group.create_task(
            every(rt.settings.urssaf_send_seconds, lambda: send_all_due(rt), "urssaf send")
        )
        group.create_task(
            every(rt.settings.urssaf_poll_seconds, lambda: poll_all_due(rt), "urssaf poll")
        )
