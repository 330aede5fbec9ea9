"""Contact preferences: per topic, the channels (e-mail, SMS, none) and the frequency
(instant, daily or weekly digest), plus SMS quiet hours.

Defaults for a new household: every topic by e-mail at once, arrival and departure by
SMS too, no quiet hours (visits happen in the day). Security e-mails cannot be switched
off or delayed. Digests are e-mails: SMS always go at once, outside quiet hours.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.transactions import in_transaction

from models.accounts.people import Account, Client
from models.enums import DigestFrequency, NotificationTopic, OutboxStatus
from models.households.contact import ContactPreference, QuietHours, UrgentPhone
from models.notifications import OutboundMessage
from notifications.preferences import (
    Quiet,
    TopicPreference,
    default,
    enforced,
    minutes_of,
    quiet_of,
)
from resolvers.core import guards
from resolvers.core.errors import UserError, user_error
from resolvers.core.runtime import Viewer
from services.clock import utcnow
from services.identity import can_receive_sms, normalize_phone

MAX_TOPICS = len(NotificationTopic)


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


async def read(viewer: Viewer | None) -> Preferences:
    viewer = guards.household(viewer)
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
    viewer = guards.household(viewer)
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
    if quiet is not None and minutes_of(quiet.start) == minutes_of(quiet.end):
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
                    "start_minute": minutes_of(quiet.start),
                    "end_minute": minutes_of(quiet.end),
                },
                account_id=viewer.account_id,
            )
    return PreferencesResult(await read(viewer), [])


async def sent_to_client(
    viewer: Viewer | None, client_id: int, first: int, before_id: int | None
) -> list[OutboundMessage] | None:
    """What a client was sent (or failed to be), for support: staff of its agency only."""
    staff = guards.staff(viewer)
    client = await Client.get_or_none(id=client_id, agency_id=staff.agency_id)
    if client is None:
        return None
    query = OutboundMessage.filter(
        account_id=client.account_id,
        status__in=[OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.PENDING],
    )
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    return await query.order_by("-id").limit(first + 1)
