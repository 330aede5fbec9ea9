"""Call-back requests of premium households (seed: "accompagnement téléphonique dédié").

While a request waits, `due_at` holds the promise; `overdue_at` is set once when it
is missed, so staff are told once, as for a conversation.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts.people import Account, Client
from models.enums import CallbackOutcome, CallbackTopic, CallbackUrgency


class CallbackRequest(Model):
    id = fields.IntField(primary_key=True)
    agency_id = fields.IntField()
    client: fields.ForeignKeyRelation[Client] = fields.ForeignKeyField(
        "models.Client", related_name="callback_requests", on_delete=fields.CASCADE
    )
    client_id: int
    topic = fields.CharEnumField(CallbackTopic, max_length=12)
    urgency = fields.CharEnumField(CallbackUrgency, max_length=8)
    # When the household can be reached: "start/end" ISO pairs, one a line.
    slots = fields.TextField(default="")
    note = fields.CharField(max_length=500, default="")
    phone = fields.CharField(max_length=20)
    created_at = fields.DatetimeField()
    due_at = fields.DatetimeField()
    overdue_at = fields.DatetimeField(null=True)
    outcome = fields.CharEnumField(CallbackOutcome, max_length=10, null=True)
    outcome_note = fields.CharField(max_length=500, default="")
    handled_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="handled_callbacks", null=True, on_delete=fields.SET_NULL
    )
    handled_by_id: int | None
    handled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "callback_request"
        indexes = (("agency_id", "handled_at", "due_at"), ("overdue_at", "due_at"))
