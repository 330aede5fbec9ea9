"""Changing, resetting and ageing passwords.

The seed recommends a change every six months: Passage says so once by e-mail
and on `me`, and never locks anyone out for it.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from models.accounts.people import Account
from models.accounts.security import OneTimeToken, Session
from models.enums import AccountStatus, SecurityEventKind, TokenPurpose
from notifications import texts
from notifications.notify import email_now
from resolvers.accounts import audit
from resolvers.accounts.sessions import (
    MAX_PASSWORD_INPUT,
    check_throttle,
    record_failure,
    revoke_sessions,
    throttle_keys,
)
from resolvers.accounts.signup import consume_token, issue_token
from resolvers.core.errors import UserError, user_error
from resolvers.core.runtime import RequestMeta, Runtime, Viewer
from services import identity
from services.clock import utcnow
from services.passwords import RECOMMENDED_CHANGE_DAYS, check_policy
from services.tokens import digest

RESET_TTL = timedelta(hours=1)
# Longer than the work for a known address, so both answers take the same time.
RESET_ANSWER_FLOOR = 0.2


def password_age_days(account: Account) -> int:
    return age_days(account.password_changed_at)


def age_days(changed_at: datetime) -> int:
    """Whole days since a password was set, as of now."""
    return max(0, (utcnow() - changed_at).days)


def _policy_errors(field: str, password: str, account: Account) -> list[UserError]:
    personal = (account.first_name, account.last_name)
    return [
        user_error(field, problem.message, problem.code)
        for problem in check_policy(password, personal=personal, email=account.email)
    ]


async def _set_password(account: Account, password_hash: str) -> None:
    """Call in a transaction, with the hash made before it (an open one blocks SQLite)."""
    now = utcnow()
    account.password_hash = password_hash
    account.password_changed_at = now
    account.password_age_notified_at = None
    await account.save(
        update_fields=["password_hash", "password_changed_at", "password_age_notified_at"]
    )
    # Reset links still in the mailbox must not undo the password just chosen.
    await OneTimeToken.filter(
        account_id=account.id, purpose=TokenPurpose.RESET_PASSWORD, used_at=None
    ).update(used_at=now)


async def change_password(
    rt: Runtime, viewer: Viewer, current: str, new: str, meta: RequestMeta
) -> list[UserError]:
    account = await Account.get(id=viewer.account_id)
    # Counted with sign-in failures: a stolen session must not be a free password oracle.
    email_key, address_key = throttle_keys(rt, account.email, meta)
    await check_throttle(rt, email_key, address_key)
    if not await rt.passwords.verify(account.password_hash, current[:MAX_PASSWORD_INPUT]):
        await record_failure(rt, account, email_key, address_key, meta)
        return [user_error("currentPassword", "Mot de passe actuel incorrect.", "INVALID_PASSWORD")]
    errors = _policy_errors("newPassword", new, account)
    if current == new:
        errors.append(
            user_error("newPassword", "Choisissez un mot de passe différent.", "PASSWORD_REUSED")
        )
    if errors:
        return errors
    password_hash = await rt.passwords.hash(new)
    async with in_transaction():
        await _set_password(account, password_hash)
        others = (
            await Session.filter(account_id=account.id, revoked_at=None)
            .exclude(id=viewer.session_id)
            .values_list("id", flat=True)
        )
        await audit.record(SecurityEventKind.PASSWORD_CHANGED, account.id, meta)
        await email_now(account.email, texts.accounts.password_changed(account.first_name))
    await revoke_sessions(rt, list(others))  # type: ignore[arg-type]
    rt.mailer.wake()
    return []


async def request_password_reset(rt: Runtime, email: str, meta: RequestMeta) -> None:
    """Same answer whatever the address, in the same time; a few e-mails an hour per account.

    A known address costs a few more statements than an unknown one, so every answer
    waits until RESET_ANSWER_FLOOR has passed: the timing says nothing either.
    """
    started = asyncio.get_running_loop().time()
    try:
        await _request_password_reset(rt, email, meta)
    finally:
        elapsed = asyncio.get_running_loop().time() - started
        await asyncio.sleep(max(0.0, RESET_ANSWER_FLOOR - elapsed))


async def _request_password_reset(rt: Runtime, email: str, meta: RequestMeta) -> None:
    normalized = identity.normalize_email(email)
    account = await Account.get_or_none(email=normalized) if normalized else None
    if account is None or account.status is not AccountStatus.ACTIVE:
        return
    recent = await OneTimeToken.filter(
        account_id=account.id,
        purpose=TokenPurpose.RESET_PASSWORD,
        created_at__gte=utcnow() - timedelta(hours=1),
    ).count()
    if recent >= rt.settings.reset_requests_per_hour:
        return
    async with in_transaction():
        token = await issue_token(account, TokenPurpose.RESET_PASSWORD, RESET_TTL)
        link = f"{rt.settings.link_base}/reset-password#token={token}"
        await email_now(account.email, texts.accounts.password_reset(account.first_name, link))
        await audit.record(SecurityEventKind.PASSWORD_RESET_REQUESTED, account.id, meta)
    rt.mailer.wake()


async def reset_password(rt: Runtime, token: str, new: str, meta: RequestMeta) -> list[UserError]:
    invalid = [user_error("token", "Lien invalide ou expiré.", "INVALID_TOKEN")]
    row = (
        await OneTimeToken.get_or_none(
            token_hash=digest(token), purpose=TokenPurpose.RESET_PASSWORD
        )
        if token and len(token) <= 200
        else None
    )
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return invalid
    account = await Account.get(id=row.account_id)
    errors = _policy_errors("newPassword", new, account)
    if errors:
        return errors  # the token stays usable so the user can try another password
    password_hash = await rt.passwords.hash(new)
    async with in_transaction():
        if await consume_token(token, TokenPurpose.RESET_PASSWORD) is None:
            return invalid
        await _set_password(account, password_hash)
        if account.email_verified_at is None:
            # Following the link proved the address is theirs.
            account.email_verified_at = utcnow()
            await account.save(update_fields=["email_verified_at"])
        sessions = await Session.filter(account_id=account.id, revoked_at=None).values_list(
            "id", flat=True
        )
        await audit.record(SecurityEventKind.PASSWORD_RESET, account.id, meta)
        await email_now(account.email, texts.accounts.password_changed(account.first_name))
    await revoke_sessions(rt, list(sessions))  # type: ignore[arg-type]
    rt.mailer.wake()
    return []


async def notify_aged_passwords(rt: Runtime) -> int:
    """E-mails, once per password, everyone whose password passed the recommended age.

    The compare-and-set on `password_age_notified_at` makes it safe to run in
    every process at once.
    """
    threshold = utcnow() - timedelta(days=RECOMMENDED_CHANGE_DAYS)
    candidates = await Account.filter(
        password_changed_at__lte=threshold,
        password_age_notified_at=None,
        status=AccountStatus.ACTIVE,
    ).limit(200)
    sent = 0
    for account in candidates:
        async with in_transaction():
            claimed = await Account.filter(id=account.id, password_age_notified_at=None).update(
                password_age_notified_at=utcnow()
            )
            if not claimed:
                continue
            await email_now(
                account.email,
                texts.accounts.password_age(account.first_name, password_age_days(account)),
            )
            await audit.record(SecurityEventKind.PASSWORD_AGE_NOTICE, account.id)
            sent += 1
    if sent:
        rt.mailer.wake()
    return sent
