"""Signing in and out, the devices a user is signed in on, and who is asking."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from tortoise.transactions import in_transaction

from models.accounts.people import Account
from models.accounts.security import KnownDevice, LoginAttempt, SecurityEvent, Session
from models.enums import AccountStatus, SecurityEventKind
from notifications import texts
from notifications.notify import email_now
from resolvers.accounts import audit
from resolvers.core.errors import NotFound, RateLimited, Unauthenticated, UserError, user_error
from resolvers.core.prepared import PreparedRows
from resolvers.core.runtime import RequestMeta, Runtime, Viewer
from resolvers.partners import keys as partner_keys
from services import identity
from services.clock import utcnow
from services.devices import describe_device, network_of
from services.tokens import digest, keyed_digest, new_token
from subscriptions.bus import ACCOUNTS_CHANNEL, SESSIONS_CHANNEL

log = logging.getLogger("passage.sessions")
LAST_SEEN_RESOLUTION = timedelta(minutes=5)
# What every request reads of its session: one prepared statement (resolvers/core/prepared.py).
_SESSION_ROWS = PreparedRows(
    Session,
    (
        "id",
        "revoked_at",
        "expires_at",
        "last_seen_at",
        "account_id",
        "account__role",
        "account__status",
        "account__agency_id",
        "account__email_verified_at",
        "account__client__id",
        "account__worker__id",
    ),
)
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


def _retry_after(failures: list[datetime], limit: int, window: timedelta, now: datetime) -> int:
    """Seconds until fewer than `limit` of these failures are left in the window."""
    freeing = sorted(failures)[len(failures) - limit]
    return max(1, math.ceil((freeing + window - now).total_seconds()))


def throttle_keys(rt: Runtime, normalized_email: str, meta: RequestMeta) -> tuple[str, str]:
    """Keys failures are counted by: the e-mail as accounts are looked up by it, so
    every spelling of one address ("a@EXAMPLE.com", full-width letters...) shares one."""
    return (
        keyed_digest(rt.settings.secret_key, "email:" + normalized_email),
        keyed_digest(rt.settings.secret_key, "addr:" + meta.address),
    )


async def check_throttle(
    rt: Runtime,
    email_key: str,
    address_key: str,
    *,
    per_email: int | None = None,
    per_address: int | None = None,
) -> None:
    """Raises RateLimited while too many recent attempts share either key (by default,
    the limits of failed sign-ins)."""
    settings = rt.settings
    now = utcnow()
    window = timedelta(minutes=settings.login_window_minutes)
    limits = (
        (
            LoginAttempt.filter(email_key=email_key),
            per_email or settings.login_max_failures_per_account,
        ),
        (
            LoginAttempt.filter(address_key=address_key),
            per_address or settings.login_max_failures_per_address,
        ),
    )
    waits = []
    for attempts, limit in limits:
        failures = cast(
            list[datetime],
            await attempts.filter(created_at__gte=now - window).values_list(
                "created_at", flat=True
            ),
        )
        if len(failures) >= limit:
            waits.append(_retry_after(failures, limit, window, now))
    if waits:
        raise RateLimited(max(waits))


async def log_in(rt: Runtime, email: str, password: str, meta: RequestMeta) -> LogInResult:
    settings = rt.settings
    normalized = identity.normalize_email(email) or email.strip().lower()[:254]
    email_key, address_key = throttle_keys(rt, normalized, meta)
    await check_throttle(rt, email_key, address_key)
    account = await Account.get_or_none(email=normalized)
    # An unknown e-mail still pays for a full hash: same answer, same time.
    ok = await rt.passwords.verify(
        account.password_hash if account else None, password[:MAX_PASSWORD_INPUT]
    )
    if not ok or account is None or account.status is not AccountStatus.ACTIVE:
        await record_failure(rt, account, email_key, address_key, meta)
        return _invalid()

    now = utcnow()
    token = new_token("pas")
    device_label = describe_device(meta.user_agent)
    network = network_of(meta.address)
    device_key = keyed_digest(settings.secret_key, f"device:{device_label}|{network}")
    # Hash before the transaction: on SQLite an open transaction blocks every query.
    rehashed = (
        await rt.passwords.hash(password)
        if rt.passwords.needs_rehash(account.password_hash)
        else None
    )
    async with in_transaction():
        if rehashed is not None:
            account.password_hash = rehashed
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
                await email_now(
                    account.email,
                    texts.accounts.new_device(account.first_name, device_label, network, now),
                )
        else:
            await KnownDevice.filter(account=account, device_key=device_key).update(
                last_seen_at=now
            )
    rt.mailer.wake()
    return LogInResult(token, account, [])


async def record_failure(
    rt: Runtime, account: Account | None, email_key: str, address_key: str, meta: RequestMeta
) -> None:
    """Counts a wrong password (at sign-in or when changing it); warns at the limit."""
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
            await email_now(
                account.email, texts.accounts.failed_login_burst(account.first_name, failures)
            )
    rt.mailer.wake()


# The key under which a session's row read by its token keeps the viewer made from it.
_VIEWER = "viewer"


async def viewer_from_token(
    rt: Runtime, authorization: str | None, meta: RequestMeta | None = None
) -> Viewer | None:
    """The viewer for an `Authorization: Bearer` value (a session token or a partner
    application's API key), or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        raise Unauthenticated("Jeton invalide ou expiré.")
    if partner_keys.is_key(token.strip()):
        return await partner_keys.viewer_from_key(rt, token.strip(), meta)
    token_hash = digest(token.strip())
    session = await rt.sessions.read(  # services/session_cache.py
        token_hash,
        lambda: _SESSION_ROWS.fetch(
            "by-token",
            lambda v: Session.filter(token_hash=v["token_hash"]),
            {"token_hash": token_hash},
        ),
    )
    now = utcnow()
    idle_limit = timedelta(minutes=rt.settings.session_idle_minutes)
    if (
        session is None
        or session["revoked_at"] is not None
        or session["expires_at"] <= now
        or session["last_seen_at"] + idle_limit <= now
        or session["account__status"] is not AccountStatus.ACTIVE
    ):
        raise Unauthenticated("Jeton invalide ou expiré.")
    if now - session["last_seen_at"] > LAST_SEEN_RESOLUTION:
        await Session.filter(id=session["id"]).update(last_seen_at=now)
        session["last_seen_at"] = now  # the cached row too
    viewer: Viewer | None = session.get(_VIEWER)
    if viewer is None:  # made once per row read: kept with it (a frozen value)
        viewer = session[_VIEWER] = Viewer(
            account_id=session["account_id"],
            session_id=session["id"],
            role=session["account__role"],
            agency_id=session["account__agency_id"],
            email_verified=session["account__email_verified_at"] is not None,
            client_id=session["account__client__id"],
            worker_id=session["account__worker__id"],
        )
    return viewer


async def session_is_live(rt: Runtime, session_id: int) -> bool:
    return bool(await live_sessions(rt, [session_id]))


SWEEP_BATCH = 500


async def live_sessions(rt: Runtime, session_ids: Sequence[int]) -> set[int]:
    """The sessions among `session_ids` still live: a statement per 500, so a sweep over
    thousands of open sockets never holds the database for one statement each."""
    now = utcnow()
    idle_limit = timedelta(minutes=rt.settings.session_idle_minutes)
    live: set[int] = set()
    for start in range(0, len(session_ids), SWEEP_BATCH):
        found = await Session.filter(
            id__in=list(session_ids[start : start + SWEEP_BATCH]),
            revoked_at=None,
            expires_at__gt=now,
            last_seen_at__gt=now - idle_limit,
        ).values_list("id", flat=True)
        live.update(int(pk) for pk in found)  # type: ignore[call-overload]
    return live


async def revoke_sessions(rt: Runtime, session_ids: list[int]) -> None:
    """Ends sessions everywhere: rows first, then every process closes their websockets."""
    if not session_ids:
        return
    await Session.filter(id__in=session_ids, revoked_at=None).update(revoked_at=utcnow())
    rt.sessions.forget(session_ids)  # here at once; other processes by the bus
    try:
        for session_id in session_ids:
            await rt.bus.publish(SESSIONS_CHANNEL, str(session_id))
    except Exception:
        # The rows are revoked: tokens already fail, and each process's session sweep
        # closes the sockets within SESSION_SWEEP_SECONDS.
        log.warning("bus unreachable: %d revoked session(s) left to the sweep", len(session_ids))


async def account_changed(rt: Runtime, account_id: int) -> None:
    """What a viewer carries about its account changed (e-mail verified, status): every
    process forgets the sessions it holds for it."""
    rt.sessions.forget_accounts([account_id])
    try:
        await rt.bus.publish(ACCOUNTS_CHANNEL, str(account_id))
    except Exception:
        log.warning("bus unreachable: other processes see account %d's change later", account_id)


def follow_changes(rt: Runtime) -> None:
    """Keeps this process's session cache true to revocations and account changes made
    in any process; forgets it whole when the bus may have lost messages."""

    async def on_revoked(message: str) -> None:
        if message.isdigit():  # a session
            rt.sessions.forget([int(message)])
        elif message.startswith("-") and message[1:].isdigit():  # a partner key
            rt.keys.forget([int(message[1:])])

    async def on_account(message: str) -> None:
        if message.isdigit():
            rt.sessions.forget_accounts([int(message)])

    def forget_all() -> None:
        rt.sessions.clear()
        rt.keys.clear()

    if rt.sessions.enabled:
        rt.bus.listen(SESSIONS_CHANNEL, on_revoked, on_gap=forget_all)
        rt.bus.listen(ACCOUNTS_CHANNEL, on_account, on_gap=forget_all)


async def log_out(rt: Runtime, viewer: Viewer | None, meta: RequestMeta) -> bool:
    if viewer is None:
        return False
    await revoke_sessions(rt, [viewer.session_id])
    await audit.record(SecurityEventKind.LOGGED_OUT, viewer.account_id, meta)
    return True


async def list_sessions(rt: Runtime, viewer: Viewer) -> list[Session]:
    """Live sessions only: one idle past the limit is signed out, so not shown."""
    now = utcnow()
    idle_limit = timedelta(minutes=rt.settings.session_idle_minutes)
    return (
        await Session.filter(
            account_id=viewer.account_id,
            revoked_at=None,
            expires_at__gt=now,
            last_seen_at__gt=now - idle_limit,
        )
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
