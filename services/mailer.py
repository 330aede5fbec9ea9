"""Notification delivery (e-mail and SMS) through a database outbox.

A message is written in the same transaction as the change that causes it, then
delivered by a loop that claims due rows with a compare-and-set, so several app
processes never send one message twice and a crash loses nothing. Each channel
has a lane of its own, so an SMS provider that is down or slow never holds back
a password-reset e-mail. Bodies can hold single-use links, so they are wiped
once sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from datetime import datetime, timedelta

from models.enums import MessageChannel, OutboxStatus
from models.outbox import OutboundMessage
from services.clock import utcnow
from services.email_transport import Email, EmailTransport
from services.email_transport import transport_for as transport_for
from services.sms import ConsoleSms, SmsError, SmsGateway, sms_text

log = logging.getLogger("passage.mail")

MAX_ATTEMPTS = 8
# Longer than any transport's timeout (SMTP 15 s, SMS 10 s): a claimed row is not re-claimed
# by another process while its delivery may still succeed.
CLAIM_SECONDS = 60
MAX_BACKOFF_SECONDS = 3600
E164 = re.compile(r"\+[1-9][0-9]{6,14}")


async def enqueue(
    kind: str,
    recipient: str,
    subject: str,
    body: str,
    *,
    account_id: int | None = None,
    html: str = "",
) -> None:
    """An e-mail (with an HTML alternative when given). Call inside the transaction of the
    change, `Mailer.wake()` after commit."""
    await _create(MessageChannel.EMAIL, kind, recipient, subject, body, account_id, html=html)


def is_sms_number(phone: str) -> bool:
    """Whether a stored phone number can receive SMS (accounts keep E.164 or nothing)."""
    return E164.fullmatch(phone) is not None


async def enqueue_sms(
    kind: str,
    phone: str,
    body: str,
    *,
    account_id: int | None = None,
    not_before: datetime | None = None,
) -> None:
    """A text message to an E.164 number, cut to what one notice may cost (see services.sms).
    `not_before` holds it back (quiet hours)."""
    if not is_sms_number(phone):
        raise ValueError("SMS go to E.164 numbers such as +33612345678")
    await _create(
        MessageChannel.SMS, kind, phone, "", sms_text(body), account_id, not_before=not_before
    )


async def _create(
    channel: MessageChannel,
    kind: str,
    recipient: str,
    subject: str,
    body: str,
    account_id: int | None,
    *,
    html: str = "",
    not_before: datetime | None = None,
) -> None:
    now = utcnow()
    await OutboundMessage.create(
        channel=channel,
        kind=kind,
        recipient=recipient,
        subject=subject,
        body_text=body,
        body_html=html,
        account_id=account_id,
        next_attempt_at=max(now, not_before) if not_before else now,
        created_at=now,
    )


def _error_text(exc: Exception) -> str:
    """What is kept of a failure: never a message that could quote an address or a token."""
    if isinstance(exc, SmsError):
        return f"SmsError: {exc}"[:200]
    return type(exc).__name__[:200]


class Mailer:
    """Delivers the outbox. `retry_base_seconds` is the first retry delay, doubled each time."""

    def __init__(
        self,
        transport: EmailTransport,
        sender: str,
        poll_seconds: float,
        sms: SmsGateway | None = None,
        retry_base_seconds: float = 5.0,
    ) -> None:
        self.transport = transport
        self.sender = sender
        self.poll_seconds = poll_seconds
        self.sms: SmsGateway = sms or ConsoleSms()
        self.retry_base_seconds = retry_base_seconds
        self._wake = {channel: asyncio.Event() for channel in MessageChannel}

    def wake(self) -> None:
        for event in self._wake.values():
            event.set()

    async def run(self) -> None:
        try:
            async with asyncio.TaskGroup() as lanes:
                for channel in MessageChannel:
                    lanes.create_task(self._lane(channel), name=f"outbox-{channel.lower()}")
        finally:
            await self.sms.aclose()

    async def _lane(self, channel: MessageChannel) -> None:
        wake = self._wake[channel]
        while True:
            try:
                while await self.deliver_due(channel):
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s delivery loop failed; retrying", channel.lower())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), self.poll_seconds)
            wake.clear()

    def backoff(self, attempts: int) -> timedelta:
        """Delay before attempt `attempts + 1`: base, 2 x base, 4 x base... at most an hour."""
        seconds = self.retry_base_seconds * 2 ** (attempts - 1)
        return timedelta(seconds=min(MAX_BACKOFF_SECONDS, seconds))

    async def deliver_due(self, channel: MessageChannel, batch: int = 20) -> int:
        """Sends what is due on one channel; returns how many rows it handled."""
        due = (
            await OutboundMessage.filter(
                status=OutboxStatus.PENDING, channel=channel, next_attempt_at__lte=utcnow()
            )
            .order_by("id")
            .limit(batch)
            .values_list("id", "next_attempt_at")
        )
        handled = 0
        for row_id, seen_at in due:
            # Each claim is timed from now, not from the batch start: earlier rows may have
            # taken up to a transport timeout each.
            claimed = await OutboundMessage.filter(id=row_id, next_attempt_at=seen_at).update(
                next_attempt_at=utcnow() + timedelta(seconds=CLAIM_SECONDS)
            )
            if not claimed:
                continue  # another process has it
            handled += 1
            await self._deliver(await OutboundMessage.get(id=row_id))
        return handled

    async def _deliver(self, row: OutboundMessage) -> None:
        try:
            if row.channel is MessageChannel.SMS:
                await self.sms.send(row.recipient, row.body_text)
            else:
                await self.transport.send(
                    Email(self.sender, row.recipient, row.subject, row.body_text, row.body_html)
                )
        except Exception as exc:  # any delivery failure is retried
            attempts = row.attempts + 1
            failed = attempts >= MAX_ATTEMPTS
            await OutboundMessage.filter(id=row.id).update(
                attempts=attempts,
                status=OutboxStatus.FAILED if failed else OutboxStatus.PENDING,
                next_attempt_at=utcnow() + self.backoff(attempts),
                last_error=_error_text(exc),
            )
            log.warning(
                "%s %s attempt %s failed: %s",
                row.channel.lower(),
                row.id,
                attempts,
                _error_text(exc),
            )
            return
        await OutboundMessage.filter(id=row.id).update(
            status=OutboxStatus.SENT,
            sent_at=utcnow(),
            attempts=row.attempts + 1,
            body_text="",
            body_html="",
        )
