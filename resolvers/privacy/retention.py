"""Retention: each kind of data is kept for its documented period (docs/privacy.md), then
dropped by one job that runs once across processes (claimed through `job_claim`)."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, Subquery
from tortoise.transactions import in_transaction

from models.accounts.people import Account, Client
from models.accounts.security import LoginAttempt, OneTimeToken, SecurityEvent, Session
from models.billing.invoices import BilledVisit, Invoice, InvoiceLine, Payment
from models.billing.tax_credit import TaxCertificate
from models.enums import (
    AccountStatus,
    DeletionReason,
    DeletionStatus,
    PrivacyAction,
    Role,
)
from models.privacy import AccountDeletion, ArchivedDocument, EmailChange, JobClaim, PrivacyAudit
from models.visits.visits import Intervention
from notifications import texts
from notifications.notify import email_now
from resolvers.core.runtime import Runtime
from resolvers.privacy import audit, deletion, exports
from services.clock import utcnow

JOB = "retention"
BATCH = 200


async def claim(name: str, period: timedelta, now: datetime) -> bool:
    """True for the one process that moves the job's next run forward."""
    with contextlib.suppress(IntegrityError):  # created by another process meanwhile
        await JobClaim.get_or_create(name=name, defaults={"next_run_at": now})
    return bool(
        await JobClaim.filter(name=name, next_run_at__lte=now).update(next_run_at=now + period)
    )


async def run_once(rt: Runtime, *, force: bool = False) -> dict[str, int]:
    now = utcnow()
    period = timedelta(seconds=rt.settings.retention_poll_seconds)
    if not force and not await claim(JOB, period * 0.9, now):
        return {}
    s = rt.settings
    done = {
        "positions": await Intervention.filter(
            Q(check_in_latitude__not_isnull=True) | Q(check_out_latitude__not_isnull=True),
            scheduled_start__lt=now - timedelta(days=s.checkin_position_days),
        ).update(
            check_in_latitude=None,
            check_in_longitude=None,
            check_out_latitude=None,
            check_out_longitude=None,
        ),
        "sessions": await Session.filter(expires_at__lt=now).delete(),
        "tokens": await OneTimeToken.filter(expires_at__lt=now).delete()
        + await EmailChange.filter(expires_at__lt=now).delete(),
        "loginAttempts": await LoginAttempt.filter(created_at__lt=now - timedelta(days=1)).delete(),
        "securityEvents": await SecurityEvent.filter(
            created_at__lt=now - timedelta(days=s.security_log_days)
        ).delete(),
        "privacyAudit": await PrivacyAudit.filter(
            at__lt=now - timedelta(days=s.privacy_audit_days)
        ).delete(),
        "exports": await exports.expire(),
        "inactivityWarnings": await warn_inactive(rt, now),
        "erased": await deletion.erase_due(rt),
        "archivesPurged": await purge_archives(now),
    }
    return done


async def warn_inactive(rt: Runtime, now: datetime) -> int:
    """Households unseen for the period are told, then erased after the notice period
    unless they sign in meanwhile (which cancels it)."""
    cutoff = now - timedelta(days=rt.settings.inactive_household_days)
    # Signed in since the warning: kept.
    for row in await AccountDeletion.filter(
        reason=DeletionReason.INACTIVITY, status=DeletionStatus.SCHEDULED, claimed_at=None
    ).limit(BATCH):
        if await Session.filter(
            account_id=row.account_id, created_at__gt=row.requested_at
        ).exists():
            await AccountDeletion.filter(id=row.id, claimed_at=None).update(
                status=DeletionStatus.CANCELLED, cancelled_at=now
            )
    seen = Session.filter(last_seen_at__gte=cutoff).values_list("account_id", flat=True)
    # A household still receiving visits is active, signed in or not.
    served = Intervention.filter(scheduled_start__gte=cutoff).values_list(
        "client__account_id", flat=True
    )
    open_ = AccountDeletion.filter(
        status__in=(DeletionStatus.AWAITING_CONFIRMATION, DeletionStatus.SCHEDULED)
    ).values_list("account_id", flat=True)
    candidates = (
        await Account.filter(role=Role.CLIENT, status=AccountStatus.ACTIVE, created_at__lt=cutoff)
        .exclude(id__in=Subquery(seen))
        .exclude(id__in=Subquery(served))
        .exclude(id__in=Subquery(open_))
        .limit(BATCH)
    )
    warned = 0
    for account in candidates:
        client = await Client.get_or_none(account_id=account.id)
        if client is None:
            continue
        effective = now + timedelta(days=rt.settings.inactivity_notice_days)
        async with in_transaction():
            await AccountDeletion.create(
                account_id=account.id,
                client_id=client.id,
                agency_id=client.agency_id,
                reason=DeletionReason.INACTIVITY,
                status=DeletionStatus.SCHEDULED,
                requested_at=now,
                effective_at=effective,
            )
            await email_now(
                account.email,
                texts.privacy.inactivity_warning(
                    account.first_name,
                    effective.date(),
                    f"{rt.settings.link_base}/login",
                ),
            )
            await audit.record(
                PrivacyAction.INACTIVITY_WARNED,
                agency_id=client.agency_id,
                client_id=client.id,
                subject_account_id=account.id,
            )
        warned += 1
    if warned:
        rt.mailer.wake()
    return warned


async def purge_archives(now: datetime) -> int:
    """The legal archive of erased households, once its period is over."""
    due = await AccountDeletion.filter(
        status=DeletionStatus.DONE, archive_until__lt=now.date(), archive_purged_at=None
    ).limit(BATCH)
    for row in due:
        client_id = row.client_id
        async with in_transaction():
            await Payment.filter(client_id=client_id).delete()
            await BilledVisit.filter(invoice__client_id=client_id).delete()
            await InvoiceLine.filter(invoice__client_id=client_id).delete()
            await Invoice.filter(client_id=client_id, credited_invoice_id__not_isnull=True).delete()
            await Invoice.filter(client_id=client_id).delete()
            await TaxCertificate.filter(client_id=client_id).delete()
            await ArchivedDocument.filter(client_id=client_id).delete()
            await AccountDeletion.filter(id=row.id).update(archive_purged_at=now)
            await audit.record(
                PrivacyAction.ARCHIVE_PURGED, agency_id=row.agency_id, client_id=client_id
            )
    return len(due)
