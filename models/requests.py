"""Change requests of households, and the billable late cancellations they can cause."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts.people import Account, Agency, Client
from models.enums import ChangeRequestKind, ChangeRequestStatus
from models.visits.visits import Intervention, RecurringPlan, ServiceType


class ChangeRequest(Model):
    """A client's request to change its visits, waiting for the agency or decided.

    Which columns are set depends on the kind (see resolvers.requests.asking).
    """

    id = fields.IntField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="change_requests", on_delete=fields.RESTRICT
    )
    agency_id: int
    client: fields.ForeignKeyRelation[Client] = fields.ForeignKeyField(
        "models.Client", related_name="change_requests", on_delete=fields.CASCADE
    )
    client_id: int
    kind = fields.CharEnumField(ChangeRequestKind, max_length=20)
    status = fields.CharEnumField(
        ChangeRequestStatus, max_length=10, default=ChangeRequestStatus.PENDING
    )
    intervention: fields.ForeignKeyNullableRelation[Intervention] = fields.ForeignKeyField(
        "models.Intervention", related_name="change_requests", null=True, on_delete=fields.CASCADE
    )
    intervention_id: int | None
    plan: fields.ForeignKeyNullableRelation[RecurringPlan] = fields.ForeignKeyField(
        "models.RecurringPlan", related_name="change_requests", null=True, on_delete=fields.CASCADE
    )
    plan_id: int | None
    service_type: fields.ForeignKeyNullableRelation[ServiceType] = fields.ForeignKeyField(
        "models.ServiceType", related_name="change_requests", null=True, on_delete=fields.RESTRICT
    )
    service_type_id: int | None
    requested_start = fields.DatetimeField(null=True)
    requested_end = fields.DatetimeField(null=True)
    # Weekly plan changes: new weekday, wall-clock start and first day.
    weekday = fields.SmallIntField(null=True)
    start_minute = fields.SmallIntField(null=True)
    duration_minutes = fields.IntField(null=True)
    valid_from = fields.DateField(null=True)
    note = fields.CharField(max_length=1000, default="")
    # A cancellation asked inside the notice period.
    late = fields.BooleanField(default=False)
    decision_reason = fields.CharField(max_length=500, default="")
    decided_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="decided_requests", null=True, on_delete=fields.SET_NULL
    )
    decided_by_id: int | None
    auto_approved = fields.BooleanField(default=False)
    decided_at = fields.DatetimeField(null=True)
    # The visit the approval created (extra visit).
    result_intervention_id = fields.IntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "change_request"
        indexes = (("agency_id", "status", "created_at"), ("client_id", "id"))


class LateCancellation(Model):
    """A visit cancelled inside the notice period, kept for billing to invoice."""

    id = fields.IntField(primary_key=True)
    intervention: fields.OneToOneRelation[Intervention] = fields.OneToOneField(
        "models.Intervention", related_name="late_cancellation", on_delete=fields.CASCADE
    )
    intervention_id: int
    agency_id = fields.IntField(db_index=True)
    billable = fields.BooleanField()
    notice_hours = fields.IntField()
    change_request_id = fields.IntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "late_cancellation"
