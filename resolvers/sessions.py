"""Signing in and out, the devices a user is signed in on, and who is asking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tortoise.transactions import in_transaction

from models.accounts import Account
from models.enums import AccountStatus, SecurityEventKind
from models.security import KnownDevice, LoginAttempt, SecurityEvent, Session
from resolvers import audit
from resolvers.errors import NotFound, RateLimited, Unauthenticated, UserError, user_error
from resolvers.runtime import RequestMeta, Runtime, Viewer
from services import emails, identity, mailer
from services.clock import utcnow
from services.devices import describe_device, network_of
from services.tokens import digest, keyed_digest, new_token
from subscriptions.bus import SESSIONS_CHANNEL

LAST_SEEN_RESOLUTION = timedelta(minutes=5)
MAX_PASSWORD_INPUT = 1024


@dataclass(frozen=True)
class LogInResult:
    token: str | None
    account: Account | None
    user_errors: list[UserError]


def _invalid() -> LogInResult:
    return LogInResult(
        None, None, [user_error(None, "E-mail ou mot de passe incorrect.", "INVALID_CREDENTIALS")]
    )


async def _check_throttle(rt: Runtime, email_key: str, address_key: str) -> None:
    settings = rt.settings
    window_start = utcnow() - timedelta(minutes=settings.login_window_minutes)
    per_email = await LoginAttempt.filter(email_key=email_key, created_at__gte=window_start)
    per_address = await LoginAttempt.filter(
        address_key=address_key, created_at__gte=window_start
    ).count()
    over_email = len(per_email) >= settings.login_max_failures_per_account
    if over_email or per_address >= settings.login_max_failures_per_address:
        oldest = min((row.created_at for row in per_email), default=utcnow())
        retry = oldest + timedelta(minutes=settings.login_window_minutes) - utcnow()
        raise RateLimited(max(1, int(retry.total_seconds())))


async def log_in(rt: Runtime, email: str, password: str, meta: RequestMeta) -> LogInResult:
    settings = rt.settings
    typed = email.strip().lower()[:254]
    email_key = keyed_digest(settings.secret_key, "email:" + typed)
    address_key = keyed_digest(settings.secret_key, "addr:" + meta.address)
    await _check_throttle(rt, email_key, address_key)
    normalized = identity.normalize_email(email) or typed
    account = await Account.get_or_none(email=normalized)
    # An unknown e-mail still pays for a full hash: same answer, same time.
    ok = await rt.passwords.verify(
        account.password_hash if account else None, password[:MAX_PASSWORD_INPUT]
    )
    if not ok or account is None or account.status is not AccountStatus.ACTIVE:
        await _record_failure(rt, account, email_key, address_key, meta)
        return _invalid()

    now = utcnow()
    token = new_token("pas")
    device_label = describe_device(meta.user_agent)
    network = network_of(meta.address)
    device_key = keyed_digest(settings.secret_key, f"device:{device_label}|{network}")
    async with in_transaction():
        if rt.passwords.needs_rehash(account.password_hash):
            account.password_hash = await rt.passwords.hash(password)
            await account.save(update_fields=["password_hash"])
        await Session.create(
            account=account,
            token_hash=digest(token),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(days=settings.session_absolute_days),
            device=device_label,
            network=network,
        )
        await LoginAttempt.filter(email_key=email_key).delete()
        await audit.record(SecurityEventKind.LOGIN_SUCCEEDED, account.id, meta)
        known: list[str] = await KnownDevice.filter(account=account).values_list(  # type: ignore[assignment]
            "device_key", flat=True
        )
        if device_key not in known:
            await KnownDevice.create(
                account=account, device_key=device_key, first_seen_at=now, last_seen_at=now
            )
            if known:  # the very first device is the one the account was made on
                await audit.record(SecurityEventKind.NEW_DEVICE_SIGN_IN, account.id, meta)
                subject, body = emails.new_device(
                    account.first_name,
                    device_label,
                    network,
                    now.strftime("%d/%m/%Y à %H:%M UTC"),
                )
                await mailer.enqueue("new_device", account.email, subject, body)
        else:
            await KnownDevice.filter(account=account, device_key=device_key).update(
                last_seen_at=now
            )
    rt.mailer.wake()
    return LogInResult(token, account, [])


async def _record_failure(
    rt: Runtime, account: Account | None, email_key: str, address_key: str, meta: RequestMeta
) -> None:
    now = utcnow()
    async with in_transaction():
        await LoginAttempt.create(email_key=email_key, address_key=address_key, created_at=now)
        if account is None:
            return
        await audit.record(SecurityEventKind.LOGIN_FAILED, account.id, meta)
        window_start = now - timedelta(minutes=rt.settings.login_window_minutes)
        failures = await LoginAttempt.filter(
            email_key=email_key, created_at__gte=window_start
        ).count()
        if failures == rt.settings.login_max_failures_per_account:
            await audit.record(SecurityEventKind.FAILED_LOGIN_BURST, account.id, meta)
            subject, body = emails.failed_login_burst(account.first_name, failures)
            await mailer.enqueue("failed_login_burst", account.email, subject, body)
    rt.mailer.wake()


async def viewer_from_token(rt: Runtime, authorization: str | None) -> Viewer | None:
    """The signed-in viewer for an `Authorization: Bearer` value, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        raise Unauthenticated("Jeton invalide ou expiré.")
    session = await Session.get_or_none(token_hash=digest(token.strip())).select_related("account")
    now = utcnow()
    idle_limit = timedelta(minutes=rt.settings.session_idle_minutes)
    if (
        session is None
        or session.revoked_at is not None
        or session.expires_at <= now
        or session.last_seen_at + idle_limit <= now
        or session.account.status is not AccountStatus.ACTIVE
    ):
        raise Unauthenticated("Jeton invalide ou expiré.")
    if now - session.last_seen_at > LAST_SEEN_RESOLUTION:
        await Session.filter(id=session.id).update(last_seen_at=now)
    account = session.account
    return Viewer(
        account_id=account.id,
        session_id=session.id,
        role=account.role,
        agency_id=account.agency_id,  # type: ignore[attr-defined]
        email_verified=account.email_verified_at is not None,
    )


async def session_is_live(rt: Runtime, session_id: int) -> bool:
    now = utcnow()
    idle_limit = timedelta(minutes=rt.settings.session_idle_minutes)
    return await Session.filter(
        id=session_id, revoked_at=None, expires_at__gt=now, last_seen_at__gt=now - idle_limit
    ).exists()


async def revoke_sessions(rt: Runtime, session_ids: list[int]) -> None:
    """Ends sessions everywhere: rows first, then every process closes their websockets."""
    if not session_ids:
        return
    await Session.filter(id__in=session_ids, revoked_at=None).update(revoked_at=utcnow())
    for session_id in session_ids:
        await rt.bus.publish(SESSIONS_CHANNEL, str(session_id))


async def log_out(rt: Runtime, viewer: Viewer | None, meta: RequestMeta) -> bool:
    if viewer is None:
        return False
    await revoke_sessions(rt, [viewer.session_id])
    await audit.record(SecurityEventKind.LOGGED_OUT, viewer.account_id, meta)
    return True


async def list_sessions(viewer: Viewer) -> list[Session]:
    return (
        await Session.filter(account_id=viewer.account_id, revoked_at=None, expires_at__gt=utcnow())
        .order_by("-last_seen_at")
        .limit(100)
    )


async def revoke_session(rt: Runtime, viewer: Viewer, session_id: int, meta: RequestMeta) -> None:
    owned = await Session.filter(
        id=session_id, account_id=viewer.account_id, revoked_at=None
    ).exists()
    if not owned:
        raise NotFound("Session introuvable.")
    await revoke_sessions(rt, [session_id])
    await audit.record(SecurityEventKind.SESSION_REVOKED, viewer.account_id, meta)


async def security_events(viewer: Viewer, limit: int, before_id: int | None) -> list[SecurityEvent]:
    query = SecurityEvent.filter(account_id=viewer.account_id)
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    return await query.order_by("-id").limit(limit)
