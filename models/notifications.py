"""Outgoing notifications (e-mail and SMS), written in the same transaction as their cause.

One table for every channel, so one delivery loop claims, retries and wipes them
alike, and staff can later see what a person was sent, whatever the channel.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts.people import Account
from models.enums import MessageChannel, OutboxStatus


class OutboundMessage(Model):
    id = fields.IntField(primary_key=True)
    channel = fields.CharEnumField(MessageChannel, max_length=5, default=MessageChannel.EMAIL)
    # An e-mail address, or an E.164 phone number for SMS.
    recipient = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=200, default="")  # empty for SMS
    body_text = fields.TextField()
    # The HTML alternative of an e-mail, when there is one (wiped with the text once sent).
    body_html = fields.TextField(default="")
    kind = fields.CharField(max_length=40)
    # Whose notification it is, when it concerns an account (none for unknown addresses).
    account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="outbound_messages", null=True, on_delete=fields.CASCADE
    )
    account_id: int | None
    status = fields.CharEnumField(OutboxStatus, max_length=10, default=OutboxStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(db_index=True)
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=200, default="")
    # Which delivery holds the row while `next_attempt_at` is in the future: a batch is
    # claimed in one statement, and only its holder may then mark it sent or failed.
    claim = fields.CharField(max_length=32, null=True)

    class Meta:
        table = "outbound_message"
        indexes = (("status", "channel", "next_attempt_at"), ("account_id", "created_at"))
