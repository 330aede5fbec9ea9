"""The outbox shared by several app processes: a burst of e-mails goes out once each,
whichever process claims it, and a refused address holds back none of its batch.

E-mails reach the real SMTP server on loopback (`mailbox`). On PostgreSQL the second
server shares the database as another process would; on SQLite both share its one
connection, and the claims still exclude each other statement by statement.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from models.enums import MessageChannel, OutboxStatus
from models.notifications import OutboundMessage
from notifications.mailer import BATCH
from tests import factories
from tests.conftest import RunningServer
from tests.factories import eventually, unique
from tests.mailbox import Mailbox, body_of

CONFIRM = "Confirmez votre adresse e-mail"


@pytest.fixture
async def second(server, start, settings) -> AsyncIterator[RunningServer]:
    """Another app process on the same database and mail server, polling its outbox often."""
    running = await start(settings.with_(outbox_poll_seconds=0.1))
    yield running
    await running.stop()


async def all_sent(addresses: list[str]) -> bool:
    rows = await OutboundMessage.filter(recipient__in=addresses, channel=MessageChannel.EMAIL)
    return len(rows) == len(addresses) and all(r.status is OutboxStatus.SENT for r in rows)


async def test_a_burst_of_sign_ups_gets_one_e_mail_each_from_two_processes(
    api, second, mailbox: Mailbox, home_agency
):
    # More households than one claim takes, signing up through both processes at once.
    emails = [f"{unique('burst')}@example.com" for _ in range(BATCH + 20)]
    apis = [api, second.api]
    await asyncio.gather(
        *(
            factories.client(apis[i % 2], email=email, firstName="Éloïse")
            for i, email in enumerate(emails)
        )
    )
    await eventually(lambda: all_sent(emails))
    # A row is claimed by one delivery at a time and only its holder marks it sent: once
    # every row is sent, nothing can be on its way a second time.
    received = Counter(m["To"] for m in mailbox.messages if m["To"] in set(emails))
    assert received == dict.fromkeys(emails, 1)
    for email in emails[:3]:
        message = await mailbox.wait_for(email, CONFIRM)
        assert str(message["Subject"]) == CONFIRM
        assert body_of(message).startswith("Bonjour Éloïse,")
    rows = await OutboundMessage.filter(recipient__in=emails)
    assert {(r.attempts, r.body_text, r.body_html, r.claim) for r in rows} == {(1, "", "", None)}


async def test_a_refused_address_holds_back_nothing_of_its_batch(
    api, server, mailbox: Mailbox, home_agency
):
    refused = f"{unique('refused')}@example.com"
    mailbox.refuse(refused)
    before, after = f"{unique('before')}@example.com", f"{unique('after')}@example.com"
    await asyncio.gather(*(factories.client(api, email=e) for e in (before, refused, after)))
    await mailbox.wait_for(before, CONFIRM)
    await mailbox.wait_for(after, CONFIRM)

    async def retried() -> bool:
        row = await OutboundMessage.get(recipient=refused)
        return row.attempts >= 1

    await eventually(retried)
    row = await OutboundMessage.get(recipient=refused)
    assert (row.status, row.last_error, row.claim) == (
        OutboxStatus.PENDING,
        "SMTPRecipientsRefused",
        None,
    )
    assert row.body_text  # kept for the next attempt
    assert mailbox.to(refused) == []
    # The server has the other two before their rows are marked sent.
    await eventually(lambda: all_sent([before, after]))
