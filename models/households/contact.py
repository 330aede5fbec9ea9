"""How each household wants to be told things: channels and frequency per topic, SMS quiet
hours, and the notifications waiting for a digest."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.accounts.people import Account
from models.enums import DigestFrequency, NotificationTopic


class ContactPreference(Model):
    """One topic's channels and frequency for one account. No row means the defaults."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="contact_preferences", on_delete=fields.CASCADE
    )
    account_id: int
    topic = fields.CharEnumField(NotificationTopic, max_length=20)
    email = fields.BooleanField()
    sms = fields.BooleanField()
    frequency = fields.CharEnumField(DigestFrequency, max_length=10)

    class Meta:
        table = "contact_preference"
        unique_together = (("account", "topic"),)


class QuietHours(Model):
    """No SMS between these wall-clock minutes (agency zone), e.g. 1260 to 480 is 21:00-08:00."""

    id = fields.IntField(primary_key=True)
    account: fields.OneToOneRelation[Account] = fields.OneToOneField(
        "models.Account", related_name="quiet_hours", on_delete=fields.CASCADE
    )
    account_id: int
    start_minute = fields.SmallIntField()
    end_minute = fields.SmallIntField()

    class Meta:
        table = "quiet_hours"


class Digest(Model):
    """One digest e-mail per account, frequency and period: the unique row is the claim."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="digests", on_delete=fields.CASCADE
    )
    account_id: int
    frequency = fields.CharEnumField(DigestFrequency, max_length=10)
    period = fields.CharField(max_length=12)
    items = fields.IntField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "digest"
        unique_together = (("account", "frequency", "period"),)


class DigestItem(Model):
    """A notification held for the account's next digest of `frequency`."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="digest_items", on_delete=fields.CASCADE
    )
    account_id: int
    topic = fields.CharEnumField(NotificationTopic, max_length=20)
    frequency = fields.CharEnumField(DigestFrequency, max_length=10)
    # The local day (D2026-11-26) or ISO week (W2026-48) it belongs to.
    period = fields.CharField(max_length=12)
    due_at = fields.DatetimeField()
    kind = fields.CharField(max_length=40)
    subject = fields.CharField(max_length=200)
    body = fields.TextField()
    digest_id = fields.IntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "digest_item"
        indexes = (("digest_id", "due_at"), ("account_id", "frequency", "period"))


class UrgentPhone(Model):
    """A number the agency may call for urgent matters only (issue 19: the phone channel)."""

    id = fields.IntField(primary_key=True)
    account: fields.OneToOneRelation[Account] = fields.OneToOneField(
        "models.Account", related_name="urgent_phone", on_delete=fields.CASCADE
    )
    account_id: int
    phone = fields.CharField(max_length=20)  # E.164
    updated_at = fields.DatetimeField()

    class Meta:
        table = "urgent_phone"
