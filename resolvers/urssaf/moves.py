"""Moving an invoice's advance to the status URSSAF reports, one allowed step at a time.

A poll can miss steps (a request validated and paid between two reads): the advance then
walks the shortest path of resolvers/payments.ADVANCE_STEPS to the reported status, each
step through apply_advance_status (billing event, household told). The path starts from
the invoice's stored status, so reading the same URSSAF status twice moves nothing.
"""

from __future__ import annotations

import logging
from collections import deque

from models.billing import Invoice
from models.enums import AdvanceStatus
from models.urssaf import AdvanceChange
from resolvers.advance_outcome import AdvanceOutcome, apply_advance_status
from resolvers.payments import ADVANCE_STEPS
from resolvers.runtime import Runtime
from services.clock import utcnow
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


async def advance_of(invoice_id: int, agency_id: int | None = None) -> AdvanceStatus | None:
    query = Invoice.filter(id=invoice_id)
    if agency_id is not None:
        query = query.filter(agency_id=agency_id)
    invoice = await query.only("id", "advance_status").first()
    if invoice is None or invoice.advance_status is None:
        return None
    return AdvanceStatus(invoice.advance_status)


async def record_change(
    invoice_id: int,
    before: AdvanceStatus | None,
    after: AdvanceStatus,
    source: str,
    reason: str = "",
    actor_id: int | None = None,
) -> None:
    await AdvanceChange.create(
        invoice_id=invoice_id,
        from_status=before,
        to_status=after,
        source=source,
        reason=reason[:500],
        actor_id=actor_id,
        created_at=utcnow(),
    )


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
