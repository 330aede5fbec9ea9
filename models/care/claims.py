"""Damage and incident claims a household reports on one of its visits.

Seed: "gestion des sinistres". Kept after closure for the civil limitation period
(see resolvers/care/claims.py RETENTION), then erased with the household's other data.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts.people import Account, Client
from models.enums import ClaimStatus
from models.visits.visits import Intervention


class Claim(Model):
    id = fields.IntField(primary_key=True)
    agency_id = fields.IntField()
    client: fields.ForeignKeyRelation[Client] = fields.ForeignKeyField(
        "models.Client", related_name="claims", on_delete=fields.CASCADE
    )
    client_id: int
    intervention: fields.ForeignKeyRelation[Intervention] = fields.ForeignKeyField(
        "models.Intervention", related_name="claims", on_delete=fields.RESTRICT
    )
    intervention_id: int
    worker_id = fields.IntField(null=True)
    status = fields.CharEnumField(ClaimStatus, max_length=14, default=ClaimStatus.REPORTED)
    description = fields.TextField()  # what happened, as the household wrote it
    location = fields.CharField(max_length=200)  # where in the home
    noticed_at = fields.DatetimeField()
    estimated_value_cents = fields.IntField(null=True)
    worker_account = fields.TextField(default="")  # the worker's version, written by staff
    insurer_reference = fields.CharField(max_length=60, default="")
    reimbursed_cents = fields.IntField(null=True)
    outcome_note = fields.CharField(max_length=500, default="")  # repair done, decline reason
    handled_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="handled_claims", null=True, on_delete=fields.SET_NULL
    )
    handled_by_id: int | None
    created_at = fields.DatetimeField()
    acknowledged_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "claim"
        indexes = (("agency_id", "status", "created_at"), ("client_id", "id"))


class ClaimAttachment(Model):
    """A photo or PDF of the damage, checked like message attachments."""

    id = fields.IntField(primary_key=True)
    claim: fields.ForeignKeyRelation[Claim] = fields.ForeignKeyField(
        "models.Claim", related_name="attachments", on_delete=fields.CASCADE
    )
    claim_id: int
    filename = fields.CharField(max_length=120)
    content_type = fields.CharField(max_length=40)
    size = fields.IntField()
    data = fields.BinaryField()

    class Meta:
        table = "claim_attachment"
