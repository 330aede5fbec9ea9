"""Erasure (RGPD art. 17): asked for, confirmed from the mailbox, carried out after a grace
period during which signing in and cancelling stops it.

Then every registered domain erases or pseudonymises its part in one transaction; what
the law makes the agency keep (invoices, payments, tax certificates: ten years, Code de
commerce L123-22) stays, readable by ADMIN only, until the retention job purges it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from models.accounts.people import Account, Client
from models.accounts.security import OneTimeToken, Session
from models.enums import DeletionReason, DeletionStatus, PrivacyAction, Role, TokenPurpose
from models.events import Event
from models.privacy import AccountDeletion
from notifications import texts
from notifications.notify import email_now
from resolvers.accounts.sessions import account_changed, revoke_sessions
from resolvers.accounts.signup import consume_token
from resolvers.core import guards
from resolvers.core.errors import Forbidden, UserError, user_error
from resolvers.core.runtime import RequestMeta, Runtime, Viewer
from resolvers.privacy import audit
from resolvers.privacy.domains import billing as billing_domain
from resolvers.privacy.password_check import confirm_password
from resolvers.privacy.registry import Household, domains
from services.clock import utcnow
from services.tokens import digest, new_token
from subscriptions import events

CONFIRM_TTL = timedelta(hours=24)
OPEN = (DeletionStatus.AWAITING_CONFIRMATION, DeletionStatus.SCHEDULED)
# RGPD art. 12(3): a request is answered within one month.
ANSWER_WITHIN = timedelta(days=30)
STALE_CLAIM = timedelta(minutes=10)


@dataclass(frozen=True)
class DeletionResult:
    deletion: AccountDeletion | None
    user_errors: list[UserError]


def _day(moment: datetime, zone: str = "Europe/Paris") -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


async def _own_client(viewer: Viewer | None) -> tuple[Account, Client]:
    viewer = guards.signed_in(viewer)
    if viewer.role is not Role.CLIENT:
        raise Forbidden("Seul le foyer titulaire peut demander la suppression de son compte.")
    client = await Client.get_or_none(account_id=viewer.account_id)
    if client is None:
        raise Forbidden()
    return await Account.get(id=viewer.account_id), client


async def current(viewer: Viewer | None) -> AccountDeletion | None:
    account, _ = await _own_client(viewer)
    return (
        await AccountDeletion.filter(account_id=account.id, status__in=OPEN).order_by("-id").first()
    )


async def request_deletion(
    rt: Runtime, viewer: Viewer | None, password: str, meta: RequestMeta
) -> DeletionResult:
    account, client = await _own_client(viewer)
    if not await confirm_password(rt, account, password, meta):
        return DeletionResult(
            None, [user_error("password", "Mot de passe incorrect.", "INVALID_PASSWORD")]
        )
    if await AccountDeletion.filter(
        account_id=account.id, status=DeletionStatus.SCHEDULED
    ).exists():
        return DeletionResult(
            None, [user_error(None, "La suppression est déjà programmée.", "ALREADY_SCHEDULED")]
        )
    now = utcnow()
    token = new_token("del")
    async with in_transaction():
        await AccountDeletion.filter(
            account_id=account.id, status=DeletionStatus.AWAITING_CONFIRMATION
        ).update(status=DeletionStatus.CANCELLED, cancelled_at=now)
        deletion = await AccountDeletion.create(
            account_id=account.id,
            client_id=client.id,
            agency_id=client.agency_id,
            reason=DeletionReason.REQUESTED,
            status=DeletionStatus.AWAITING_CONFIRMATION,
            requested_at=now,
        )
        await OneTimeToken.create(
            account_id=account.id,
            purpose=TokenPurpose.CONFIRM_DELETION,
            token_hash=digest(token),
            created_at=now,
            expires_at=now + CONFIRM_TTL,
        )
        link = f"{rt.settings.link_base}/account-deletion#token={token}"
        await email_now(account.email, texts.privacy.deletion_confirm(account.first_name, link))
        await _audit(PrivacyAction.DELETION_REQUESTED, client, account.id)
    rt.mailer.wake()
    return DeletionResult(deletion, [])


async def _audit(action: PrivacyAction, client: Client, actor: int | None) -> None:
    await audit.record(
        action,
        agency_id=client.agency_id,
        client_id=client.id,
        subject_account_id=client.account_id,
        actor_account_id=actor,
    )


async def confirm_deletion(rt: Runtime, token: str) -> DeletionResult:
    """Following the e-mailed link proves the mailbox; the grace period starts."""
    invalid = DeletionResult(
        None, [user_error("token", "Lien invalide ou expiré.", "INVALID_TOKEN")]
    )
    if not token or len(token) > 200 or not token.startswith("del_"):
        return invalid
    now = utcnow()
    async with in_transaction():
        row = await consume_token(token, TokenPurpose.CONFIRM_DELETION)
        if row is None:
            return invalid
        deletion = (
            await AccountDeletion.filter(
                account_id=row.account_id, status=DeletionStatus.AWAITING_CONFIRMATION
            )
            .order_by("-id")
            .first()
        )
        if deletion is None:
            return invalid
        deletion.status = DeletionStatus.SCHEDULED
        deletion.effective_at = now + timedelta(days=rt.settings.deletion_grace_days)
        await deletion.save(update_fields=["status", "effective_at"])
        account = await Account.get(id=deletion.account_id)
        client = await Client.get(account_id=account.id)
        link = f"{rt.settings.link_base}/account-deletion"
        await email_now(
            account.email,
            texts.privacy.deletion_scheduled(account.first_name, _day(deletion.effective_at), link),
        )
        await _audit(PrivacyAction.DELETION_CONFIRMED, client, account.id)
    rt.mailer.wake()
    return DeletionResult(deletion, [])


async def cancel_deletion(rt: Runtime, viewer: Viewer | None) -> DeletionResult:
    account, client = await _own_client(viewer)
    now = utcnow()
    async with in_transaction():
        cancelled = await AccountDeletion.filter(
            account_id=account.id, status__in=OPEN, claimed_at=None
        ).update(status=DeletionStatus.CANCELLED, cancelled_at=now)
        if not cancelled:
            return DeletionResult(
                None, [user_error(None, "Aucune suppression en cours.", "NO_DELETION")]
            )
        await email_now(account.email, texts.privacy.deletion_cancelled(account.first_name))
        await _audit(PrivacyAction.DELETION_CANCELLED, client, account.id)
    rt.mailer.wake()
    return DeletionResult(
        await AccountDeletion.filter(account_id=account.id).order_by("-id").first(), []
    )


@dataclass(frozen=True)
class PendingDeletion:
    deletion: AccountDeletion
    client_number: str
    answer_by: datetime


async def pending(viewer: Viewer | None) -> list[PendingDeletion]:
    """Staff: the deletions under way in their agency, with the date the law sets."""
    viewer = guards.staff(viewer)
    rows = await AccountDeletion.filter(agency_id=viewer.agency_id, status__in=OPEN).order_by(
        "effective_at", "id"
    )
    numbers = dict(
        await Client.filter(id__in=[r.client_id for r in rows]).values_list("id", "client_number")
    )
    return [
        PendingDeletion(r, str(numbers.get(r.client_id, "")), r.requested_at + ANSWER_WITHIN)
        for r in rows
    ]


async def _claim_due(now: datetime) -> AccountDeletion | None:
    due = (
        await AccountDeletion.filter(
            status=DeletionStatus.SCHEDULED, effective_at__lte=now, claimed_at=None
        )
        .order_by("effective_at")
        .first()
    )
    if due is None:
        return None
    claimed = await AccountDeletion.filter(id=due.id, claimed_at=None).update(claimed_at=now)
    return due if claimed else None


async def erase_due(rt: Runtime) -> int:
    """Carries out the deletions whose grace period is over (claimed: once across processes)."""
    done = 0
    while (deletion := await _claim_due(utcnow())) is not None:
        await erase(rt, deletion)
        done += 1
    return done


async def erase(rt: Runtime, deletion: AccountDeletion) -> None:
    now = utcnow()
    client = await Client.get(account_id=deletion.account_id)
    household = Household(client.id, client.account_id, client.agency_id)
    sessions = await Session.filter(account_id=deletion.account_id, revoked_at=None).values_list(
        "id", flat=True
    )
    recorded: list[Event] = []
    async with in_transaction():
        await billing_domain.archive(household, now, rt.settings.legal_archive_years)
        for domain in domains():
            if domain.erase is not None:
                recorded += await domain.erase(household, now)
        deletion.status = DeletionStatus.DONE
        deletion.completed_at = now
        deletion.archive_until = now.date().replace(
            year=now.year + rt.settings.legal_archive_years, day=1
        )
        await deletion.save(update_fields=["status", "completed_at", "archive_until"])
        await _audit(PrivacyAction.ERASED, client, None)
    await revoke_sessions(rt, [int(s) for s in sessions])  # type: ignore[call-overload]
    await account_changed(rt, client.account_id)  # closed: no session of it is kept anywhere
    await events.publish(rt.bus, recorded)
