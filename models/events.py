"""The event log: every change a live screen must see, written with the change itself."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.enums import EventType, InterventionStatus


class Event(Model):
    """One row per change. The id is the order, and its opaque form the subscription cursor.

    Audience columns say who may see it: the agency's staff, the client, the worker
    (and the previous worker on a reassignment). The type says which subscription
    carries the event, see INTERVENTION_EVENT_TYPES.
    """

    id = fields.BigIntField(primary_key=True)
    type = fields.CharEnumField(EventType, max_length=24)
    occurred_at = fields.DatetimeField()
    agency_id = fields.IntField()
    client_id = fields.IntField(null=True)
    worker_id = fields.IntField(null=True)
    previous_worker_id = fields.IntField(null=True)
    intervention_id = fields.IntField(null=True)
    # The visit's status right after the change, so live screens need no extra read.
    status = fields.CharEnumField(InterventionStatus, max_length=12, null=True)
    # What the event is about when it is not a visit: a message, a rating, a request.
    subject_id = fields.BigIntField(null=True)
    published_at = fields.DatetimeField(null=True)

    class Meta:
        table = "event"
        indexes = (
            ("agency_id", "id"),
            ("client_id", "id"),
            ("worker_id", "id"),
            ("published_at", "id"),
        )
