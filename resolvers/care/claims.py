"""Damage and incident claims: a household reports, the agency handles (seed: "gestion des
sinistres").

A household reports damage on one of its visits that took place, within the
agency's deadline after the visit's end, with photos or PDFs checked like message
attachments. Staff acknowledge it, investigate (the worker's account, the insurer's
reference) and settle it: repaired, reimbursed with an amount, or declined with a
reason. Every step is one transaction with its CLAIM_* event and the household's
notice (contact preferences, topic CLAIM); the event reaches the household and the
agency's staff live (`claimEvents`), never the worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from models.accounts.people import Account, Client
from models.care.claims import Claim, ClaimAttachment
from models.enums import ClaimStatus, EventType, InterventionStatus, NotificationTopic, Role
from models.events import Event
from models.visits.visits import Intervention
from notifications.notify import Notification, notify_client
from notifications.texts import claims as claim_notices
from resolvers.care.claims_read import ClaimView, claim_view
from resolvers.care.settings import settings_of
from resolvers.core import guards
from resolvers.core.errors import Forbidden, UserError, user_error
from resolvers.core.runtime import Runtime, Viewer
from resolvers.messaging.attachments import Upload, check_uploads
from services.billing import parse_money
from services.clock import utcnow
from subscriptions import events

MAX_DESCRIPTION = 2000
MAX_LOCATION = 200
MAX_NOTE = 500
MAX_REFERENCE = 60
MAX_VALUE_CENTS = 100_000_000  # one million euros
MAX_CLAIMS_PER_VISIT = 3
# A damage is noticed at the earliest this long before the visit's start (a clock off).
NOTICED_MARGIN = timedelta(hours=1)
HAPPENED = (InterventionStatus.IN_PROGRESS, InterventionStatus.COMPLETED)
OPEN = (ClaimStatus.ACKNOWLEDGED, ClaimStatus.INVESTIGATING)


@dataclass(frozen=True)
class ReportData:
    intervention_id: int
    description: str
    location: str
    noticed_at: datetime
    estimated_value: str | None = None
    attachments: tuple[Upload, ...] = ()


@dataclass(frozen=True)
class StepData:
    """What staff record at a step; which fields count depends on the target status."""

    status: ClaimStatus
    worker_account: str | None = None
    insurer_reference: str | None = None
    reimbursed_amount: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class ClaimResult:
    claim: ClaimView | None
    user_errors: list[UserError]


def _fail(field: str, message: str, code: str) -> ClaimResult:
    return ClaimResult(None, [user_error(field, message, code)])


def _amount(raw: str | None, field: str, errors: list[UserError]) -> int | None:
    if raw is None or not raw.strip():
        return None
    try:
        cents = parse_money(raw)
    except ValueError:
        cents = -1
    if not 0 <= cents <= MAX_VALUE_CENTS:
        errors.append(user_error(field, "Montant invalide (ex. 120.00).", "INVALID_AMOUNT"))
        return None
    return cents


def _text(value: str, limit: int, field: str, errors: list[UserError], required: bool) -> str:
    text = value.strip()
    if required and not text:
        errors.append(user_error(field, "Ce champ est requis.", "REQUIRED"))
    elif len(text) > limit:
        errors.append(user_error(field, f"{limit} caractères au plus.", "TOO_LONG"))
    elif any(ord(c) < 32 and c not in "\n\r\t" for c in text):
        errors.append(user_error(field, "Caractères de contrôle interdits.", "INVALID_TEXT"))
    return text


async def _visit_of(viewer: Viewer, intervention_id: int) -> tuple[Client, Intervention] | None:
    client = await Client.get_or_none(account_id=viewer.account_id)
    if client is None:
        return None
    visit = await Intervention.get_or_none(id=intervention_id, client_id=client.id)
    return (client, visit) if visit is not None else None


async def report(rt: Runtime, viewer: Viewer | None, data: ReportData) -> ClaimResult:
    household = guards.signed_in(viewer)
    if household.role is not Role.CLIENT:
        raise Forbidden("Seul le foyer déclare un dommage survenu chez lui.")
    errors: list[UserError] = []
    description = _text(data.description, MAX_DESCRIPTION, "description", errors, True)
    location = _text(data.location, MAX_LOCATION, "location", errors, True)
    value = _amount(data.estimated_value, "estimatedValue", errors)
    files, file_errors = check_uploads(
        list(data.attachments), rt.settings.message_attachment_max_bytes
    )
    if errors or file_errors:
        return ClaimResult(None, errors + file_errors)
    found = await _visit_of(household, data.intervention_id)
    if found is None:
        return _fail("interventionId", "Intervention introuvable.", "NOT_FOUND")
    client, visit = found
    if visit.status not in HAPPENED:
        return _fail("interventionId", "Cette intervention n'a pas eu lieu.", "VISIT_NOT_DONE")
    now = utcnow()
    deadline_days = (await settings_of(visit.agency_id)).claim_deadline_days
    ended = visit.checked_out_at or visit.scheduled_end
    if now > ended + timedelta(days=deadline_days):
        return _fail(
            "interventionId",
            f"Le délai de déclaration ({deadline_days} jours après l'intervention) est dépassé.",
            "DEADLINE_PASSED",
        )
    started = visit.checked_in_at or visit.scheduled_start
    if not started - NOTICED_MARGIN <= data.noticed_at <= now + timedelta(minutes=5):
        return _fail("noticedAt", "La date doit suivre le début de l'intervention.", "INVALID_DATE")
    if await Claim.filter(intervention_id=visit.id).count() >= MAX_CLAIMS_PER_VISIT:
        return _fail("interventionId", "Trois déclarations au plus par intervention.", "TOO_MANY")
    account = await Account.get(id=household.account_id)
    async with in_transaction():
        claim = await Claim.create(
            agency_id=visit.agency_id,
            client_id=client.id,
            intervention_id=visit.id,
            worker_id=visit.worker_id,
            description=description,
            location=location,
            noticed_at=data.noticed_at,
            estimated_value_cents=value,
            created_at=now,
            updated_at=now,
        )
        for file in files:
            await ClaimAttachment.create(
                claim_id=claim.id,
                filename=file.filename,
                content_type=file.content_type,
                size=len(file.data),
                data=file.data,
            )
        await _tell(rt, account, claim)
        event = await _event(EventType.CLAIM_REPORTED, claim, now)
    rt.mailer.wake()
    await events.publish(rt.bus, [event])
    return ClaimResult(await claim_view(claim.id, staff=False), [])


async def _tell(rt: Runtime, account: Account, claim: Claim) -> None:
    notice = claim_notices.claim_step(
        account.first_name,
        ClaimStatus(claim.status),
        f"{rt.settings.public_url}/sinistres",
        insurer_reference=claim.insurer_reference,
        reimbursed_cents=claim.reimbursed_cents,
        reason=claim.outcome_note if claim.status is ClaimStatus.DECLINED else "",
    )
    await notify_client(
        account,
        NotificationTopic.CLAIM,
        Notification(notice.kind, notice.subject, notice.body, notice.sms),
    )


async def _event(kind: EventType, claim: Claim, now: datetime) -> Event:
    return await events.record_event(
        kind, now, agency_id=claim.agency_id, client_id=claim.client_id, subject_id=claim.id
    )


def _step_errors(data: StepData, errors: list[UserError]) -> dict[str, object]:
    """The columns the step writes, its inputs checked."""
    changes: dict[str, object] = {"status": data.status}
    if data.insurer_reference is not None:
        changes["insurer_reference"] = _text(
            data.insurer_reference, MAX_REFERENCE, "insurerReference", errors, False
        )
    if data.status is ClaimStatus.INVESTIGATING:
        changes["worker_account"] = _text(
            data.worker_account or "", MAX_DESCRIPTION, "workerAccount", errors, True
        )
    elif data.status is ClaimStatus.REIMBURSED:
        cents = _amount(data.reimbursed_amount, "reimbursedAmount", errors)
        if (cents is None or cents == 0) and not errors:
            errors.append(user_error("reimbursedAmount", "Indiquez le montant.", "AMOUNT_REQUIRED"))
        changes["reimbursed_cents"] = cents
    if data.status is ClaimStatus.DECLINED or data.note is not None:
        changes["outcome_note"] = _text(
            data.note or "", MAX_NOTE, "note", errors, data.status is ClaimStatus.DECLINED
        )
    return changes


# Which status a step may start from.
FROM = {
    ClaimStatus.ACKNOWLEDGED: (ClaimStatus.REPORTED,),
    ClaimStatus.INVESTIGATING: OPEN,
    ClaimStatus.REPAIRED: OPEN,
    ClaimStatus.REIMBURSED: OPEN,
    ClaimStatus.DECLINED: OPEN,
}


async def advance(rt: Runtime, viewer: Viewer | None, claim_id: int, data: StepData) -> ClaimResult:
    """A staff step on a claim of the agency: acknowledge, investigate or settle."""
    staff = guards.staff(viewer)
    if data.status not in FROM:
        return _fail("status", "Étape inconnue.", "INVALID_STATUS")
    errors: list[UserError] = []
    changes = _step_errors(data, errors)
    if errors:
        return ClaimResult(None, errors)
    if not await Claim.exists(id=claim_id, agency_id=staff.agency_id):
        return _fail("claimId", "Déclaration introuvable.", "NOT_FOUND")
    now = utcnow()
    async with in_transaction():
        claim = await Claim.filter(id=claim_id).select_for_update().get()
        if claim.status not in FROM[data.status]:
            return _fail(
                "status",
                f"Impossible depuis l'étape {claim.status.value}.",
                "INVALID_TRANSITION",
            )
        changes |= {"handled_by_id": staff.account_id, "updated_at": now}
        if data.status is ClaimStatus.ACKNOWLEDGED:
            changes["acknowledged_at"] = now
        if data.status.closed:
            changes["closed_at"] = now
        await Claim.filter(id=claim.id).update(**changes)
        await claim.refresh_from_db()
        account = await Account.get(client__id=claim.client_id)
        await _tell(rt, account, claim)
        event = await _event(EventType.CLAIM_UPDATED, claim, now)
    rt.mailer.wake()
    await events.publish(rt.bus, [event])
    return ClaimResult(await claim_view(claim.id, staff=True), [])
