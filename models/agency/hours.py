"""How an agency works: its opening hours, used for reply promises and bookable slots."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts.people import Agency


class OpeningHours(Model):
    """One opening span of a weekday (0 is Monday), on the agency's wall clock.

    An agency with no rows uses DEFAULT_OPENING_HOURS. Several spans on one weekday
    (a lunch break) are several rows.
    """

    id = fields.IntField(primary_key=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="opening_hours", on_delete=fields.CASCADE
    )
    agency_id: int
    weekday = fields.SmallIntField()
    opens_at = fields.TimeField()
    closes_at = fields.TimeField()

    class Meta:
        table = "opening_hours"
        indexes = (("agency_id", "weekday"),)
