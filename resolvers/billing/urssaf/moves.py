"""Moving an invoice's advance to the status URSSAF reports, one allowed step at a time.

A poll can miss steps (a request validated and paid between two reads): the advance then
walks the shortest path of resolvers/payments.ADVANCE_STEPS to the reported status, each
step through apply_advance_status (billing event, household told). The path starts from
the invoice's stored status, so reading the same URSSAF status twice moves nothing.
"""

from __future__ import annotations

import logging
from collections import deque

from models.enums import AdvanceStatus
from resolvers.billing.advance_outcome import AdvanceOutcome, apply_advance_status
from resolvers.billing.payments import ADVANCE_STEPS
from resolvers.billing.urssaf.changes import advance_of, record_change
from resolvers.core.runtime import Runtime
from subscriptions import events

log = logging.getLogger("passage.urssaf")


def path(current: AdvanceStatus, target: AdvanceStatus) -> list[AdvanceStatus]:
    """The steps from `current` to `target` (empty when there or unreachable), never
    through TO_SEND: only staff send a refused advance again."""
    if current == target:
        return []
    seen = {current: [current]}
    queue = deque([current])
    while queue:
        here = queue.popleft()
        for step in sorted(ADVANCE_STEPS[here]):
            if step in seen or step == AdvanceStatus.TO_SEND:
                continue
            seen[step] = [*seen[here], step]
            if step == target:
                return seen[step][1:]
            queue.append(step)
    return []


async def move_advance(
    rt: Runtime, invoice_id: int, target: AdvanceStatus, reason: str = ""
) -> list[AdvanceOutcome]:
    """Applies what URSSAF reports; returns the steps applied."""
    current = await advance_of(invoice_id)
    if current is None:
        return []
    steps = path(current, target)
    if current != target and not steps:
        log.warning("invoice %s: no way from %s to %s", invoice_id, current, target)
    done = []
    for step in steps:
        outcome = await apply_advance_status(
            invoice_id, step, reason=reason if step == target else ""
        )
        if outcome.user_errors:  # moved meanwhile (another process, staff): stop here
            break
        await record_change(invoice_id, current, step, "URSSAF", reason if step == target else "")
        await events.publish(rt.bus, outcome.events)
        current = step
        done.append(outcome)
    if done:
        rt.mailer.wake()
    return done
