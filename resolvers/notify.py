"""One door for telling a household something: `notify_client`.

Every feature that tells a client about something (a visit moved, a reply from the
agency, an invoice) goes through here with a topic, so that contact preferences
decide the channels and the frequency in one place. Call it inside the transaction
of the change (the outbox row commits or rolls back with it), then `Mailer.wake()`
after commit.

Until contact preferences exist, the routing is the default a new client gets:
an e-mail for every topic, plus an SMS for arrival and departure when the account
has a mobile number.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.accounts import Account
from models.enums import NotificationTopic
from services import mailer
from services.identity import can_receive_sms


@dataclass(frozen=True)
class Notification:
    """What to say. `kind` names the template (logged, shown to staff for support);
    `sms` is the short text, used only when the SMS channel is chosen."""

    kind: str
    subject: str
    body: str
    sms: str = ""


SMS_BY_DEFAULT = frozenset({NotificationTopic.ATTENDANCE})


async def notify_client(
    account: Account, topic: NotificationTopic, notification: Notification
) -> None:
    """Queue `notification` for the household of `account` on the channels it chose."""
    if notification.sms and topic in SMS_BY_DEFAULT and can_receive_sms(account.phone):
        await mailer.enqueue_sms(
            notification.kind, account.phone, notification.sms, account_id=account.id
        )
    if account.email:
        await mailer.enqueue(
            notification.kind,
            account.email,
            notification.subject,
            notification.body,
            account_id=account.id,
        )
