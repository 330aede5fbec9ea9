"""E-mail delivery through a database outbox.

A message is written in the same transaction as the change that causes it, then
delivered by a loop that claims due rows with a compare-and-set, so several app
processes never send one message twice and a crash loses nothing. Bodies can
hold single-use links, so they are wiped once sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import parse_qs, urlsplit

import aiosmtplib

from models.enums import OutboxStatus
from models.outbox import OutboundEmail
from services.clock import utcnow

log = logging.getLogger("passage.mail")

MAX_ATTEMPTS = 8
CLAIM_SECONDS = 60


class EmailTransport:
    async def send(self, message: EmailMessage) -> None:
        raise NotImplementedError


class ConsoleTransport(EmailTransport):
    """Development: the message goes to the log (bodies included: local use only)."""

    async def send(self, message: EmailMessage) -> None:
        log.info(
            "email to=%s subject=%s\n%s", message["To"], message["Subject"], message.get_content()
        )


class SmtpTransport(EmailTransport):
    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self.username = parts.username
        self.password = parts.password
        self.use_tls = parts.scheme == "smtps"
        self.start_tls = query.get("starttls", ["0"])[0] in {"1", "true"}

    async def send(self, message: EmailMessage) -> None:
        await aiosmtplib.send(
            message,
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.use_tls,
            start_tls=self.start_tls,
            timeout=15,
        )


def transport_for(url: str) -> EmailTransport:
    scheme = urlsplit(url).scheme
    if scheme == "console":
        return ConsoleTransport()
    if scheme in {"smtp", "smtps"}:
        return SmtpTransport(url)
    raise ValueError(f"EMAIL_URL scheme {scheme!r} is not supported (console, smtp, smtps)")


async def enqueue(kind: str, recipient: str, subject: str, body: str) -> None:
    """Call inside the transaction of the change; `Mailer.wake()` after commit."""
    now = utcnow()
    await OutboundEmail.create(
        kind=kind,
        recipient=recipient,
        subject=subject,
        body_text=body,
        next_attempt_at=now,
        created_at=now,
    )


class Mailer:
    def __init__(self, transport: EmailTransport, sender: str, poll_seconds: float) -> None:
        self.transport = transport
        self.sender = sender
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                while await self.deliver_due():
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("mail delivery loop failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            self._wake.clear()

    async def deliver_due(self, batch: int = 20) -> int:
        """Sends what is due; returns how many rows it handled."""
        now = utcnow()
        due = (
            await OutboundEmail.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
            .order_by("id")
            .limit(batch)
            .values_list("id", "next_attempt_at")
        )
        handled = 0
        for row_id, seen_at in due:
            claimed = await OutboundEmail.filter(id=row_id, next_attempt_at=seen_at).update(
                next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS)
            )
            if not claimed:
                continue  # another process has it
            handled += 1
            await self._deliver(await OutboundEmail.get(id=row_id), now)
        return handled

    async def _deliver(self, row: OutboundEmail, now: datetime) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = row.recipient
        message["Subject"] = row.subject
        message.set_content(row.body_text)
        try:
            await self.transport.send(message)
        except Exception as exc:  # any delivery failure is retried
            attempts = row.attempts + 1
            failed = attempts >= MAX_ATTEMPTS
            await OutboundEmail.filter(id=row.id).update(
                attempts=attempts,
                status=OutboxStatus.FAILED if failed else OutboxStatus.PENDING,
                next_attempt_at=now + timedelta(seconds=min(3600, 5 * 2**attempts)),
                last_error=type(exc).__name__[:200],
            )
            log.warning("email %s attempt %s failed: %s", row.id, attempts, type(exc).__name__)
            return
        await OutboundEmail.filter(id=row.id).update(
            status=OutboxStatus.SENT, sent_at=utcnow(), attempts=row.attempts + 1, body_text=""
        )
