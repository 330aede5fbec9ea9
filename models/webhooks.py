"""Webhook endpoints of partner applications, and the deliveries of events to them.

An endpoint reads the event log after its `cursor`; each event it takes becomes a
delivery row, sent in log order, one at a time per endpoint. The endpoint row is
also the unit of work that processes claim (`claim`, `claimed_until`), so one
endpoint is served by one process at a time and order holds.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.partners import PartnerApplication


class WebhookDeliveryStatus(StrEnum):
    PENDING = "PENDING"  # not sent yet, or failed and waiting for its next attempt
    DELIVERED = "DELIVERED"  # the endpoint answered 2xx
    FAILED = "FAILED"  # given up: the endpoint was disabled after its failure window


class WebhookEndpoint(Model):
    id = fields.IntField(primary_key=True)
    application: fields.ForeignKeyRelation[PartnerApplication] = fields.ForeignKeyField(
        "models.PartnerApplication", related_name="webhook_endpoints", on_delete=fields.CASCADE
    )
    application_id: int
    # The application's agency, copied: the log is read by agency on every round.
    agency_id = fields.IntField()
    url = fields.CharField(max_length=2048)
    # EventType names this endpoint receives.
    event_types: list[str] = fields.JSONField(default=list)  # type: ignore[assignment]
    # Signing secrets, sealed (services/sealing.py): the current one, and the one it
    # replaced while it still signs (rotation).
    secret_sealed = fields.TextField()
    previous_secret_sealed = fields.TextField(default="")
    previous_secret_until = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    created_by_id = fields.IntField(null=True)  # the account that subscribed it
    updated_at = fields.DatetimeField()
    disabled_at = fields.DatetimeField(null=True)
    disabled_reason = fields.CharField(max_length=40, default="")
    # The id of the last event of the log this endpoint has taken (or skipped).
    cursor = fields.BigIntField(default=0)
    # First failure since the last success: past the failure window, the endpoint is disabled.
    failing_since = fields.DatetimeField(null=True)
    # When the endpoint may next be worked on (after a failure: its retry time).
    next_attempt_at = fields.DatetimeField()
    claim = fields.CharField(max_length=32, null=True)
    claimed_until = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_endpoint"
        indexes = (("disabled_at", "next_attempt_at"),)


class WebhookDelivery(Model):
    id = fields.BigIntField(primary_key=True)
    endpoint: fields.ForeignKeyRelation[WebhookEndpoint] = fields.ForeignKeyField(
        "models.WebhookEndpoint", related_name="deliveries", on_delete=fields.CASCADE
    )
    endpoint_id: int
    event_id = fields.BigIntField()
    event_type = fields.CharField(max_length=24)
    status = fields.CharEnumField(
        WebhookDeliveryStatus, max_length=10, default=WebhookDeliveryStatus.PENDING
    )
    attempts = fields.IntField(default=0)
    last_status_code = fields.IntField(null=True)
    last_error = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField()
    last_attempt_at = fields.DatetimeField(null=True)
    next_attempt_at = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "webhook_delivery"
        indexes = (("endpoint_id", "status", "event_id"), ("endpoint_id", "id"))
