"""Ratings of completed visits by their clients, and the follow-ups low scores open."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts.people import Account, Client, Worker
from models.visits.visits import Intervention


class Rating(Model):
    """One per visit, by its client, editable for a week after it is first given."""

    id = fields.IntField(primary_key=True)
    intervention: fields.OneToOneRelation[Intervention] = fields.OneToOneField(
        "models.Intervention", related_name="rating", on_delete=fields.CASCADE
    )
    intervention_id: int
    client: fields.ForeignKeyRelation[Client] = fields.ForeignKeyField(
        "models.Client", related_name="ratings", on_delete=fields.CASCADE
    )
    client_id: int
    worker: fields.ForeignKeyNullableRelation[Worker] = fields.ForeignKeyField(
        "models.Worker", related_name="ratings", null=True, on_delete=fields.SET_NULL
    )
    worker_id: int | None
    agency_id = fields.IntField(db_index=True)
    score = fields.SmallIntField()
    comment = fields.CharField(max_length=1000, default="")
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "rating"
        indexes = (("agency_id", "created_at"), ("worker_id", "created_at"))


class RatingFollowUp(Model):
    """A low score (2 or less) asks the client's advisor to call back."""

    id = fields.IntField(primary_key=True)
    rating: fields.OneToOneRelation[Rating] = fields.OneToOneField(
        "models.Rating", related_name="follow_up", on_delete=fields.CASCADE
    )
    rating_id: int
    advisor: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="rating_follow_ups", null=True, on_delete=fields.SET_NULL
    )
    advisor_id: int | None
    created_at = fields.DatetimeField()
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "rating_follow_up"
