"""Notification delivery (e-mail and SMS) through a database outbox.

A message is written in the same transaction as the change that causes it, then
delivered by a loop that claims due rows in batches, one statement claiming a
batch for one delivery (a token in `claim`), so several app processes never send
one message twice and a crash loses nothing; only the claim's holder marks its
rows sent (in one statement) or failed. Each channel has a lane of its own, so an
SMS provider that is down or slow never holds back a password-reset e-mail.
Bodies can hold single-use links, so they are wiped once sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from models.db import ids_parameter
from models.enums import MessageChannel, OutboxStatus
from models.notifications import OutboundMessage
from notifications.transports.email import SMTP_TIMEOUT_SECONDS, Email, EmailTransport
from notifications.transports.email import transport_for as transport_for
from notifications.transports.sms import TIMEOUT_SECONDS as SMS_TIMEOUT_SECONDS
from notifications.transports.sms import ConsoleSms, SmsError, SmsGateway, sms_text
from services.clock import utcnow
from services.waiting import woken

log = logging.getLogger("passage.mail")

Send = Callable[[dict[str, Any]], Awaitable[None]]

MAX_ATTEMPTS = 8
MAX_BACKOFF_SECONDS = 3600
# Rows claimed at once by a lane, in one statement, and marked sent in one statement.
BATCH = 50
# A claim holds its rows this long. No delivery starts unless its transport's timeout still
# fits in the claim, so a row is not claimed again by another process while its delivery
# may still succeed; the rows a claim does not get to are released.
CLAIM_SECONDS = 60
_TIMEOUTS = {MessageChannel.EMAIL: SMTP_TIMEOUT_SECONDS, MessageChannel.SMS: SMS_TIMEOUT_SECONDS}
# Woken by a commit, a lane waits this long first, so that a burst of messages (check-ins
# of a busy hour) is claimed and marked in a few statements rather than four per message.
GATHER_SECONDS = 0.05
# A slow batch marks what it sent so far once it has waited this long: should the process
# die, only those after would be sent again.
MARK_AFTER_SECONDS = 0.5
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
    """A text message to an E.164 number, cut to what one notice may cost.

    See notifications.transports.sms.
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
    due = max(now, not_before) if not_before else now
    db = OutboundMessage._meta.db  # the transaction's, inside one
    values = [channel.value, kind, recipient, subject, body, html, account_id, due, now]
    await db.execute_query(_INSERT[db.capabilities.dialect], [*values, OutboxStatus.PENDING.value])


# A message queued, by a statement written once: Tortoise built a model and its INSERT on
# every call, in the transaction of every check-in.
_INSERT_COLUMNS = (
    "channel, kind, recipient, subject, body_text, body_html, account_id, next_attempt_at, "
    "created_at, status, attempts, last_error"
)
_INSERT = {
    "postgres": f"INSERT INTO outbound_message ({_INSERT_COLUMNS}) "  # noqa: S608 - constants
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, '')",
    "sqlite": f"INSERT INTO outbound_message ({_INSERT_COLUMNS}) "  # noqa: S608 - constants
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '')",
}


def _error_text(exc: Exception) -> str:
    """What is kept of a failure: never a message that could quote an address or a token."""
    if isinstance(exc, SmsError):
        return f"SmsError: {exc}"[:200]
    return type(exc).__name__[:200]


# Due rows of a channel, oldest first, claimed in one statement that re-checks they are due:
# on PostgreSQL rows another process is claiming are skipped rather than waited for, SQLite
# runs one writer at a time. Either way a row is claimed by one delivery only.
_CLAIM = {
    "postgres": "UPDATE outbound_message SET next_attempt_at = $1, claim = $2 WHERE id IN ("
    "SELECT id FROM outbound_message WHERE status = $3 AND channel = $4 "
    "AND next_attempt_at <= $5 ORDER BY id LIMIT $6 FOR UPDATE SKIP LOCKED) "
    "RETURNING id, recipient, subject, body_text, body_html, attempts",
    "sqlite": "UPDATE outbound_message SET next_attempt_at = ?, claim = ? WHERE id IN ("
    "SELECT id FROM outbound_message WHERE status = ? AND channel = ? "
    "AND next_attempt_at <= ? ORDER BY id LIMIT ?) "
    "RETURNING id, recipient, subject, body_text, body_html, attempts",
}


async def _claim(channel: MessageChannel, token: str, batch: int) -> list[dict[str, Any]]:
    db = OutboundMessage._meta.db
    now = utcnow()
    until = now + timedelta(seconds=CLAIM_SECONDS)
    params = [until, token, OutboxStatus.PENDING.value, channel.value, now, batch]
    sql = _CLAIM[db.capabilities.dialect]
    rows: list[dict[str, Any]] = await db.execute_query_dict(sql, params)
    return sorted(rows, key=lambda row: int(row["id"]))


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
                while await self.deliver_due(channel) >= BATCH:
                    pass  # a full batch: more may be due
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s delivery loop failed; retrying", channel.lower())
            await woken(wake, self.poll_seconds)
            # What commits meanwhile (a burst of check-ins) goes out in the same claim.
            await asyncio.sleep(GATHER_SECONDS)
            wake.clear()

    def backoff(self, attempts: int) -> timedelta:
        """Delay before attempt `attempts + 1`: base, 2 x base, 4 x base... at most an hour."""
        seconds = self.retry_base_seconds * 2 ** (attempts - 1)
        return timedelta(seconds=min(MAX_BACKOFF_SECONDS, seconds))

    async def deliver_due(self, channel: MessageChannel, batch: int = BATCH) -> int:
        """Sends what is due on one channel, up to `batch` rows claimed at once, in id order;
        returns how many rows it claimed."""
        token = secrets.token_hex(16)
        claimed_at = time.monotonic()
        rows = await _claim(channel, token, batch)
        if not rows:
            return 0
        # No delivery starts once its timeout would outlast the claim.
        last_start = claimed_at + CLAIM_SECONDS - _TIMEOUTS[channel]
        sent: list[int] = []
        unmarked_since = 0.0
        async with self._sender(channel) as send:
            for index, row in enumerate(rows):
                if time.monotonic() > last_start:
                    await _release(token, [int(r["id"]) for r in rows[index:]])
                    break
                try:
                    await send(row)
                except Exception as exc:  # any delivery failure is retried
                    await self._failed(channel, token, row, exc)
                    continue
                sent.append(int(row["id"]))
                if len(sent) == 1:
                    unmarked_since = time.monotonic()
                elif time.monotonic() - unmarked_since > MARK_AFTER_SECONDS:
                    # A slow batch: what went out is not left waiting to be sent again.
                    await _mark_sent(token, sent)
                    sent = []
        await _mark_sent(token, sent)
        return len(rows)

    @contextlib.asynccontextmanager
    async def _sender(self, channel: MessageChannel) -> AsyncIterator[Send]:
        if channel is MessageChannel.SMS:

            async def text(row: dict[str, Any]) -> None:
                await self.sms.send(row["recipient"], row["body_text"])

            yield text
            return
        async with self.transport.session() as send_email:

            async def email(row: dict[str, Any]) -> None:
                await send_email(
                    Email(
                        self.sender,
                        row["recipient"],
                        row["subject"],
                        row["body_text"],
                        row["body_html"],
                    )
                )

            yield email

    async def _failed(
        self, channel: MessageChannel, token: str, row: dict[str, Any], exc: Exception
    ) -> None:
        attempts = int(row["attempts"]) + 1
        failed = attempts >= MAX_ATTEMPTS
        await OutboundMessage.filter(id=row["id"], claim=token).update(
            attempts=attempts,
            status=OutboxStatus.FAILED if failed else OutboxStatus.PENDING,
            next_attempt_at=utcnow() + self.backoff(attempts),
            last_error=_error_text(exc),
            claim=None,
        )
        log.warning(
            "%s %s attempt %s failed: %s", channel.lower(), row["id"], attempts, _error_text(exc)
        )


async def _mark_sent(token: str, ids: Sequence[int]) -> None:
    """Sent, in one statement: by this claim's holder only, and the bodies wiped."""
    if not ids:
        return
    db = OutboundMessage._meta.db
    dialect = db.capabilities.dialect
    params = [OutboxStatus.SENT.value, utcnow(), token, ids_parameter(dialect, ids)]
    await db.execute_query(_MARK_SENT[dialect], params)


# One statement per dialect whatever the number of ids (`ids_parameter`: Tortoise wrote an
# IN of each length anew, a tenth of the outbox's CPU in a busy hour).
_MARK_SENT = {
    "postgres": "UPDATE outbound_message SET status = $1, sent_at = $2, "
    "attempts = attempts + 1, body_text = '', body_html = '', claim = NULL "
    "WHERE claim = $3 AND id = ANY($4::int[])",
    "sqlite": "UPDATE outbound_message SET status = ?, sent_at = ?, "
    "attempts = attempts + 1, body_text = '', body_html = '', claim = NULL "
    "WHERE claim = ? AND id IN (SELECT value FROM json_each(?))",
}


async def _release(token: str, ids: Sequence[int]) -> None:
    """Rows this claim will not get to: due again at once, for whichever process is free."""
    await OutboundMessage.filter(id__in=ids, claim=token).update(
        next_attempt_at=utcnow(), claim=None
    )
