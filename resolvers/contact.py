"""Contact preferences: per topic, the channels (e-mail, SMS, none) and the frequency
(instant, daily or weekly digest), plus SMS quiet hours.

Defaults for a new household: every topic by e-mail at once, arrival and departure by
SMS too, no quiet hours (visits happen in the day). Security e-mails cannot be switched
off or delayed. Digests are e-mails: SMS always go at once, outside quiet hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from tortoise.transactions import in_transaction

from models.accounts import Account
from models.contact import ContactPreference, QuietHours, UrgentPhone
from models.enums import DigestFrequency, NotificationTopic, Role
from resolvers import guards
from resolvers.errors import Forbidden, UserError, user_error
from resolvers.runtime import Viewer
from services.clock import utcnow
from services.identity import can_receive_sms, normalize_phone

MAX_TOPICS = len(NotificationTopic)


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


@dataclass(frozen=True)
class Preferences:
    topics: list[TopicPreference]
    quiet_hours: Quiet | None
    # The phone channel: a number the agency calls for urgent matters only.
    urgent_phone: str | None = None


@dataclass(frozen=True)
class PreferencesResult:
    preferences: Preferences | None
    user_errors: list[UserError]


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


def _minutes(value: time) -> int:
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


def _client(viewer: Viewer | None) -> Viewer:
    viewer = guards.signed_in(viewer)
    if viewer.role is not Role.CLIENT:
        raise Forbidden("Réservé aux clients.")
    return viewer


async def read(viewer: Viewer | None) -> Preferences:
    viewer = _client(viewer)
    rows = {r.topic: r for r in await ContactPreference.filter(account_id=viewer.account_id)}
    topics = [
        enforced(TopicPreference(t, rows[t].email, rows[t].sms, rows[t].frequency))
        if t in rows
        else default(t)
        for t in NotificationTopic
    ]
    return Preferences(
        topics, await quiet_of(viewer.account_id), await urgent_phone_of(viewer.account_id)
    )


async def urgent_phone_of(account_id: int) -> str | None:
    found = await UrgentPhone.filter(account_id=account_id).values_list("phone", flat=True)
    return str(found[0]) if found else None


def _urgent_phone(raw: str | None, errors: list[UserError]) -> str | None:
    """The number to store ("" removes it), or None to leave it as it is."""
    if raw is None or not raw.strip():
        return raw if raw is None else ""
    phone = normalize_phone(raw)
    if phone is None:
        errors.append(user_error("urgentPhone", "Numéro de téléphone invalide.", "INVALID_PHONE"))
    return phone


async def update(
    viewer: Viewer | None,
    topics: list[TopicPreference],
    quiet: Quiet | None,
    clear_quiet: bool,
    urgent_phone: str | None = None,
) -> PreferencesResult:
    viewer = _client(viewer)
    if len(topics) > MAX_TOPICS:
        return PreferencesResult(None, [user_error("topics", "Trop de sujets.", "TOO_MANY")])
    phone = str(await Account.get(id=viewer.account_id).values_list("phone", flat=True))
    errors = []
    seen: set[NotificationTopic] = set()
    for index, pref in enumerate(topics):
        where = f"topics.{index}"
        if pref.topic in seen:
            errors.append(user_error(f"{where}.topic", "Ce sujet apparaît deux fois.", "DUPLICATE"))
        seen.add(pref.topic)
        if pref.topic is NotificationTopic.SECURITY and (
            not pref.email or pref.frequency is not DigestFrequency.INSTANT
        ):
            errors.append(
                user_error(
                    f"{where}.email",
                    "Les alertes de sécurité partent toujours par e-mail, immédiatement.",
                    "SECURITY_EMAIL_REQUIRED",
                )
            )
        if pref.sms and not can_receive_sms(phone):
            errors.append(
                user_error(
                    f"{where}.sms", "Ajoutez d'abord un numéro de mobile.", "NO_MOBILE_NUMBER"
                )
            )
    if quiet is not None and _minutes(quiet.start) == _minutes(quiet.end):
        errors.append(
            user_error("smsQuietHours", "Début et fin doivent différer.", "INVALID_QUIET_HOURS")
        )
    phone_change = _urgent_phone(urgent_phone, errors)
    if errors:
        return PreferencesResult(None, errors)
    async with in_transaction():
        if phone_change == "":
            await UrgentPhone.filter(account_id=viewer.account_id).delete()
        elif phone_change is not None:
            await UrgentPhone.update_or_create(
                defaults={"phone": phone_change, "updated_at": utcnow()},
                account_id=viewer.account_id,
            )
        for pref in topics:
            await ContactPreference.update_or_create(
                defaults={"email": pref.email, "sms": pref.sms, "frequency": pref.frequency},
                account_id=viewer.account_id,
                topic=pref.topic,
            )
        if clear_quiet:
            await QuietHours.filter(account_id=viewer.account_id).delete()
        elif quiet is not None:
            await QuietHours.update_or_create(
                defaults={
                    "start_minute": _minutes(quiet.start),
                    "end_minute": _minutes(quiet.end),
                },
                account_id=viewer.account_id,
            )
    return PreferencesResult(await read(viewer), [])
