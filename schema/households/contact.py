"""Contact preferences of a household, and what it was sent (for staff support)."""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum

import strawberry

from models.enums import DigestFrequency as FrequencyEnum
from models.enums import MessageChannel as ChannelEnum
from models.enums import NotificationTopic as TopicEnum
from models.enums import OutboxStatus as StatusEnum
from models.notifications import OutboundMessage
from notifications import preferences
from resolvers.households import contact
from schema.core.common import (
    Connection,
    UserErrorType,
    connection_by_id,
    page_size,
    user_errors,
)
from schema.core.context import Info
from schema.core.ids import after_pk, expect_id

NotificationTopic = strawberry.enum(TopicEnum, name="NotificationTopic")
DigestFrequency = strawberry.enum(FrequencyEnum, name="DigestFrequency")
NotificationStatus = strawberry.enum(StatusEnum, name="NotificationStatus")


@strawberry.enum
class ContactChannel(StrEnum):
    EMAIL = ChannelEnum.EMAIL.value
    SMS = ChannelEnum.SMS.value


@strawberry.type
class TopicPreference:
    topic: NotificationTopic  # type: ignore[valid-type]
    channels: list[ContactChannel] = strawberry.field(description="Empty: not notified.")
    frequency: DigestFrequency = strawberry.field(  # type: ignore[valid-type]
        description="For e-mails: at once, or in a daily or weekly digest. SMS go at once."
    )

    @classmethod
    def from_value(cls, value: preferences.TopicPreference) -> TopicPreference:
        channels = [ContactChannel.EMAIL] if value.email else []
        channels += [ContactChannel.SMS] if value.sms else []
        return cls(topic=value.topic, channels=channels, frequency=value.frequency)


@strawberry.type
class QuietHours:
    start: time = strawberry.field(description="No SMS from this time (agency's clock)…")
    end: time = strawberry.field(description="…until this one; may span midnight.")


@strawberry.type
class ContactPreferences:
    topics: list[TopicPreference]
    sms_quiet_hours: QuietHours | None
    urgent_phone: str | None = strawberry.field(
        description="The phone channel: a number the agency calls for urgent matters only."
    )

    @classmethod
    def from_value(cls, value: contact.Preferences) -> ContactPreferences:
        quiet = value.quiet_hours
        return cls(
            topics=[TopicPreference.from_value(t) for t in value.topics],
            sms_quiet_hours=QuietHours(start=quiet.start, end=quiet.end) if quiet else None,
            urgent_phone=value.urgent_phone,
        )


@strawberry.input
class TopicPreferenceInput:
    topic: NotificationTopic  # type: ignore[valid-type]
    channels: list[ContactChannel]
    frequency: DigestFrequency = FrequencyEnum.INSTANT  # type: ignore[valid-type]


@strawberry.input
class QuietHoursInput:
    start: time
    end: time


@strawberry.input
class UpdateContactPreferencesInput:
    topics: list[TopicPreferenceInput] = strawberry.field(
        default_factory=list, description="Only the topics given change."
    )
    sms_quiet_hours: QuietHoursInput | None = None
    clear_sms_quiet_hours: bool = False
    urgent_phone: str | None = strawberry.field(
        default=None,
        description="A number to call for urgent matters only; an empty string removes it.",
    )


@strawberry.type
class ContactPreferencesPayload:
    preferences: ContactPreferences | None
    user_errors: list[UserErrorType]


@strawberry.type
class SentNotification:
    id: strawberry.ID
    channel: ContactChannel
    kind: str
    recipient: str
    subject: str
    status: NotificationStatus  # type: ignore[valid-type]
    attempts: int
    created_at: datetime
    next_attempt_at: datetime = strawberry.field(
        description="When a pending one goes (after quiet hours, or a retry)."
    )
    sent_at: datetime | None
    last_error: str

    @classmethod
    def from_model(cls, row: OutboundMessage) -> SentNotification:
        return cls(
            id=strawberry.ID(str(row.id)),
            channel=ContactChannel(row.channel.value),
            kind=row.kind,
            recipient=row.recipient,
            subject=row.subject,
            status=row.status,
            attempts=row.attempts,
            created_at=row.created_at,
            next_attempt_at=row.next_attempt_at,
            sent_at=row.sent_at,
            last_error=row.last_error,
        )


@strawberry.type
class ContactQueries:
    @strawberry.field(description="How the household wants to be told things (CLIENT).")
    async def contact_preferences(self, info: Info) -> ContactPreferences:
        return ContactPreferences.from_value(await contact.read(info.context.viewer))

    @strawberry.field(
        description="E-mails and SMS sent, pending or failed for a client, the latest first "
        "(ADVISOR, ADMIN of its agency; null for another agency's client)."
    )
    async def client_notifications(
        self,
        info: Info,
        client_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[SentNotification] | None:
        size = page_size(first)
        rows = await contact.sent_to_client(
            info.context.viewer, expect_id(client_id, "Client"), size, after_pk(after)
        )
        if rows is None:
            return None
        return connection_by_id(rows, SentNotification.from_model, size, after)


@strawberry.type
class ContactMutations:
    @strawberry.mutation(
        description="Channels and frequency per topic, SMS quiet hours (CLIENT). Security "
        "e-mails cannot be switched off."
    )
    async def update_contact_preferences(
        self, info: Info, input: UpdateContactPreferencesInput
    ) -> ContactPreferencesPayload:
        topics = [
            preferences.TopicPreference(
                t.topic,
                ContactChannel.EMAIL in t.channels,
                ContactChannel.SMS in t.channels,
                t.frequency,
            )
            for t in input.topics[: contact.MAX_TOPICS + 1]
        ]
        quiet = input.sms_quiet_hours
        result = await contact.update(
            info.context.viewer,
            topics,
            preferences.Quiet(quiet.start, quiet.end) if quiet else None,
            input.clear_sms_quiet_hours,
            input.urgent_phone,
        )
        return ContactPreferencesPayload(
            preferences=ContactPreferences.from_value(result.preferences)
            if result.preferences
            else None,
            user_errors=user_errors(result.user_errors),
        )
