"""Client self-service: the agency's policy, change requests and billable late cancellations."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts import Account, Agency, Client
from models.enums import AbsencePolicy, ChangeRequestKind, ChangeRequestStatus
from models.interventions import Intervention, RecurringPlan, ServiceType


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


class ChangeRequest(Model):
    """A client's request to change its visits, waiting for the agency or decided.

    Which columns are set depends on the kind (see resolvers.change_requests).
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


class VisitNote(Model):
    """The client's note on one visit (family visit, works, moving), for the worker."""

    id = fields.IntField(primary_key=True)
    intervention: fields.OneToOneRelation[Intervention] = fields.OneToOneField(
        "models.Intervention", related_name="client_note", on_delete=fields.CASCADE
    )
    intervention_id: int
    body = fields.CharField(max_length=1000)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "visit_note"


class HouseholdProfile(Model):
    """Standing preferences and specific needs of a household.

    Access codes are stored encrypted (services.sealing), never in clear.
    """

    id = fields.IntField(primary_key=True)
    client: fields.OneToOneRelation[Client] = fields.OneToOneField(
        "models.Client", related_name="household_profile", on_delete=fields.CASCADE
    )
    client_id: int
    favour_products = fields.CharField(max_length=500, default="")
    avoid_products = fields.CharField(max_length=500, default="")
    preferred_slots = fields.CharField(max_length=500, default="")
    instructions = fields.CharField(max_length=1000, default="")
    access_codes_sealed = fields.TextField(default="")
    reduced_mobility = fields.BooleanField(default=False)
    large_family = fields.BooleanField(default=False)
    pets = fields.CharField(max_length=200, default="")
    allergies = fields.CharField(max_length=500, default="")
    other_needs = fields.CharField(max_length=500, default="")
    updated_at = fields.DatetimeField()

    class Meta:
        table = "household_profile"


class Absence(Model):
    """A household away from `first_day` to `last_day` (agency days, inclusive)."""

    id = fields.IntField(primary_key=True)
    agency_id = fields.IntField()
    client: fields.ForeignKeyRelation[Client] = fields.ForeignKeyField(
        "models.Client", related_name="absences", on_delete=fields.CASCADE
    )
    client_id: int
    first_day = fields.DateField()
    last_day = fields.DateField()
    note = fields.CharField(max_length=500, default="")
    policy = fields.CharEnumField(AbsencePolicy, max_length=20)
    created_at = fields.DatetimeField()
    visits: fields.ReverseRelation[AbsenceVisit]

    class Meta:
        table = "absence"
        indexes = (("client_id", "last_day"), ("agency_id", "id"))


class AbsenceVisit(Model):
    """A visit an absence took out, and whether it is to be rescheduled."""

    id = fields.IntField(primary_key=True)
    absence: fields.ForeignKeyRelation[Absence] = fields.ForeignKeyField(
        "models.Absence", related_name="visits", on_delete=fields.CASCADE
    )
    absence_id: int
    intervention_id = fields.IntField()
    to_reschedule = fields.BooleanField()
    # Set when the client's new slot for it was approved (a NEW_SLOT request).
    rescheduled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "absence_visit"
