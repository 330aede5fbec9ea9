"""Personal data rights (RGPD art. 15-20): e-mail changes, exports, deletions, their audit.

The audit trail names people by id only, never by a personal field, so it outlives
the erasure of the household it is about (it is the agency's proof of compliance).
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts.people import Account, Client
from models.enums import DataExportStatus, DeletionReason, DeletionStatus, PrivacyAction
from models.visits.visits import Intervention


class EmailChange(Model):
    """A new address waiting for its owner to follow the link sent to it."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="email_changes", on_delete=fields.CASCADE
    )
    account_id: int
    new_email = fields.CharField(max_length=254)
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "email_change"


class DataExport(Model):
    """A ZIP of everything about one household, built in the background, kept a short while."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="data_exports", on_delete=fields.CASCADE
    )
    account_id: int
    client: fields.ForeignKeyRelation[Client] = fields.ForeignKeyField(
        "models.Client", related_name="data_exports", on_delete=fields.CASCADE
    )
    client_id: int
    status = fields.CharEnumField(DataExportStatus, max_length=10, default=DataExportStatus.PENDING)
    progress = fields.SmallIntField(default=0)  # percent
    requested_at = fields.DatetimeField()
    # Set by the process building it; a claim older than a few minutes is taken over.
    claimed_at = fields.DatetimeField(null=True)
    ready_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField(null=True)
    archive = fields.BinaryField(null=True)
    size_bytes = fields.IntField(default=0)

    class Meta:
        table = "data_export"
        indexes = (("status", "requested_at"), ("client_id", "requested_at"))


class AccountDeletion(Model):
    """An erasure on its way: confirmed by e-mail, then carried out after a grace period.

    Once done, the row stays: it holds the end of the legal archive (invoices, payments
    and certificates kept for Code de commerce L123-22), after which those are purged.
    """

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="deletions", on_delete=fields.CASCADE
    )
    account_id: int
    client_id = fields.IntField(null=True, db_index=True)
    agency_id = fields.IntField(null=True)
    reason = fields.CharEnumField(DeletionReason, max_length=12)
    status = fields.CharEnumField(DeletionStatus, max_length=24)
    requested_at = fields.DatetimeField()
    effective_at = fields.DatetimeField(null=True)
    cancelled_at = fields.DatetimeField(null=True)
    claimed_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)
    archive_until = fields.DateField(null=True)
    archive_purged_at = fields.DatetimeField(null=True)

    class Meta:
        table = "account_deletion"
        indexes = (("status", "effective_at"),)


class PrivacyAudit(Model):
    """Who exported, rectified, erased or opened a household's file, and when."""

    id = fields.IntField(primary_key=True)
    action = fields.CharEnumField(PrivacyAction, max_length=20)
    at = fields.DatetimeField(db_index=True)
    agency_id = fields.IntField(null=True)
    client_id = fields.IntField(null=True)
    subject_account_id = fields.IntField(null=True)
    actor_account_id = fields.IntField(null=True)
    # Which fields or which file: names only, never values.
    detail = fields.CharField(max_length=200, default="")

    class Meta:
        table = "privacy_audit"
        indexes = (("agency_id", "at"), ("client_id", "at"))


class VisitAddressFlag(Model):
    """A planned visit whose address was removed or moved out of the agency's area."""

    id = fields.IntField(primary_key=True)
    intervention: fields.ForeignKeyRelation[Intervention] = fields.ForeignKeyField(
        "models.Intervention", related_name="address_flags", on_delete=fields.CASCADE
    )
    intervention_id: int
    agency_id = fields.IntField(db_index=True)
    reason = fields.CharField(max_length=200)
    created_at = fields.DatetimeField()
    resolved_at = fields.DatetimeField(null=True)

    class Meta:
        table = "visit_address_flag"


class JobClaim(Model):
    """When a scheduled job may next run: the process that moves it forward runs it."""

    name = fields.CharField(max_length=40, primary_key=True)
    next_run_at = fields.DatetimeField()

    class Meta:
        table = "job_claim"


class ArchivedDocument(Model):
    """A document the law makes the agency keep, frozen as printed when its household
    was erased (tax certificates are otherwise drawn from live data). ADMIN only."""

    id = fields.IntField(primary_key=True)
    agency_id = fields.IntField()
    client_id = fields.IntField(db_index=True)
    filename = fields.CharField(max_length=120)
    content = fields.BinaryField()
    archived_at = fields.DatetimeField()
    keep_until = fields.DateField()

    class Meta:
        table = "archived_document"
