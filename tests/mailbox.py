"""A real SMTP server on loopback (aiosmtpd) and a mailbox tests can await."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import socket
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


class Mailbox:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.messages: list[EmailMessage] = []
        self.port = 0
        self.refused: set[str] = set()  # read by the SMTP server's thread
        self._changed = asyncio.Event()

    def refuse(self, address: str) -> None:
        """The server answers 550 to this recipient, as for a mailbox that does not exist."""
        self.refused.add(address)

    # Called from the SMTP server's thread.
    def deliver(self, message: EmailMessage) -> None:
        self.loop.call_soon_threadsafe(self._append, message)

    def _append(self, message: EmailMessage) -> None:
        self.messages.append(message)
        self._changed.set()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    async def wait_for(
        self, address: str, subject_part: str = "", timeout: float = 5.0, count: int = 1
    ) -> EmailMessage:
        """The `count`-th message to `address` whose subject contains `subject_part`."""

        async def found() -> EmailMessage:
            while True:
                matches = [m for m in self.to(address) if subject_part in str(m["Subject"])]
                if len(matches) >= count:
                    return matches[count - 1]
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(found(), timeout)


class _Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.mailbox.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.mailbox.deliver(message)  # type: ignore[arg-type]
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_smtp(mailbox: Mailbox) -> Controller:
    controller = Controller(_Handler(mailbox), hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def token_in(message: EmailMessage) -> str:
    match = re.search(r"#token=([A-Za-z0-9_\-]+)", body_of(message))
    assert match, body_of(message)
    return match.group(1)
