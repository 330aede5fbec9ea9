"""How an agency handles households' requests: notice, automatic approval, absences."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts.people import Agency
from models.enums import AbsencePolicy


class AgencyPolicy(Model):
    """How an agency handles client requests. An agency without a row has the defaults."""

    id = fields.IntField(primary_key=True)
    agency: fields.OneToOneRelation[Agency] = fields.OneToOneField(
        "models.Agency", related_name="policy", on_delete=fields.CASCADE
    )
    agency_id: int
    # Changes and cancellations must come this long before the visit.
    min_notice_hours = fields.IntField(default=48)
    # Requests passing every rule are approved at once (seed: validation immédiate).
    auto_approve = fields.BooleanField(default=False)
    absence_policy = fields.CharEnumField(
        AbsencePolicy, max_length=20, default=AbsencePolicy.OFFER_RESCHEDULE
    )
    # Cancellations inside the notice period are invoiced.
    late_cancellation_billable = fields.BooleanField(default=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "agency_policy"
