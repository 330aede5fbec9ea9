"""Digest e-mails: the notifications a household chose to receive daily or weekly.

Every app process runs the loop. A digest is claimed by inserting its row, unique
per account, frequency and period, in the transaction that assigns the items and
queues the e-mail: a second process trying the same period fails on the unique key
and moves on, so each household gets one digest per period however many run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from tortoise.exceptions import IntegrityError, TransactionManagementError
from tortoise.transactions import in_transaction

from models.accounts.people import Account
from models.enums import DigestFrequency
from models.households.contact import Digest, DigestItem
from notifications import mailer, templating, texts
from notifications.mailer import Mailer
from notifications.notify import zone_of
from services.clock import utcnow
from services.config import Settings

BATCH = 200


class _Process(Protocol):
    """What a digest run needs of the running process (resolvers' Runtime has it)."""

    settings: Settings
    mailer: Mailer


class _Empty(Exception):
    """Nothing left to send for this period: roll the claim back."""


async def _send(account_id: int, frequency: DigestFrequency, period: str, now: datetime) -> bool:
    async with in_transaction():
        digest = await Digest.create(
            account_id=account_id, frequency=frequency, period=period, items=0, created_at=now
        )
        items = await DigestItem.filter(
            account_id=account_id, frequency=frequency, period=period, digest_id=None
        ).order_by("id")
        if not items:
            raise _Empty
        # The texts now live in the outbox row (itself wiped once sent): keep no second copy.
        await DigestItem.filter(id__in=[i.id for i in items]).update(digest_id=digest.id, body="")
        await Digest.filter(id=digest.id).update(items=len(items))
        account = await Account.get(id=account_id)
        zone = await zone_of(account)
        rendered = templating.digest(
            account.first_name,
            texts.digests.period_label(period),
            [
                {
                    "subject": item.subject,
                    "when": item.created_at.astimezone(zone).strftime("%d/%m à %H:%M"),
                    "body": item.body,
                }
                for item in items
            ],
        )
        await mailer.enqueue(
            f"digest_{frequency.lower()}",
            account.email,
            texts.digests.SUBJECTS[frequency],
            rendered.text,
            account_id=account.id,
            html=rendered.html,
        )
    return True


async def send_due(rt: _Process, now: datetime | None = None) -> int:
    """Sends every digest whose period is over; returns how many this call sent."""
    now = now or utcnow()
    due = (
        await DigestItem.filter(digest_id=None, due_at__lte=now)
        .order_by("id")
        .limit(BATCH)
        .values_list("account_id", "frequency", "period")
    )
    sent = 0
    for account_id, frequency, period in dict.fromkeys(due):
        try:
            await _send(account_id, DigestFrequency(frequency), period, now)
            sent += 1
        except (IntegrityError, TransactionManagementError, _Empty):
            continue  # another process sent this one
    if sent:
        rt.mailer.wake()
    return sent
