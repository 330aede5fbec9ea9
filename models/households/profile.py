"""What a household wants its worker to know: notes per visit, standing preferences, needs."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts.people import Client
from models.visits.visits import Intervention


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
