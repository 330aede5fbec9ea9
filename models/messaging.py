"""Messages between a household and its agency, and the premium flag of a client."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts.people import Account, Client
from models.visits.visits import Intervention


class Conversation(Model):
    """The one thread between a client and its agency.

    While a client message waits for an answer, `waiting_since` and `response_due_at`
    hold the oldest unanswered message and its reply promise. `overdue_at` is set once
    when the promise is missed, so the dashboard is told once per wait.
    """

    id = fields.IntField(primary_key=True)
    client: fields.OneToOneRelation[Client] = fields.OneToOneField(
        "models.Client", related_name="conversation", on_delete=fields.CASCADE
    )
    client_id: int
    agency_id = fields.IntField()
    created_at = fields.DatetimeField()
    last_message_at = fields.DatetimeField()
    waiting_since = fields.DatetimeField(null=True)
    response_due_at = fields.DatetimeField(null=True)
    overdue_at = fields.DatetimeField(null=True)

    class Meta:
        table = "conversation"
        indexes = (
            ("agency_id", "last_message_at"),
            ("agency_id", "response_due_at"),
            ("overdue_at", "response_due_at"),
        )


class Message(Model):
    """Plain text as written, never rendered as HTML by Passage."""

    id = fields.IntField(primary_key=True)
    conversation: fields.ForeignKeyRelation[Conversation] = fields.ForeignKeyField(
        "models.Conversation", related_name="messages", on_delete=fields.CASCADE
    )
    conversation_id: int
    author: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="messages", null=True, on_delete=fields.SET_NULL
    )
    author_id: int | None
    from_client = fields.BooleanField()
    body = fields.TextField()
    sent_at = fields.DatetimeField()
    client_read_at = fields.DatetimeField(null=True)
    agency_read_at = fields.DatetimeField(null=True)
    intervention: fields.ForeignKeyNullableRelation[Intervention] = fields.ForeignKeyField(
        "models.Intervention", related_name="messages", null=True, on_delete=fields.SET_NULL
    )
    intervention_id: int | None
    # The reply promise made when a client message was sent.
    response_due_at = fields.DatetimeField(null=True)

    class Meta:
        table = "message"
        indexes = (("conversation_id", "id"), ("author_id", "sent_at"))


class MessageAttachment(Model):
    """A small image or PDF, kept in the database so every process can serve it."""

    id = fields.IntField(primary_key=True)
    message: fields.ForeignKeyRelation[Message] = fields.ForeignKeyField(
        "models.Message", related_name="attachments", on_delete=fields.CASCADE
    )
    message_id: int
    filename = fields.CharField(max_length=120)
    content_type = fields.CharField(max_length=40)
    size = fields.IntField()
    data = fields.BinaryField()

    class Meta:
        table = "message_attachment"


class ClientPremium(Model):
    """A premium client: a shorter reply promise and first place in the staff queue."""

    id = fields.IntField(primary_key=True)
    client: fields.OneToOneRelation[Client] = fields.OneToOneField(
        "models.Client", related_name="premium", on_delete=fields.CASCADE
    )
    client_id: int
    set_by: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="premium_clients_set", null=True, on_delete=fields.SET_NULL
    )
    set_by_id: int | None
    since = fields.DatetimeField()

    class Meta:
        table = "client_premium"
