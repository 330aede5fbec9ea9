"""The household hears when its worker arrives and leaves, by SMS and e-mail.

E-mails reach the real SMTP server on loopback (`mailbox`). SMS reach a tiny
provider started here under uvicorn, which records what it is sent and can
fail or hold requests, as a real one does on a bad day.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import socket
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from models.accounts.people import Account, Client, Worker
from models.enums import MessageChannel, OutboxStatus, Role
from models.notifications import OutboundMessage
from models.visits.visits import Intervention
from notifications.transports.sms import HttpSms
from resolvers.agency.staff import create_agency
from schema.core.ids import from_global_id, to_global_id
from services.clock import utcnow
from services.config import Settings
from tests import factories
from tests.client import Api
from tests.conftest import RunningServer
from tests.factories import CHECK_IN, CHECK_OUT, Agency, schedule
from tests.mailbox import Mailbox, body_of, free_port

TOKEN = "sms-provider-token-7f3a"
# The first retry waits this long, the second twice as long (OUTBOX_RETRY_BASE_SECONDS).
RETRY_BASE = 0.2
ARRIVED = "Votre intervenant(e) est arrivé(e)"
DEPARTED = "Votre intervention est terminée"
_numbers = itertools.count(1)


def mobile() -> str:
    """A French mobile number no other test uses, as a phone would type it."""
    return f"06{41000000 + next(_numbers):08d}"


def e164(phone: str) -> str:
    return "+33" + phone[1:]


# --- a tiny SMS provider ----------------------------------------------------------------------


@dataclass
class Texted:
    at: float
    path: str
    query: str
    authorization: str | None
    payload: dict[str, Any]


class SmsProvider:
    """Records each request; fails the first `fail_first` per number with 503; may hold them."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.received: list[Texted] = []
        self.hold: asyncio.Event | None = None
        self._failed: Counter[str] = Counter()
        self._changed = asyncio.Event()
        self.app = Starlette(routes=[Route("/sms", self._sms, methods=["POST"])])
        self.url = ""

    async def _sms(self, request: Request) -> JSONResponse:
        payload = await request.json()
        self.received.append(
            Texted(
                asyncio.get_running_loop().time(),
                request.url.path,
                request.url.query,
                request.headers.get("authorization"),
                payload,
            )
        )
        self._changed.set()
        if self.hold is not None:
            await self.hold.wait()
        if self._failed[payload["to"]] < self.fail_first:
            self._failed[payload["to"]] += 1
            return JSONResponse({"error": "busy"}, status_code=503)
        return JSONResponse({"id": len(self.received)}, status_code=202)

    def to(self, phone: str, text_part: str = "") -> list[Texted]:
        return [
            t for t in self.received if t.payload["to"] == phone and text_part in t.payload["text"]
        ]

    async def wait_for(
        self, phone: str, text_part: str = "", count: int = 1, timeout: float = 5.0
    ) -> list[Texted]:
        """The first `count` requests for `phone` whose text contains `text_part`."""

        async def found() -> list[Texted]:
            while True:
                matches = self.to(phone, text_part)
                if len(matches) >= count:
                    return matches[:count]
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(found(), timeout)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[SmsProvider]:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()  # connections wait in the backlog until uvicorn accepts them
        self.url = f"http://127.0.0.1:{listener.getsockname()[1]}/sms?token={TOKEN}"
        server = uvicorn.Server(uvicorn.Config(self.app, log_config=None, lifespan="off"))
        task = asyncio.create_task(server.serve(sockets=[listener]))
        try:
            yield self
        finally:
            if self.hold is not None:
                self.hold.set()
            server.should_exit = True
            await task
            listener.close()


@pytest.fixture
async def provider() -> AsyncIterator[SmsProvider]:
    async with SmsProvider().running() as running:
        yield running


@contextlib.asynccontextmanager
async def deployment(
    server: RunningServer, start: Callable[[Settings], Awaitable[RunningServer]], url: str
) -> AsyncIterator[Api]:
    """An app process configured with `SMS_URL=url`; yields its API.

    Every process of a deployment has the same settings and any of them may claim
    a message from the outbox, so the session's server is pointed at the same
    provider meanwhile.
    """
    settings = server.app.state.runtime.settings
    running = await start(
        settings.with_(sms_url=url, outbox_poll_seconds=0.2, outbox_retry_base_seconds=RETRY_BASE)
    )
    shared = server.app.state.runtime.mailer
    saved = shared.sms, shared.retry_base_seconds
    gateway = HttpSms(url)
    shared.sms, shared.retry_base_seconds = gateway, RETRY_BASE
    try:
        yield running.api
    finally:
        shared.sms, shared.retry_base_seconds = saved
        await running.stop()
        await gateway.aclose()


# --- a household with a visit today -----------------------------------------------------------


@dataclass
class Household:
    team: Agency
    email: str
    phone: str  # E.164, as stored
    account_id: int
    visit_id: str


async def household(api: Api, settings: Settings, agency_id: int, postal_code: str) -> Household:
    team = Agency()
    advisor = await factories.staff(settings, agency_id, Role.ADVISOR)
    worker_email = await factories.staff(settings, agency_id, Role.WORKER)
    phone = mobile()
    client_email, _ = await factories.client(
        api,
        phone=phone,
        billingAddress={"line1": "3 rue des Lilas", "postalCode": postal_code, "city": "Ville"},
    )
    team.staff_token = await factories.log_in(api, advisor)
    team.worker_token = await factories.log_in(api, worker_email)
    team.client_token = await factories.log_in(api, client_email)
    worker = await Worker.get(account__email=worker_email)
    client = await Client.get(account__email=client_email)
    team.worker_id = to_global_id("Worker", worker.id)
    team.client_id = to_global_id("Client", client.id)
    visit = await schedule(api, team, hours_from_now=0.5)
    assert visit["userErrors"] == [], visit
    return Household(
        team, client_email, e164(phone), client.account_id, visit["intervention"]["id"]
    )


@pytest.fixture(scope="module")
async def paris_agency(server, settings) -> tuple[int, str]:
    """An agency of its own, so these visits crowd no other test's calendar."""
    created = await create_agency("Agence Paris 19e", ["75019"])
    return created.id, "75019"


@pytest.fixture
async def home(api, settings, paris_agency) -> Household:
    agency_id, postal_code = paris_agency
    return await household(api, settings, agency_id, postal_code)


async def check_in(api: Api, home: Household, key: str | None = None) -> dict[str, Any]:
    variables = {"input": {"interventionId": home.visit_id, "idempotencyKey": key}}
    result = await api.data(CHECK_IN, variables, token=home.team.worker_token)
    assert result["checkIn"]["userErrors"] == [], result
    return dict(result["checkIn"]["intervention"])


async def check_out(api: Api, home: Household) -> dict[str, Any]:
    variables = {"input": {"interventionId": home.visit_id}}
    result = await api.data(CHECK_OUT, variables, token=home.team.worker_token)
    assert result["checkOut"]["userErrors"] == [], result
    return dict(result["checkOut"]["intervention"])


def wall_clock(iso: str, time_zone: str = "Europe/Paris") -> str:
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(time_zone)).strftime("%H:%M")


async def settled(
    home: Household, kind: str, done: Callable[[OutboundMessage], bool]
) -> OutboundMessage:
    """The SMS row once `done`: it changes after the provider answers, so only the
    database can tell, and it is read until then."""

    async def poll() -> OutboundMessage:
        while True:
            row = await OutboundMessage.get(
                account_id=home.account_id, kind=kind, channel=MessageChannel.SMS
            )
            if done(row):
                return row
            await asyncio.sleep(0.02)

    return await asyncio.wait_for(poll(), 5)


# --- through the API --------------------------------------------------------------------------


async def test_arrival_and_departure_reach_the_household_by_sms_and_email(
    server, start, provider, home, mailbox: Mailbox
):
    async with deployment(server, start, provider.url) as phone_api:
        arrived = await check_in(phone_api, home)
        sentence = (
            f"Votre intervenant(e) Claire est arrivé(e) à {wall_clock(arrived['checkedInAt'])}."
        )
        [sms] = await provider.wait_for(home.phone, "arrivé")
        assert sms.payload == {"to": home.phone, "text": sentence, "sender": "Passage"}
        assert sms.authorization == f"Bearer {TOKEN}"
        assert (sms.path, sms.query) == ("/sms", "")  # the token never travels in the address
        email = await mailbox.wait_for(home.email, ARRIVED)
        assert sentence in body_of(email)
        assert body_of(email).startswith("Bonjour Jeanne,")

        # Given the worker arrived 2 h 05 ago, when they check out:
        visit_id = from_global_id(home.visit_id)[1]
        started = utcnow() - timedelta(hours=2, minutes=5, seconds=20)
        await Intervention.filter(id=visit_id).update(checked_in_at=started)
        left = await check_out(phone_api, home)
        sentence = (
            f"Claire a terminé son intervention à {wall_clock(left['checkedOutAt'])} "
            "(durée : 2h05)."
        )
        [sms] = await provider.wait_for(home.phone, "terminé")
        assert sms.payload["text"] == sentence
        email = await mailbox.wait_for(home.email, DEPARTED)
        assert sentence in body_of(email)

        row = await settled(home, "visit_departure", lambda r: r.status is OutboxStatus.SENT)
        assert (row.recipient, row.subject, row.body_text) == (home.phone, "", "")  # wiped
        assert row.attempts == 1


async def test_a_retried_check_in_notifies_once(server, start, provider, home, api, mailbox):
    async with deployment(server, start, provider.url) as phone_api:
        first = await check_in(phone_api, home, key="arrival-1")
        # The phone lost the answer and retries, through another process of the deployment.
        assert await check_in(api, home, key="arrival-1") == first
        rows = await OutboundMessage.filter(account_id=home.account_id, kind="visit_arrival")
        assert sorted(row.channel for row in rows) == [MessageChannel.EMAIL, MessageChannel.SMS]

        await check_out(phone_api, home)
        await provider.wait_for(home.phone, "terminé")
        await mailbox.wait_for(home.email, DEPARTED)
        # Rows go out in order on each channel: had there been two arrivals, both were sent.
        await provider.wait_for(home.phone, "arrivé")
        await mailbox.wait_for(home.email, ARRIVED)
    assert len(provider.to(home.phone, "arrivé")) == 1
    assert len([m for m in mailbox.to(home.email) if m["Subject"] == ARRIVED]) == 1


async def test_a_failing_provider_is_retried_with_backoff(
    server, start, home, mailbox, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO)
    provider = SmsProvider(fail_first=2)
    async with provider.running(), deployment(server, start, provider.url) as phone_api:
        await check_in(phone_api, home)
        first, second, third = await provider.wait_for(home.phone, count=3)
        row = await settled(home, "visit_arrival", lambda r: r.status is OutboxStatus.SENT)
    assert first.payload == second.payload == third.payload
    # Backoff: the first retry waits the base delay, the next one twice as long.
    assert second.at - first.at >= RETRY_BASE - 0.01
    assert third.at - second.at >= 2 * RETRY_BASE - 0.01
    assert row.attempts == 3
    assert row.last_error == "SmsError: HTTP 503"
    assert "attempt 2 failed: SmsError: HTTP 503" in caplog.text
    # Neither the provider's token nor the number nor the text is written to the log.
    assert TOKEN not in caplog.text
    assert home.phone[3:] not in caplog.text
    assert "arrivé(e) à" not in caplog.text


async def test_check_in_answers_while_the_provider_is_down(server, start, home, mailbox):
    nobody_listens = f"http://127.0.0.1:{free_port()}/sms?token={TOKEN}"
    async with deployment(server, start, nobody_listens) as phone_api:
        visit = await check_in(phone_api, home)
        assert visit["status"] == "IN_PROGRESS"
        await mailbox.wait_for(home.email, ARRIVED)  # the e-mail does not wait for the SMS
        row = await settled(home, "visit_arrival", lambda r: r.attempts >= 1)
    assert row.status is OutboxStatus.PENDING  # it will be tried again
    assert row.last_error == "ConnectError"


async def test_check_in_answers_while_the_provider_hangs(server, start, provider, home, mailbox):
    provider.hold = asyncio.Event()
    async with deployment(server, start, provider.url) as phone_api:
        visit = await check_in(phone_api, home)
        assert visit["status"] == "IN_PROGRESS"
        # The SMS is in flight, unanswered (two servers share a loaded machine: be patient).
        await provider.wait_for(home.phone, timeout=20.0)
        await mailbox.wait_for(home.email, ARRIVED)  # meanwhile the e-mail went out
        row = await OutboundMessage.get(account_id=home.account_id, channel=MessageChannel.SMS)
        assert row.status is OutboxStatus.PENDING
        provider.hold.set()
        await settled(home, "visit_arrival", lambda r: r.status is OutboxStatus.SENT)


@pytest.mark.parametrize("phone", ["", "+33140205050"], ids=["no-number", "landline"])
async def test_a_household_without_mobile_gets_the_email_only(api, home, mailbox, phone):
    await Account.filter(id=home.account_id).update(phone=phone)
    arrived = await check_in(api, home)
    email = await mailbox.wait_for(home.email, ARRIVED)
    assert wall_clock(arrived["checkedInAt"]) in body_of(email)
    rows = await OutboundMessage.filter(account_id=home.account_id)
    assert [row.channel for row in rows] == [MessageChannel.EMAIL]


async def test_times_are_told_on_the_agency_clock(api, settings, mailbox):
    reunion = await create_agency("Agence Saint-Denis", ["974"], time_zone="Indian/Reunion")
    home = await household(api, settings, reunion.id, postal_code="97400")
    arrived = await check_in(api, home)
    email = await mailbox.wait_for(home.email, ARRIVED)
    local = wall_clock(arrived["checkedInAt"], "Indian/Reunion")
    assert local != wall_clock(arrived["checkedInAt"])  # 2 or 3 hours ahead of Paris
    assert f"est arrivé(e) à {local}." in body_of(email)
