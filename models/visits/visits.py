"""Services, places and visits: what is planned, where, by whom, and what happened."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts.people import Account, Agency, Client, Worker
from models.enums import InterventionStatus


class ServiceType(Model):
    """Ménage, repassage, vitres... with the price per hour and the VAT rate."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=40, unique=True)
    label = fields.CharField(max_length=100)
    hourly_rate_cents = fields.IntField()
    # Basis points: 1000 = 10 %, the VAT rate of most household services.
    vat_rate_bp = fields.IntField(default=1000)
    sap_activity_code = fields.CharField(max_length=20, default="")
    tax_credit_eligible = fields.BooleanField(default=True)
    active = fields.BooleanField(default=True)

    class Meta:
        table = "service_type"


class Address(Model):
    """A place where visits happen: the billing address by default."""

    id = fields.IntField(primary_key=True)
    client: fields.ForeignKeyRelation[Client] = fields.ForeignKeyField(
        "models.Client", related_name="addresses", on_delete=fields.CASCADE
    )
    client_id: int
    label = fields.CharField(max_length=60, default="Domicile")
    line1 = fields.CharField(max_length=200)
    line2 = fields.CharField(max_length=200, default="")
    postal_code = fields.CharField(max_length=10)
    city = fields.CharField(max_length=100)
    country = fields.CharField(max_length=2, default="FR")
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    is_billing = fields.BooleanField(default=False)
    # Removed by the household: kept for the visits already made there.
    removed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "address"


class RecurringPlan(Model):
    """A weekly slot ("every Tuesday 9:00-12:00"), kept materialised a few weeks ahead."""

    id = fields.IntField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="recurring_plans", on_delete=fields.RESTRICT
    )
    agency_id: int
    client: fields.ForeignKeyRelation[Client] = fields.ForeignKeyField(
        "models.Client", related_name="recurring_plans", on_delete=fields.RESTRICT
    )
    client_id: int
    address: fields.ForeignKeyRelation[Address] = fields.ForeignKeyField(
        "models.Address", related_name="recurring_plans", on_delete=fields.RESTRICT
    )
    address_id: int
    worker: fields.ForeignKeyRelation[Worker] = fields.ForeignKeyField(
        "models.Worker", related_name="recurring_plans", on_delete=fields.RESTRICT
    )
    worker_id: int
    service_type: fields.ForeignKeyRelation[ServiceType] = fields.ForeignKeyField(
        "models.ServiceType", related_name="recurring_plans", on_delete=fields.RESTRICT
    )
    service_type_id: int
    weekday = fields.SmallIntField()  # 0 = Monday, as in Python's date.weekday()
    # Wall-clock start in the agency's time zone, in minutes after midnight (portable
    # across databases, unlike TIME columns).
    start_minute = fields.SmallIntField()
    duration_minutes = fields.IntField()
    valid_from = fields.DateField()
    valid_to = fields.DateField(null=True)
    # Visits exist up to this date (exclusive); the loop moves it forward.
    materialised_until = fields.DateField()
    instructions = fields.CharField(max_length=1000, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "recurring_plan"


class Intervention(Model):
    id = fields.IntField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="interventions", on_delete=fields.RESTRICT
    )
    agency_id: int
    client: fields.ForeignKeyRelation[Client] = fields.ForeignKeyField(
        "models.Client", related_name="interventions", on_delete=fields.RESTRICT
    )
    client_id: int
    address: fields.ForeignKeyRelation[Address] = fields.ForeignKeyField(
        "models.Address", related_name="interventions", on_delete=fields.RESTRICT
    )
    address_id: int
    worker: fields.ForeignKeyNullableRelation[Worker] = fields.ForeignKeyField(
        "models.Worker", related_name="interventions", null=True, on_delete=fields.RESTRICT
    )
    worker_id: int | None
    service_type: fields.ForeignKeyRelation[ServiceType] = fields.ForeignKeyField(
        "models.ServiceType", related_name="interventions", on_delete=fields.RESTRICT
    )
    service_type_id: int
    scheduled_start = fields.DatetimeField()
    scheduled_end = fields.DatetimeField()
    status = fields.CharEnumField(
        InterventionStatus, max_length=12, default=InterventionStatus.SCHEDULED
    )
    checked_in_at = fields.DatetimeField(null=True)
    checked_out_at = fields.DatetimeField(null=True)
    check_in_latitude = fields.FloatField(null=True)
    check_in_longitude = fields.FloatField(null=True)
    check_in_distance_m = fields.IntField(null=True)
    check_out_latitude = fields.FloatField(null=True)
    check_out_longitude = fields.FloatField(null=True)
    check_out_distance_m = fields.IntField(null=True)
    # Set when a check-in/out position was beyond the agency's radius: kept, but flagged.
    position_flagged = fields.BooleanField(default=False)
    late_at = fields.DatetimeField(null=True)
    # Set by a staff correction: invoice the planned duration, not the checked times.
    bill_planned_duration = fields.BooleanField(default=False)
    recurring_plan: fields.ForeignKeyNullableRelation[RecurringPlan] = fields.ForeignKeyField(
        "models.RecurringPlan",
        related_name="interventions",
        null=True,
        on_delete=fields.SET_NULL,
    )
    recurring_plan_id: int | None
    instructions = fields.CharField(max_length=1000, default="")
    cancellation_reason = fields.CharField(max_length=500, default="")
    created_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account",
        related_name="scheduled_interventions",
        null=True,
        on_delete=fields.SET_NULL,
    )
    created_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "intervention"
        indexes = (
            ("agency_id", "scheduled_start"),
            ("client_id", "scheduled_start"),
            ("worker_id", "scheduled_start"),
            ("status", "scheduled_start"),
        )


class AttendanceCorrection(Model):
    """A staff correction of a check-in or check-out: who, why, and the times before and after.

    Kept for good, as the audit trail of hours that were not (or not rightly) checked
    on the phone.
    """

    id = fields.IntField(primary_key=True)
    intervention: fields.ForeignKeyRelation[Intervention] = fields.ForeignKeyField(
        "models.Intervention", related_name="attendance_corrections", on_delete=fields.RESTRICT
    )
    intervention_id: int
    staff: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="attendance_corrections", on_delete=fields.RESTRICT
    )
    staff_id: int
    reason = fields.CharField(max_length=500)
    previous_status = fields.CharEnumField(InterventionStatus, max_length=12)
    previous_checked_in_at = fields.DatetimeField(null=True)
    previous_checked_out_at = fields.DatetimeField(null=True)
    status = fields.CharEnumField(InterventionStatus, max_length=12)
    checked_in_at = fields.DatetimeField(null=True)
    checked_out_at = fields.DatetimeField(null=True)
    planned_duration_invoiced = fields.BooleanField(default=False)
    created_at = fields.DatetimeField()

    class Meta:
        table = "attendance_correction"
        indexes = (("intervention_id", "id"),)


class IdempotentRequest(Model):
    """The first answer to a retried phone request, keyed by what the phone sent."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="idempotent_requests", on_delete=fields.CASCADE
    )
    account_id: int
    key = fields.CharField(max_length=100)
    operation = fields.CharField(max_length=40)
    intervention_id = fields.IntField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "idempotent_request"
        unique_together = (("account", "operation", "key"),)


class CalendarFeed(Model):
    """A secret link to an .ics feed of one account's visits, revocable, stored hashed."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="calendar_feeds", on_delete=fields.CASCADE
    )
    account_id: int
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "calendar_feed"
