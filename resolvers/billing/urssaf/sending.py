"""Payment requests: queued with the invoice, sent to URSSAF once, retried until accepted.

Issuing an invoice of an enrolled prestataire household writes its request row in the
invoice's transaction (one row per invoice: it cannot be queued twice). Every app
process runs the sending loop; a batch of due rows is claimed in one statement (a token
in `claim`, the rows pushed out of reach while it holds them, SKIP LOCKED on PostgreSQL),
so two processes never send the same request. Should a process die after URSSAF
accepted a request but before it wrote the answer down, the next sending is refused as
a duplicate invoice number (ERR_FACTURE_DOUBLON): the request is then looked up by its
period and adopted, so the invoice number stays the key across processes and restarts.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any

from models.accounts.people import Agency
from models.billing.invoices import Invoice, InvoiceLine
from models.billing.urssaf import UrssafEnrolment, UrssafPaymentRequest
from models.enums import (
    AdvanceStatus,
    UrssafRequestState,
)
from resolvers.billing.urssaf.moves import move_advance
from resolvers.core.runtime import Runtime
from services.clock import utcnow
from services.urssaf import payloads
from services.urssaf.client import UrssafError, UrssafRefused
from services.urssaf.codes import error_text

log = logging.getLogger("passage.urssaf")

BATCH = 10  # URSSAF takes at most 10 payment requests per call
CLAIM_SECONDS = 120
MAX_BACKOFF_SECONDS = 3600

_CLAIM = {
    "postgres": "UPDATE urssaf_payment_request SET next_attempt_at = $1, claim = $2 "
    "WHERE id IN (SELECT id FROM urssaf_payment_request WHERE state = $3 "
    "AND next_attempt_at <= $4 ORDER BY id LIMIT $5 FOR UPDATE SKIP LOCKED) RETURNING id",
    "sqlite": "UPDATE urssaf_payment_request SET next_attempt_at = ?, claim = ? "
    "WHERE id IN (SELECT id FROM urssaf_payment_request WHERE state = ? "
    "AND next_attempt_at <= ? ORDER BY id LIMIT ?) RETURNING id",
}


async def _claim(token: str, batch: int) -> list[int]:
    db = UrssafPaymentRequest._meta.db
    now = utcnow()
    until = now + timedelta(seconds=CLAIM_SECONDS)
    params = [until, token, UrssafRequestState.PENDING.value, now, batch]
    rows = await db.execute_query_dict(_CLAIM[db.capabilities.dialect], params)
    return sorted(int(row["id"]) for row in rows)


async def _facts(row: UrssafPaymentRequest) -> payloads.RequestFacts | None:
    invoice = await Invoice.get(id=row.invoice_id)
    enrolment = await UrssafEnrolment.get(client_id=row.client_id)
    agency = await Agency.get(id=row.agency_id)
    lines = await InvoiceLine.filter(
        invoice_id=invoice.id, tax_credit_eligible=True, late_cancellation=False
    ).prefetch_related("intervention__service_type")
    services = [
        payloads.ServiceLine(
            service_date=line.service_date,
            minutes=line.minutes,
            excl_cents=line.excl_cents,
            vat_cents=line.vat_cents,
            incl_cents=line.incl_cents,
            sap_activity_code=line.intervention.service_type.sap_activity_code
            if line.intervention
            else "",
        )
        for line in lines
    ]
    if not services or enrolment.urssaf_id is None:
        return None
    return payloads.RequestFacts(
        urssaf_client_id=enrolment.urssaf_id,
        birth_date=enrolment.birth_date,
        biller_id=agency.siret or agency.sap_number or str(agency.id),
        invoice_number=invoice.number,
        issued_on=invoice.issued_on,
        lines=services,
    )


async def send_due(rt: Runtime, batch: int = BATCH) -> int:
    """Sends the due payment requests, up to `batch` in one call; returns how many it
    claimed."""
    token = secrets.token_hex(16)
    ids = await _claim(token, batch)
    if not ids:
        return 0
    rows = await UrssafPaymentRequest.filter(id__in=ids, claim=token).order_by("id")
    ready: list[tuple[UrssafPaymentRequest, dict[str, Any]]] = []
    for row in rows:
        facts = await _facts(row)
        if facts is None:
            await _rejected(rt, row, token, "NO_SERVICE", "Aucune prestation éligible à envoyer.")
        else:
            ready.append((row, payloads.payment_request(facts)))
    if not ready:
        return len(ids)
    try:
        answers = await rt.urssaf.send_payment_requests([body for _, body in ready])
    except UrssafRefused as exc:
        if len(ready) == 1:
            await _answered(rt, ready[0], {"errors": exc.errors}, token)
            return len(ids)
        for pair in ready:  # which one URSSAF refuses: each goes alone
            await _send_alone(rt, pair, token)
        return len(ids)
    except UrssafError as exc:
        for row, _ in ready:
            await _failed(rt, row, token, exc)
        return len(ids)
    for pair, answer in zip(ready, answers, strict=True):
        await _answered(rt, pair, answer, token)
    return len(ids)


async def _send_alone(
    rt: Runtime, pair: tuple[UrssafPaymentRequest, dict[str, Any]], token: str
) -> None:
    try:
        answer = (await rt.urssaf.send_payment_requests([pair[1]]))[0]
    except UrssafRefused as exc:
        answer = {"errors": exc.errors}
    except UrssafError as exc:
        await _failed(rt, pair[0], token, exc)
        return
    await _answered(rt, pair, answer, token)


async def _answered(
    rt: Runtime,
    pair: tuple[UrssafPaymentRequest, dict[str, Any]],
    answer: dict[str, Any],
    token: str,
) -> None:
    row, body = pair
    if answer.get("idDemandePaiement"):
        await _accepted(rt, row, token, str(answer["idDemandePaiement"]))
        return
    errors = answer.get("errors") or [{"code": "ERR_UNKNOWN", "message": ""}]
    code = str(errors[0].get("code", "ERR_UNKNOWN"))
    if code == "ERR_FACTURE_DOUBLON":
        found = await _already_sent(rt, body)
        if found:
            await _accepted(rt, row, token, found)
            return
    message = error_text(code, str(errors[0].get("message", "")))[1]
    await _rejected(rt, row, token, code, message)


async def _already_sent(rt: Runtime, body: dict[str, Any]) -> str | None:
    """URSSAF's id of the request it already holds for this invoice number."""
    day = str(body["dateFacture"])
    try:
        found = await rt.urssaf.search_payment_requests(period=(day, day))
    except UrssafError:
        return None
    for info in found:
        same = (info.get("numFactureTiers"), info.get("idClient"))
        if same == (body["numFactureTiers"], body["idClient"]):
            return str(info["idDemandePaiement"])
    return None


async def _accepted(rt: Runtime, row: UrssafPaymentRequest, token: str, urssaf_id: str) -> None:
    now = utcnow()
    updated = await UrssafPaymentRequest.filter(id=row.id, claim=token).update(
        state=UrssafRequestState.SENT,
        urssaf_id=urssaf_id,
        status_code="10",
        attempts=row.attempts + 1,
        last_error="",
        sent_at=now,
        next_poll_at=now,
        claim=None,
        updated_at=now,
    )
    if updated:
        await move_advance(rt, row.invoice_id, AdvanceStatus.SENT)


async def _rejected(
    rt: Runtime, row: UrssafPaymentRequest, token: str, code: str, message: str
) -> None:
    log.warning("URSSAF refused payment request %s: %s", row.invoice_number, code)
    await UrssafPaymentRequest.filter(id=row.id, claim=token).update(
        state=UrssafRequestState.REJECTED,
        attempts=row.attempts + 1,
        reason_code=code[:40],
        reason=message[:500],
        claim=None,
        updated_at=utcnow(),
    )


async def _failed(rt: Runtime, row: UrssafPaymentRequest, token: str, exc: Exception) -> None:
    """No usable answer: due again after a doubling delay, however long URSSAF is away."""
    attempts = row.attempts + 1
    delay = min(MAX_BACKOFF_SECONDS, rt.settings.urssaf_retry_base_seconds * 2 ** (attempts - 1))
    await UrssafPaymentRequest.filter(id=row.id, claim=token).update(
        attempts=attempts,
        next_attempt_at=utcnow() + timedelta(seconds=delay),
        last_error=f"{type(exc).__name__}: {exc}"[:200],
        claim=None,
        updated_at=utcnow(),
    )
    log.warning("payment request %s not sent (attempt %s): %s", row.invoice_number, attempts, exc)


async def send_all_due(rt: Runtime) -> int:
    """The sending loop's step: batches until nothing is due."""
    total = 0
    while True:
        claimed = await send_due(rt)
        total += claimed
        if claimed < BATCH:
            return total
