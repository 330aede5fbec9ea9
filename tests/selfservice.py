"""An agency of its own for self-service tests (its policy changes touch nobody else)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from models.accounts.people import Client, Worker
from models.enums import Role
from resolvers.agency.staff import create_agency
from schema.core.ids import to_global_id
from tests import factories
from tests.mailbox import Mailbox, token_in
from tests.test_interventions import SCHEDULE

PARIS = ZoneInfo("Europe/Paris")
_prefixes = itertools.count(1)

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
    email, _ = await factories.client(
        api,
        billingAddress={"line1": "3 rue Haute", "postalCode": postal_code, "city": "Testville"},
        **overrides,
    )
    if verify:
        message = await mailbox.wait_for(email, "Confirmez")
        assert (await api.data(VERIFY, {"token": token_in(message)}))["verifyEmail"][
            "userErrors"
        ] == []
    client = await Client.get(account__email=email)
    return {
        "email": email,
        "token": await factories.log_in(api, email),
        "id": to_global_id("Client", client.id),
    }


async def office(api, settings, mailbox: Mailbox) -> Office:
    prefix = f"09{next(_prefixes):03d}"
    agency = await create_agency(f"Agence {prefix}", [prefix])
    admin = await factories.staff(settings, agency.id, Role.ADMIN)
    advisor = await factories.staff(settings, agency.id, Role.ADVISOR)
    worker = await factories.staff(settings, agency.id, Role.WORKER)
    other_worker = await factories.staff(settings, agency.id, Role.WORKER)
    client = await household(api, mailbox, prefix)
    return Office(
        agency_id=agency.id,
        postal_code=prefix,
        admin=await factories.log_in(api, admin),
        advisor=await factories.log_in(api, advisor),
        worker=await factories.log_in(api, worker),
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
