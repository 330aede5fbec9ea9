"""Partner applications and their API keys (issue 18).

An application is an agency's integration (accounting, payroll, a booking site); it
signs in with API keys, never as a person. A key's secret is shown once and kept as
a SHA-256 digest only, like session tokens.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.accounts.people import Account, Agency


class PartnerScope(StrEnum):
    """What a key may do; the names partners write in their configuration."""

    VISITS_READ = "visits:read"
    INVOICES_READ = "invoices:read"
    HOUSEHOLDS_READ = "households:read"
    REQUESTS_READ = "requests:read"
    REQUESTS_WRITE = "requests:write"
    WEBHOOKS_WRITE = "webhooks:write"


class PartnerApplication(Model):
    id = fields.IntField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="partner_applications", on_delete=fields.CASCADE
    )
    agency_id: int
    name = fields.CharField(max_length=100)
    description = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField()
    # The ADMIN who registered it.
    created_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account",
        related_name="registered_partner_applications",
        null=True,
        on_delete=fields.SET_NULL,
    )
    created_by_id: int | None
    disabled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "partner_application"
        unique_together = (("agency", "name"),)


class PartnerApiKey(Model):
    """One of an application's keys: several live at once while a partner rotates."""

    id = fields.IntField(primary_key=True)
    application: fields.ForeignKeyRelation[PartnerApplication] = fields.ForeignKeyField(
        "models.PartnerApplication", related_name="api_keys", on_delete=fields.CASCADE
    )
    application_id: int
    label = fields.CharField(max_length=100, default="")
    secret_hash = fields.CharField(max_length=64, unique=True)
    # The first characters of the secret, so an ADMIN can tell keys apart.
    hint = fields.CharField(max_length=24)
    # PartnerScope values, comma-separated, sorted.
    scopes = fields.CharField(max_length=200)
    created_at = fields.DatetimeField()
    created_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="issued_partner_keys", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)
    last_used_network = fields.CharField(max_length=64, default="")

    class Meta:
        table = "partner_api_key"
        indexes = (("application_id", "revoked_at"),)
