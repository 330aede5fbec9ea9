"""API keys of partner applications: issued by an ADMIN, shown once, stored hashed.

A key signs in as its application, inside its agency: `viewer_from_key` makes the
Viewer every resolver receives, and schema/partners/access.py lets through only the
root fields its scopes name.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models.enums import Role, SecurityEventKind
from models.partners import PartnerApiKey, PartnerApplication, PartnerScope
from resolvers.accounts import audit
from resolvers.core import guards
from resolvers.core.errors import Unauthenticated, UserError, user_error
from resolvers.core.prepared import PreparedRows
from resolvers.core.runtime import RequestMeta, Runtime, Viewer
from resolvers.partners import applications, scopes
from services import identity
from services.clock import utcnow
from services.devices import network_of
from services.tokens import digest, new_token
from subscriptions.bus import SESSIONS_CHANNEL

log = logging.getLogger("passage.partners")

# Secret scanners (GitHub's among them) match on a fixed prefix.
PREFIX = "psk_live"
HINT_LENGTH = len(PREFIX) + 5  # "psk_live_" and four characters of the secret
LABEL_LENGTH = 100
# Live keys per application: enough to rotate, few enough to keep track of.
MAX_LIVE_KEYS = 5
SHORTEST_LIFE = timedelta(hours=1)
# `lastUsedAt` is written at most this often per key, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
NOT_VALID = "Jeton invalide ou expiré."


@dataclass(frozen=True)
class IssueData:
    application_id: int
    scopes: Sequence[PartnerScope]
    expires_at: datetime | None
    label: str


@dataclass(frozen=True)
class KeyResult:
    key: PartnerApiKey | None
    user_errors: list[UserError]
    # The secret, on the issuing answer only: nowhere else, ever.
    secret: str | None = None


def _failed(field: str | None, message: str, code: str) -> KeyResult:
    return KeyResult(None, [user_error(field, message, code)])


def is_key(token: str) -> bool:
    return token.startswith(PREFIX + "_")


def _check(data: IssueData, max_days: int) -> tuple[str, datetime, list[UserError]]:
    errors = []
    label = identity.clean_text(data.label, LABEL_LENGTH) if data.label.strip() else ""
    if label is None:
        errors.append(user_error("label", f"{LABEL_LENGTH} caractères au plus.", "INVALID"))
    if not data.scopes:
        errors.append(user_error("scopes", "Au moins une portée.", "REQUIRED"))
    if len(data.scopes) > len(PartnerScope):
        errors.append(user_error("scopes", "Portées en double.", "INVALID"))
    now = utcnow()
    longest = now + timedelta(days=max_days)
    expires_at = data.expires_at or longest
    if expires_at.tzinfo is None:
        errors.append(user_error("expiresAt", "Indiquez le fuseau horaire.", "INVALID"))
    elif not now + SHORTEST_LIFE <= expires_at <= longest:
        errors.append(
            user_error(
                "expiresAt",
                f"Entre une heure et {max_days} jours à partir de maintenant.",
                "OUT_OF_RANGE",
            )
        )
    return label or "", expires_at, errors


async def issue(
    rt: Runtime, viewer: Viewer | None, data: IssueData, meta: RequestMeta
) -> KeyResult:
    admin = guards.admin(viewer)
    application = await applications.visible(admin, data.application_id)
    if application is None:
        return _failed("applicationId", "Application introuvable.", "NOT_FOUND")
    if application.disabled_at is not None:
        return _failed("applicationId", "Cette application est désactivée.", "DISABLED")
    label, expires_at, errors = _check(data, rt.settings.partner_key_max_days)
    if errors:
        return KeyResult(None, errors)
    secret = new_token(PREFIX)
    now = utcnow()
    async with in_transaction():
        # The application row is locked so two issues at once cannot pass the limit.
        await PartnerApplication.filter(id=application.id).select_for_update().first()
        live = await PartnerApiKey.filter(
            application_id=application.id, revoked_at=None, expires_at__gt=now
        ).count()
        if live >= MAX_LIVE_KEYS:
            return _failed(
                "applicationId",
                f"{MAX_LIVE_KEYS} clés valides au plus : révoquez-en une d'abord.",
                "TOO_MANY",
            )
        key = await PartnerApiKey.create(
            application_id=application.id,
            label=label,
            secret_hash=digest(secret),
            hint=secret[:HINT_LENGTH],
            scopes=scopes.encode(data.scopes),
            created_at=now,
            created_by_id=admin.account_id,
            expires_at=expires_at,
        )
        await audit.record(SecurityEventKind.PARTNER_KEY_ISSUED, admin.account_id, meta)
    return KeyResult(key, [], secret)


async def revoke(rt: Runtime, viewer: Viewer | None, key_id: int, meta: RequestMeta) -> KeyResult:
    admin = guards.admin(viewer)
    key = await PartnerApiKey.get_or_none(id=key_id, application__agency_id=admin.agency_id)
    if key is None:
        return _failed("keyId", "Clé introuvable.", "NOT_FOUND")
    if key.revoked_at is None:
        async with in_transaction():
            key.revoked_at = utcnow()
            await key.save(update_fields=["revoked_at"])
            await audit.record(SecurityEventKind.PARTNER_KEY_REVOKED, admin.account_id, meta)
        rt.keys.forget([key.id])  # here at once; other processes by the bus
        try:
            # Every process closes the key's websockets (negative id: a key, not a session).
            await rt.bus.publish(SESSIONS_CHANNEL, str(-key.id))
        except Exception:
            log.warning("bus unreachable: a revoked key's sockets are left to the sweep")
    return KeyResult(key, [])


async def of_application(viewer: Viewer | None, application_id: int) -> list[PartnerApiKey]:
    """Every key of the application, newest first, revoked and expired ones too (ADMIN)."""
    admin = guards.admin(viewer)
    return (
        await PartnerApiKey.filter(
            application_id=application_id, application__agency_id=admin.agency_id
        )
        .order_by("-id")
        .limit(100)
    )


_KEY_COLUMNS = (
    "id",
    "scopes",
    "expires_at",
    "revoked_at",
    "last_used_at",
    "last_used_network",
    "application_id",
    "application__agency_id",
    "application__disabled_at",
)
# Read on every request of a partner: the SQL written once (resolvers/core/prepared.py).
_KEY_ROWS = PreparedRows(PartnerApiKey, _KEY_COLUMNS)


async def viewer_from_key(rt: Runtime, secret: str, meta: RequestMeta | None) -> Viewer:
    """The application a key signs in as; raises Unauthenticated for any key not live.
    The row is kept for SESSION_CACHE_SECONDS as a session's is (services/session_cache.py)."""
    secret_hash = digest(secret)
    row = await rt.keys.read(
        secret_hash,
        lambda: _KEY_ROWS.fetch(
            "by-secret",
            lambda v: PartnerApiKey.filter(secret_hash=v["secret_hash"]),
            {"secret_hash": secret_hash},
        ),
    )
    now = utcnow()
    if (
        row is None
        or row["revoked_at"] is not None
        or row["expires_at"] <= now
        or row["application__disabled_at"] is not None
    ):
        raise Unauthenticated(NOT_VALID)
    network = network_of(meta.address) if meta else row["last_used_network"]
    last_used = row["last_used_at"]
    if last_used is None or now - last_used >= LAST_USED_RESOLUTION:
        # Conditional, so processes serving the same key at once write it once.
        await PartnerApiKey.filter(
            Q(last_used_at=None) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION),
            id=row["id"],
        ).update(last_used_at=now, last_used_network=network)
        row["last_used_at"] = now  # the cached row too
    return Viewer(
        account_id=0,
        session_id=0,
        role=Role.ADVISOR,
        agency_id=row["application__agency_id"],
        email_verified=True,
        api_key_id=row["id"],
        application_id=row["application_id"],
        scopes=scopes.decode(row["scopes"]),
    )


async def live_keys(key_ids: Sequence[int]) -> set[int]:
    """The keys among `key_ids` still live (for the sweep of open websockets), 500 a
    statement."""
    now = utcnow()
    live: set[int] = set()
    for start in range(0, len(key_ids), 500):
        found = await PartnerApiKey.filter(
            id__in=list(key_ids[start : start + 500]),
            revoked_at=None,
            expires_at__gt=now,
            application__disabled_at=None,
        ).values_list("id", flat=True)
        live.update(int(pk) for pk in found)  # type: ignore[call-overload]
    return live
