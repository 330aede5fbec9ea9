"""What tests build through the public API (or, where the API cannot, the database).

Names and numbers that never collide (`unique`), accounts and agencies, the two shapes of
team most tests start from (`Agency`: an advisor, a worker and a client of the home agency;
`Office`: a self-service agency of its own), visits, live events, production settings and a
few readers of answers. Helpers of one domain live in that domain's `factories.py`.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import weakref
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from models.accounts.people import Client, Worker
from models.enums import Role
from resolvers.agency.staff import create_agency, create_user
from resolvers.core.runtime import build_runtime
from schema.core.ids import from_global_id, to_global_id
from services.config import Settings
from services.logs import request_id_var
from tests.client import Api, WsClient
from tests.mailbox import Mailbox, token_in

PARIS = ZoneInfo("Europe/Paris")
SECRET = "test-secret-key-that-is-long-enough-0123456789"
PASSWORD = "Vrai-Mot2Passe!"

_counter = itertools.count(1)

# Every app the tests serve (tests/conftest.py registers them), for `sessions_changed`.
SERVED: weakref.WeakSet[Any] = weakref.WeakSet()


def sessions_changed() -> None:
    """A test changed a session or what a session carries of its account (revoked,
    expired, idle, status, e-mail verified) in the database, behind the app's back: the
    servers forget the sessions they keep (services/session_cache.py) so the next request
    reads the rows, as the app's own changes make every process do."""
    for app in list(SERVED):
        app.state.runtime.sessions.clear()


def unique(prefix: str = "user") -> str:
    return f"{prefix}{next(_counter)}"


SIGN_UP = """
mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) {
    account { id email emailVerified role }
    userErrors { field message code }
  }
}
"""

LOG_IN = """
mutation LogIn($email: String!, $password: String!) {
  logIn(input: { email: $email, password: $password }) {
    token
    account { id role }
    userErrors { field message code }
  }
}
"""

# Three-digit prefixes, so a whole run never runs out. None under a prefix that other
# fixtures serve: 75 (home agency), 92-94 (demo), 09 (self-service), 97 (overseas),
# and no 99, which starts no French postal code.
_RESERVED = ("75", "92", "93", "94", "09", "97", "99")
_prefixes = (f"{p:03d}" for p in range(100, 1000) if f"{p:03d}"[:2] not in _RESERVED)


def new_prefix() -> str:
    """A postal prefix no other agency of the run serves."""
    return next(_prefixes)


def postal_code(prefix: str) -> str:
    """A postal code that an agency serving `prefix` (two or three digits) serves."""
    return f"{prefix}100"[:5]


def sign_up_input(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "firstName": "Jeanne",
        "lastName": "Dupont",
        "email": f"{unique('client')}@example.com",
        "phone": "06 12 34 56 78",
        "password": PASSWORD,
        "billingAddress": {
            "line1": "12 rue de Charonne",
            "postalCode": "75011",
            "city": "Paris",
        },
    }
    values.update(overrides)
    return values


async def agency(settings: Settings, prefixes: list[str] | None = None, name: str = "") -> int:
    """A new agency; by default it serves a postal prefix of its own."""
    prefix = prefixes or [next(_prefixes)]
    created = await create_agency(name or unique("Agence "), prefix)
    return created.id


async def staff(
    settings: Settings, agency_id: int, role: Role = Role.ADMIN, email: str | None = None
) -> str:
    """An account created as `passage create-user` does; returns its e-mail."""
    email = email or f"{unique(role.value.lower())}@example.com"
    await create_user(
        build_runtime(settings),
        agency_id,
        role,
        email,
        PASSWORD,
        "Claire",
        "Martin",
        employee_number=unique("M") if role is Role.WORKER else None,
    )
    return email


async def log_in(
    api: Api, email: str, password: str = PASSWORD, headers: dict[str, str] | None = None
) -> str:
    result = await api.data(LOG_IN, {"email": email, "password": password}, headers=headers)
    token = result["logIn"]["token"]
    assert token, result
    return str(token)


async def client(api: Api, **overrides: Any) -> tuple[str, dict[str, Any]]:
    """Signs a client up (postal code 75011 by default); returns (email, account)."""
    data = sign_up_input(**overrides)
    result = await api.data(SIGN_UP, {"input": data})
    payload = result["signUp"]
    assert payload["userErrors"] == [], payload
    return data["email"], payload["account"]


def agency_gid(agency_id: int) -> str:
    return to_global_id("Agency", agency_id)


# --- Visits and the home agency's team ------------------------------------------------------------


SCHEDULE = """
mutation ScheduleIntervention($input: ScheduleInterventionInput!) {
  scheduleIntervention(input: $input) {
    intervention { id status scheduledStart scheduledEnd }
    userErrors { field message code }
  }
}
"""

CHECK_IN = """
mutation CheckIn($input: CheckInInput!) {
  checkIn(input: $input) {
    intervention { id status checkedInAt }
    userErrors { field message code }
  }
}
"""

CHECK_OUT = """
mutation CheckOut($input: CheckOutInput!) {
  checkOut(input: $input) {
    intervention { id status checkedOutAt }
    userErrors { field message code }
  }
}
"""


class Agency:
    """An agency with an advisor, a worker and a client, each signed in."""

    def __init__(self) -> None:
        self.staff_token = ""
        self.worker_token = ""
        self.client_token = ""
        self.worker_id = ""
        self.client_id = ""


async def setup_agency(api, settings, home_agency) -> Agency:
    team = Agency()
    advisor = await staff(settings, home_agency, Role.ADVISOR)
    worker_email = await staff(settings, home_agency, Role.WORKER)
    client_email, _ = await client(api)
    team.staff_token = await log_in(api, advisor)
    team.worker_token = await log_in(api, worker_email)
    team.client_token = await log_in(api, client_email)
    worker = await Worker.get(account__email=worker_email)
    row = await Client.get(account__email=client_email)
    team.worker_id = to_global_id("Worker", worker.id)
    team.client_id = to_global_id("Client", row.id)
    return team


def slot(hours_from_now: float, length_hours: float = 2) -> tuple[str, str]:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=hours_from_now)
    return start.isoformat(), (start + timedelta(hours=length_hours)).isoformat()


async def schedule(api, team: Agency, hours_from_now: float = 1, **overrides) -> dict[str, Any]:
    start, end = slot(hours_from_now)
    values = {
        "clientId": team.client_id,
        "workerId": team.worker_id,
        "serviceTypeCode": "REGULAR_CLEANING",
        "scheduledStart": start,
        "scheduledEnd": end,
    }
    values.update(overrides)
    result = await api.data(SCHEDULE, {"input": values}, token=team.staff_token)
    return dict(result["scheduleIntervention"])


# --- A self-service office: an agency of its own, its policy untouched by others ------------------


_office_prefixes = itertools.count(1)

VERIFY = """
mutation VerifyEmail($token: String!) {
  verifyEmail(token: $token) { account { emailVerified } userErrors { code } }
}
"""

POLICY = """
mutation Update($input: UpdateAgencyPolicyInput!) {
  updateAgencyPolicy(input: $input) { userErrors { code } }
}
"""


@dataclass
class Office:
    agency_id: int
    postal_code: str
    admin: str
    advisor: str
    worker: str
    worker_id: str
    other_worker_id: str
    client: str
    client_id: str
    client_email: str


async def household(
    api, mailbox: Mailbox, postal_code: str, verify: bool = True, **overrides: Any
) -> dict[str, Any]:
    email, _ = await client(
        api,
        billingAddress={"line1": "3 rue Haute", "postalCode": postal_code, "city": "Testville"},
        **overrides,
    )
    if verify:
        message = await mailbox.wait_for(email, "Confirmez")
        assert (await api.data(VERIFY, {"token": token_in(message)}))["verifyEmail"][
            "userErrors"
        ] == []
    row = await Client.get(account__email=email)
    return {
        "email": email,
        "token": await log_in(api, email),
        "id": to_global_id("Client", row.id),
    }


async def office(api, settings, mailbox: Mailbox) -> Office:
    prefix = f"09{next(_office_prefixes):03d}"
    agency = await create_agency(f"Agence {prefix}", [prefix])
    admin = await staff(settings, agency.id, Role.ADMIN)
    advisor = await staff(settings, agency.id, Role.ADVISOR)
    worker = await staff(settings, agency.id, Role.WORKER)
    other_worker = await staff(settings, agency.id, Role.WORKER)
    client = await household(api, mailbox, prefix)
    return Office(
        agency_id=agency.id,
        postal_code=prefix,
        admin=await log_in(api, admin),
        advisor=await log_in(api, advisor),
        worker=await log_in(api, worker),
        worker_id=to_global_id("Worker", (await Worker.get(account__email=worker)).id),
        other_worker_id=to_global_id("Worker", (await Worker.get(account__email=other_worker)).id),
        client=client["token"],
        client_id=client["id"],
        client_email=client["email"],
    )


async def set_policy(api, team: Office, **values: Any) -> None:
    result = await api.data(POLICY, {"input": values}, token=team.admin)
    assert result["updateAgencyPolicy"]["userErrors"] == []


def weekday_ahead(days: int = 4, weekday: int | None = None) -> date:
    """A Monday-to-Friday day at least `days` ahead (or the next given weekday after it)."""
    day = datetime.now(PARIS).date() + timedelta(days=days)
    while day.weekday() >= 5 or (weekday is not None and day.weekday() != weekday):
        day += timedelta(days=1)
    return day


def at(day: date, hour: float, length_hours: float = 2) -> tuple[str, str]:
    start = datetime.combine(day, time(int(hour), int(hour % 1 * 60)), tzinfo=PARIS)
    return start.isoformat(), (start + timedelta(hours=length_hours)).isoformat()


def soon(hours: float, length_hours: float = 2) -> tuple[str, str]:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=hours)
    return start.isoformat(), (start + timedelta(hours=length_hours)).isoformat()


async def visit(
    api, team: Office, slot: tuple[str, str], worker_id: str | None = None, **more: Any
) -> str:
    values = {
        "clientId": team.client_id,
        "workerId": worker_id or team.worker_id,
        "serviceTypeCode": "REGULAR_CLEANING",
        "scheduledStart": slot[0],
        "scheduledEnd": slot[1],
        **more,
    }
    result = await api.data(SCHEDULE, {"input": values}, token=team.advisor)
    payload = result["scheduleIntervention"]
    assert payload["userErrors"] == [], payload
    return str(payload["intervention"]["id"])


# --- Reading answers ------------------------------------------------------------------------------


def pk(global_id: str) -> int:
    return from_global_id(global_id)[1]


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


async def eventually(check: Any, timeout: float = 10, every: float = 0.05) -> None:
    """Polls `check()` (async, truthy when done) until it holds; fails after `timeout`."""
    async with asyncio.timeout(timeout):
        while True:
            if await check():
                return
            await asyncio.sleep(every)


async def cancelled_after(run: Callable[[], Awaitable[Any]], delay: float) -> None:
    """Starts `run()`, cancels it after `delay` seconds, and checks it ended cancelled."""
    task = asyncio.ensure_future(run())
    await asyncio.sleep(delay)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def pool_all_back(client: Any) -> None:
    """Until every connection of the client's pool is back in it, or kept by the client
    for the next block (`Client.park`, models/backends/asyncpg.py) (PostgreSQL)."""
    pool = client._pool

    async def back() -> bool:
        return bool(pool.get_idle_size() + client.parked == pool.get_size())

    await eventually(back, timeout=5, every=0.01)


@contextmanager
def logged_statements(handler: logging.Handler) -> Iterator[None]:
    """`handler` is given every statement the ORM's clients log while the block runs."""
    log = logging.getLogger("tortoise.db_client")
    previous = log.level
    log.setLevel(logging.DEBUG)
    log.addHandler(handler)
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.setLevel(previous)


class QueryCounter(logging.Handler):
    """Counts the statements the ORM runs while serving one request id."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: dict[str, list[str]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        self.statements.setdefault(request_id_var.get(), []).append(record.getMessage())

    def beyond_the_kept(self, request_id: str) -> int:
        """The request's statements but those of what a process keeps a second: the
        caller's session (read when the process's copy of it is over a second old, written
        when its last use is) and an agency's rule settings (resolvers/agency/policy.py).
        What the request costs whatever the time between two requests of the same caller."""
        return sum(
            1
            for text in self.statements.get(request_id, ())
            if '"session"' not in text and _RULE_SETTINGS not in text
        )


# The statement reading an agency's rule settings.
_RULE_SETTINGS = 'FROM "agency" LEFT OUTER JOIN "agency_policy"'


# A page of the staff's clients, `$n` long.
CLIENTS_PAGE = (
    "query Page($n: Int) { clients(first: $n) { edges { node { id account { email } } } } }"
)


async def post_raw(api: Api, body: dict[str, Any] | list[Any], **kwargs: Any) -> httpx.Response:
    return await api.http.post("/graphql", json=body, **kwargs)


# --- Live visit events ----------------------------------------------------------------------------


EVENTS = """
subscription Events($since: String) {
  interventionEvents(since: $since) {
    cursor type occurredAt
    intervention { id status }
  }
}
"""

HEAD = "query { interventionEventsCursor }"


async def next_event(ws: WsClient, op_id: str, timeout: float = 5.0) -> dict[str, Any]:
    message = await ws.receive(timeout)
    assert message["type"] == "next" and message["id"] == op_id, message
    assert "errors" not in message["payload"], message
    return dict(message["payload"]["data"]["interventionEvents"])
