"""The status poll: URSSAF's word on each sent payment request, read ten at a time.

Every app process runs it. A batch of due requests is claimed in one statement (a token
in `poll_claim`, the rows pushed out of reach; SKIP LOCKED on PostgreSQL), so each
request is read by one process at a time; a change is applied from the invoice's stored
status (resolvers.billing.urssaf.moves), so even a request read twice moves its advance once.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from models.billing.urssaf import UrssafPaymentRequest
from models.enums import AdvanceStatus, UrssafRequestState
from resolvers.billing.urssaf.changes import advance_of
from resolvers.billing.urssaf.moves import move_advance
from resolvers.core.runtime import Runtime
from services.clock import utcnow
from services.urssaf.client import UrssafError
from services.urssaf.codes import STATUSES, rejection_text

BATCH = 10  # URSSAF reads at most 10 payment requests per call
CLAIM_SECONDS = 120

_CLAIM = {
    "postgres": "UPDATE urssaf_payment_request SET next_poll_at = $1, poll_claim = $2 "
    "WHERE id IN (SELECT id FROM urssaf_payment_request WHERE state = $3 "
    "AND next_poll_at IS NOT NULL AND next_poll_at <= $4 ORDER BY next_poll_at, id "
    "LIMIT $5 FOR UPDATE SKIP LOCKED) RETURNING id",
    "sqlite": "UPDATE urssaf_payment_request SET next_poll_at = ?, poll_claim = ? "
    "WHERE id IN (SELECT id FROM urssaf_payment_request WHERE state = ? "
    "AND next_poll_at IS NOT NULL AND next_poll_at <= ? ORDER BY next_poll_at, id "
    "LIMIT ?) RETURNING id",
}


async def _claim(token: str, due_by: datetime) -> list[int]:
    db = UrssafPaymentRequest._meta.db
    params = [
        utcnow() + timedelta(seconds=CLAIM_SECONDS),
        token,
        UrssafRequestState.SENT.value,
        due_by,
        BATCH,
    ]
    rows = await db.execute_query_dict(_CLAIM[db.capabilities.dialect], params)
    return [int(row["id"]) for row in rows]


def target_of(info: dict[str, Any], current: AdvanceStatus | None) -> AdvanceStatus | None:
    code = str((info.get("statut") or {}).get("code", ""))
    status = STATUSES.get(code)
    if status is None:
        return None
    rejection = str((info.get("infoRejet") or {}).get("code", ""))
    # A refusal after validation, for a contest motive, is the household's contest.
    validated = current in (AdvanceStatus.VALIDATED, AdvanceStatus.CONTESTED)
    if code == "40" and rejection.startswith("CONTEST") and validated:
        return AdvanceStatus.CONTESTED
    return status.advance


async def poll_due(rt: Runtime, due_by: datetime | None = None) -> int:
    """Reads one batch of the requests due by `due_by` (now); returns how many it claimed."""
    token = secrets.token_hex(16)
    ids = await _claim(token, due_by or utcnow())
    if not ids:
        return 0
    rows = {r.urssaf_id: r for r in await UrssafPaymentRequest.filter(id__in=ids)}
    try:
        found = await rt.urssaf.search_payment_requests(ids=[str(i) for i in rows if i])
    except UrssafError as exc:
        retry = utcnow() + timedelta(seconds=rt.settings.urssaf_retry_base_seconds)
        await UrssafPaymentRequest.filter(id__in=ids, poll_claim=token).update(
            next_poll_at=retry, poll_claim=None, last_error=f"poll: {exc}"[:200]
        )
        return len(ids)
    for info in found:
        row = rows.get(str(info.get("idDemandePaiement")))
        if row is not None:
            await _apply(rt, row, info, token)
    # Requests URSSAF did not return are read again at the next refresh.
    await UrssafPaymentRequest.filter(id__in=ids, poll_claim=token).update(
        next_poll_at=utcnow() + timedelta(seconds=rt.settings.urssaf_refresh_seconds),
        poll_claim=None,
    )
    return len(ids)


async def _apply(rt: Runtime, row: UrssafPaymentRequest, info: dict[str, Any], token: str) -> None:
    code = str((info.get("statut") or {}).get("code", ""))
    rejection = info.get("infoRejet") or {}
    reason = (
        rejection_text(str(rejection.get("code", "")), str(rejection.get("commentaire", "")))
        if rejection
        else ""
    )
    current = await advance_of(row.invoice_id)
    target = target_of(info, current)
    if target is not None:
        await move_advance(rt, row.invoice_id, target, reason)
    status = STATUSES.get(code)
    final = status is not None and status.final
    refresh = utcnow() + timedelta(seconds=rt.settings.urssaf_refresh_seconds)
    await UrssafPaymentRequest.filter(id=row.id, poll_claim=token).update(
        status_code=code[:4],
        reason_code=str(rejection.get("code", ""))[:40],
        reason=reason[:500],
        next_poll_at=None if final else refresh,
        poll_claim=None,
        last_error="",
        updated_at=utcnow(),
    )


async def poll_all_due(rt: Runtime) -> int:
    """The poll loop's step: every request due when it starts, ten at a time (those read
    meanwhile are due again later, so a step always ends)."""
    started = utcnow()
    total = 0
    while True:
        claimed = await poll_due(rt, started)
        total += claimed
        if claimed < BATCH:
            return total
