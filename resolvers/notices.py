"""Telling the household that its worker arrived or left, through the outbox.

Read who to tell before the check-in transaction (to keep it short), then write
the messages inside it: a replayed or rolled-back check-in never notifies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.accounts import Account, Agency, Client, Worker
from models.enums import NotificationTopic
from models.interventions import Intervention
from resolvers.notify import Notification, notify_client
from services import notices


@dataclass(frozen=True)
class Household:
    client: Account
    worker_first_name: str
    time_zone: str

    @classmethod
    async def of(cls, visit: Intervention) -> Household:
        client = await Client.get(id=visit.client_id).select_related("account")
        worker = await Worker.get(id=visit.worker_id).select_related("account")
        time_zone = await Agency.get(id=visit.agency_id).values_list("time_zone", flat=True)
        return cls(client.account, worker.account.first_name, str(time_zone))

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
        )
