"""An agency's settings for care beyond the visit: claims, premium phone line, anomalies.

An agency without a row has the defaults below.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts.people import Account, Agency

DEFAULT_CLAIM_DEADLINE_DAYS = 7
DEFAULT_EARLY_CHECK_IN_MINUTES = 15
DEFAULT_DURATION_TOLERANCE_PERCENT = 50


class AgencyCare(Model):
    id = fields.IntField(primary_key=True)
    agency: fields.OneToOneRelation[Agency] = fields.OneToOneField(
        "models.Agency", related_name="care", on_delete=fields.CASCADE
    )
    agency_id: int
    # A household reports damage at most this many days after the visit's end.
    claim_deadline_days = fields.SmallIntField(default=DEFAULT_CLAIM_DEADLINE_DAYS)
    # The dedicated line shown to premium households (E.164); empty: none yet.
    premium_support_phone = fields.CharField(max_length=20, default="")
    # A check-in earlier than this before the start is accepted but flagged.
    early_check_in_minutes = fields.SmallIntField(default=DEFAULT_EARLY_CHECK_IN_MINUTES)
    # A visit shorter or longer than planned by more than this share is flagged.
    duration_tolerance_percent = fields.SmallIntField(default=DEFAULT_DURATION_TOLERANCE_PERCENT)
    updated_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="care_settings_set", null=True, on_delete=fields.SET_NULL
    )
    updated_by_id: int | None
    updated_at = fields.DatetimeField()

    class Meta:
        table = "agency_care"
