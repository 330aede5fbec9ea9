"""Routing by contact preferences: which channels and how often, per topic and household.

A household chooses them (resolvers/households/contact.py); every notification reads
them here, so the choice and its enforcement (security e-mails always, at once) live in
one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from models.enums import DigestFrequency, NotificationTopic
from models.households.contact import ContactPreference, QuietHours


@dataclass(frozen=True)
class TopicPreference:
    topic: NotificationTopic
    email: bool
    sms: bool
    frequency: DigestFrequency


@dataclass(frozen=True)
class Quiet:
    start: time
    end: time


def default(topic: NotificationTopic) -> TopicPreference:
    return TopicPreference(
        topic, True, topic is NotificationTopic.ATTENDANCE, DigestFrequency.INSTANT
    )


def enforced(pref: TopicPreference) -> TopicPreference:
    """Security notices always go by e-mail, at once."""
    if pref.topic is NotificationTopic.SECURITY:
        return TopicPreference(pref.topic, True, pref.sms, DigestFrequency.INSTANT)
    return pref


def chosen(
    topic: NotificationTopic, email: bool, sms: bool, frequency: DigestFrequency
) -> TopicPreference:
    """What a household's stored row for `topic` says, security rules applied."""
    return enforced(TopicPreference(topic, email, sms, frequency))


async def preference_of(account_id: int, topic: NotificationTopic) -> TopicPreference:
    row = await ContactPreference.get_or_none(account_id=account_id, topic=topic)
    if row is None:
        return default(topic)
    return chosen(topic, row.email, row.sms, row.frequency)


def minutes_of(value: time) -> int:
    return value.hour * 60 + value.minute


def quiet_between(start_minute: int, end_minute: int) -> Quiet:
    return Quiet(
        time(start_minute // 60, start_minute % 60), time(end_minute // 60, end_minute % 60)
    )


async def quiet_of(account_id: int) -> Quiet | None:
    row = await QuietHours.get_or_none(account_id=account_id)
    if row is None:
        return None
    return quiet_between(row.start_minute, row.end_minute)
