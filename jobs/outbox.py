"""The outbox delivered, one lane per channel (e-mail, SMS).

The loop is the mailer's own (notifications.mailer.Mailer.run): each lane is woken as soon as
a use case queues a message, and polls every OUTBOX_POLL_SECONDS otherwise, so it keeps
its wake-ups beside the claims it makes. A failing round is logged and the lane goes on.
"""

from __future__ import annotations

from resolvers.core.runtime import Runtime


async def run(rt: Runtime) -> None:
    await rt.mailer.run()
