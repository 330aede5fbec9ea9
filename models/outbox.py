"""Outgoing e-mail, written in the same transaction as the change that causes it."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.enums import OutboxStatus


class OutboundEmail(Model):
    id = fields.IntField(primary_key=True)
    recipient = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=200)
    body_text = fields.TextField()
    kind = fields.CharField(max_length=40)
    status = fields.CharEnumField(OutboxStatus, max_length=10, default=OutboxStatus.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(db_index=True)
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=200, default="")

    class Meta:
        table = "outbound_email"
        indexes = (("status", "next_attempt_at"),)
