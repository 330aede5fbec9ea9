"""Telling the household that its worker arrived or left, through the outbox.

Who to tell is read with the visit, before the check-in transaction (to keep it
short), then the messages are written inside it: a replayed or rolled-back check-in never notifies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.accounts.people import Account
from models.enums import NotificationTopic
from models.visits.visits import Intervention
from notifications.notify import Notification, Reach, notify_client
from notifications.texts import visits as notices


@dataclass(frozen=True)
class Household:
    client: Account
    worker_first_name: str
    time_zone: str
    reach: Reach | None = None  # how the household wants to hear of its visits, when read

    async def notify(self, visit: Intervention, now: datetime, arriving: bool) -> None:
        """Call in the transaction of the check-in or check-out; `Mailer.wake()` after commit."""
        client = self.client
        if arriving:
            notice = notices.arrival(client.first_name, self.worker_first_name, now, self.time_zone)
        else:
            notice = notices.departure(
                client.first_name,
                self.worker_first_name,
                visit.checked_in_at or now,
                now,
                self.time_zone,
            )
        await notify_client(
            client,
            NotificationTopic.ATTENDANCE,
            Notification(notice.kind, notice.subject, notice.body, notice.sms),
            self.reach,
        )
