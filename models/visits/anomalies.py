"""Attendance anomalies: check-ins and check-outs staff should look at twice.

One row per visit and kind; `resolved_at` is set by the staff correction that settles it.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts.people import Account
from models.enums import AnomalyKind
from models.visits.visits import Intervention


class AttendanceAnomaly(Model):
    id = fields.IntField(primary_key=True)
    intervention: fields.ForeignKeyRelation[Intervention] = fields.ForeignKeyField(
        "models.Intervention", related_name="anomalies", on_delete=fields.CASCADE
    )
    intervention_id: int
    agency_id = fields.IntField()
    kind = fields.CharEnumField(AnomalyKind, max_length=20)
    detail = fields.CharField(max_length=200, default="")
    detected_at = fields.DatetimeField()
    resolved_at = fields.DatetimeField(null=True)
    resolved_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="resolved_anomalies", null=True, on_delete=fields.SET_NULL
    )
    resolved_by_id: int | None
    correction_id = fields.IntField(null=True)

    class Meta:
        table = "attendance_anomaly"
        unique_together = (("intervention", "kind"),)
        indexes = (("agency_id", "resolved_at", "detected_at"),)
