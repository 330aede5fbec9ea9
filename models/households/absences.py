"""Absences a household declares, and the visits each one touches."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts.people import Client
from models.enums import AbsencePolicy


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
