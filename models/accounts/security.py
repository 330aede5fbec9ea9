"""Sessions, one-time tokens, sign-in history and the security audit log.

Secrets are never stored: tokens are kept as SHA-256 digests, client addresses
as keyed digests (throttling) or truncated networks (what the user is shown).
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts.people import Account
from models.enums import SecurityEventKind, TokenPurpose


class Session(Model):
    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="sessions", on_delete=fields.CASCADE
    )
    account_id: int
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    device = fields.CharField(max_length=120, default="")
    network = fields.CharField(max_length=64, default="")

    class Meta:
        table = "session"
        indexes = (("account_id", "revoked_at"),)


class OneTimeToken(Model):
    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="one_time_tokens", on_delete=fields.CASCADE
    )
    account_id: int
    purpose = fields.CharEnumField(TokenPurpose, max_length=20)
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "one_time_token"
        indexes = (("account_id", "purpose", "created_at"),)


class LoginAttempt(Model):
    """A failed sign-in, counted across processes to throttle guessing.

    Keyed by digests of the e-mail typed and of the address, so an unknown e-mail
    is throttled exactly like a known one and nothing here names anybody.
    """

    id = fields.IntField(primary_key=True)
    email_key = fields.CharField(max_length=64)
    address_key = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()

    class Meta:
        table = "login_attempt"
        indexes = (("email_key", "created_at"), ("address_key", "created_at"))


class KnownDevice(Model):
    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="known_devices", on_delete=fields.CASCADE
    )
    account_id: int
    device_key = fields.CharField(max_length=64)
    first_seen_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()

    class Meta:
        table = "known_device"
        unique_together = (("account", "device_key"),)


class SecurityEvent(Model):
    """Audit log, and what a user sees in `securityEvents`. No raw address or e-mail."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="security_events", null=True, on_delete=fields.CASCADE
    )
    account_id: int | None
    kind = fields.CharEnumField(SecurityEventKind, max_length=32)
    created_at = fields.DatetimeField(db_index=True)
    device = fields.CharField(max_length=120, default="")
    network = fields.CharField(max_length=64, default="")

    class Meta:
        table = "security_event"
        indexes = (("account_id", "created_at"),)
