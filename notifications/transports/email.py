"""Where e-mails go: the log, or an SMTP server (`EMAIL_URL`).

The outbox hands transports plain `Email` values; only the SMTP transport turns
them into MIME. It does so with the compat32 classes of `email.mime`, several
times cheaper than `EmailMessage` with the default policy, and writes non-ASCII
subjects and names as RFC 2047 encoded words and bodies as UTF-8, so what a mail
client shows is what was written. An address that is not ASCII (an
internationalised mailbox) takes the default policy, which knows SMTPUTF8.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, parseaddr
from urllib.parse import parse_qs, urlsplit

import aiosmtplib

log = logging.getLogger("passage.mail")

SMTP_TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class Email:
    sender: str
    recipient: str
    subject: str
    text: str
    html: str = ""


class EmailTransport:
    async def send(self, email: Email) -> None:
        raise NotImplementedError

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[Callable[[Email], Awaitable[None]]]:
        """A `send` for several e-mails in a row (a batch of the outbox)."""
        yield self.send


class ConsoleTransport(EmailTransport):
    """The message goes to the log instead of a mail server.

    In development the body is logged too, so sign-up links can be followed
    locally; elsewhere it is not, since bodies hold single-use links.
    """

    def __init__(self, include_bodies: bool) -> None:
        self.include_bodies = include_bodies

    async def send(self, email: Email) -> None:
        if self.include_bodies:
            log.info("email to=%s subject=%s\n%s", email.recipient, email.subject, email.text)
        else:
            log.info("email subject=%s (not delivered: EMAIL_URL is console://)", email.subject)


class SmtpTransport(EmailTransport):
    """One connection for a session (a batch of the outbox); a new one after any failure."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self.username = parts.username
        self.password = parts.password
        self.use_tls = parts.scheme == "smtps"
        self.start_tls = query.get("starttls", ["0"])[0] in {"1", "true"}

    def _client(self) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.use_tls,
            start_tls=self.start_tls,
            timeout=SMTP_TIMEOUT_SECONDS,
        )

    async def send(self, email: Email) -> None:
        async with self.session() as send:
            await send(email)

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[Callable[[Email], Awaitable[None]]]:
        client: aiosmtplib.SMTP | None = None

        async def send(email: Email) -> None:
            nonlocal client
            try:
                if client is None:
                    client = self._client()
                    await client.connect()
                await client.send_message(mime(email))
            except BaseException:
                # Whatever state the connection is in, the next e-mail starts afresh.
                if client is not None:
                    client.close()
                client = None
                raise

        try:
            yield send
        finally:
            if client is not None:
                await _quit(client)


async def _quit(client: aiosmtplib.SMTP) -> None:
    try:
        await client.quit()
    except BaseException as exc:  # the e-mails are sent: a rude goodbye changes nothing
        client.close()
        if not isinstance(exc, Exception):
            raise


def _header(name: str, value: str) -> str:
    """RFC 2047 encoded words when needed, folded to fit a line after `name: `."""
    return value if value.isascii() else Header(value, "utf-8", header_name=name).encode()


def _mailbox(value: str) -> str:
    name, address = parseaddr(value)
    return formataddr((name, address), charset="utf-8") if name else address


def mime(email: Email) -> Message:
    """The message as an SMTP server takes it."""
    if not (email.sender.isascii() and email.recipient.isascii()):
        return _smtputf8(email)
    message: Message
    if email.html:
        message = MIMEMultipart("alternative")
        message.attach(MIMEText(email.text, "plain", "utf-8"))
        message.attach(MIMEText(email.html, "html", "utf-8"))
    else:
        message = MIMEText(email.text, "plain", "utf-8")
    message["From"] = _mailbox(email.sender)
    message["To"] = email.recipient
    message["Subject"] = _header("Subject", email.subject)
    return message


def _smtputf8(email: Email) -> EmailMessage:
    message = EmailMessage()
    message["From"] = email.sender
    message["To"] = email.recipient
    message["Subject"] = email.subject
    message.set_content(email.text)
    if email.html:
        message.add_alternative(email.html, subtype="html")
    return message


def transport_for(url: str, *, development: bool = True) -> EmailTransport:
    scheme = urlsplit(url).scheme
    if scheme == "console":
        return ConsoleTransport(include_bodies=development)
    if scheme in {"smtp", "smtps"}:
        return SmtpTransport(url)
    raise ValueError(f"EMAIL_URL scheme {scheme!r} is not supported (console, smtp, smtps)")
