"""One door for telling a household something: `notify_client`; one for account e-mails:
`email_now`.

Every feature that tells a client about something (a visit moved, a reply from the
agency, an invoice) goes through here with a topic, so that contact preferences
(notifications/preferences.py) decide the channels and the frequency in one place. Call it
inside the transaction of the change (the outbox row commits or rolls back with it),
then `Mailer.wake()` after commit.

E-mails are rendered from the French templates (plain text and HTML); with a digest
frequency they wait in `digest_item` for notifications/digests.py. SMS go at once unless
the household's quiet hours are on, then at their end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from models.accounts.people import Account, Agency
from models.enums import DigestFrequency, NotificationTopic
from models.households.contact import DigestItem
from notifications import mailer, templating
from notifications.preferences import Quiet, TopicPreference, preference_of, quiet_of
from notifications.texts import Notice
from services.clock import utcnow
from services.identity import can_receive_sms

DIGEST_HOUR = time(8)  # digests go out at 8:00 on the household's clock
DEFAULT_ZONE = "Europe/Paris"


async def zone_of(account: Account) -> ZoneInfo:
    if account.agency_id is None:
        return ZoneInfo(DEFAULT_ZONE)
    found = await Agency.filter(id=account.agency_id).values_list("time_zone", flat=True)
    return ZoneInfo(str(found[0]) if found else DEFAULT_ZONE)  # type: ignore[index]


def quiet_until(quiet: Quiet, now: datetime, zone: ZoneInfo) -> datetime | None:
    """The end of the quiet hours `now` falls in, or None outside them."""
    local = now.astimezone(zone)
    start, end, clock = quiet.start, quiet.end, local.time()
    if start < end:
        inside = start <= clock < end
        end_day = local.date()
    else:  # over midnight, e.g. 21:00-08:00
        inside = clock >= start or clock < end
        end_day = local.date() + timedelta(days=1) if clock >= start else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, end, tzinfo=zone).astimezone(UTC)


def period_of(frequency: DigestFrequency, now: datetime, zone: ZoneInfo) -> tuple[str, datetime]:
    """The digest period `now` belongs to, and when its digest is due."""
    day = now.astimezone(zone).date()
    if frequency is DigestFrequency.DAILY:
        due = day + timedelta(days=1)
        key = f"D{day.isoformat()}"
    else:
        year, week, weekday = day.isocalendar()
        due = day + timedelta(days=8 - weekday)  # next Monday
        key = f"W{year}-{week:02d}"
    return key, datetime.combine(due, DIGEST_HOUR, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Reach:
    """How a household is reached on one topic, when the caller read it with its own rows
    (a check-in reads it with the visit): no more reads inside the transaction."""

    preference: TopicPreference
    quiet: Quiet | None
    zone: ZoneInfo


async def notify_client(
    account: Account,
    topic: NotificationTopic,
    notice: Notice,
    reach: Reach | None = None,
) -> None:
    """Queue `notice` (a text of notifications.texts) for the household of `account`
    on the channels it chose."""
    pref = reach.preference if reach else await preference_of(account.id, topic)
    now = utcnow()
    zone: ZoneInfo | None = reach.zone if reach else None
    if pref.sms and notice.sms and can_receive_sms(account.phone):
        quiet = reach.quiet if reach else await quiet_of(account.id)
        not_before = None
        if quiet is not None:
            zone = zone or await zone_of(account)
            not_before = quiet_until(quiet, now, zone)
        await mailer.enqueue_sms(
            notice.kind,
            account.phone,
            notice.sms,
            account_id=account.id,
            not_before=not_before,
        )
    if not (pref.email and account.email):
        return
    if pref.frequency is DigestFrequency.INSTANT:
        rendered = templating.notification(notice.subject, notice.body)
        await mailer.enqueue(
            notice.kind,
            account.email,
            notice.subject,
            rendered.text,
            account_id=account.id,
            html=rendered.html,
        )
        return
    period, due = period_of(pref.frequency, now, zone or await zone_of(account))
    await DigestItem.create(
        account_id=account.id,
        topic=topic,
        frequency=pref.frequency,
        period=period,
        due_at=due,
        kind=notice.kind[:40],
        subject=notice.subject[:200],
        body=notice.body,
        created_at=now,
    )


async def email_now(recipient: str, notice: Notice, account_id: int | None = None) -> None:
    """An account or security e-mail (notifications.texts.accounts, .privacy): plain text,
    at once, to `recipient` (which may be an address not yet confirmed, or the one being
    replaced), whatever the contact preferences. Call inside the transaction of the change,
    `Mailer.wake()` after commit."""
    await mailer.enqueue(notice.kind, recipient, notice.subject, notice.body, account_id=account_id)
