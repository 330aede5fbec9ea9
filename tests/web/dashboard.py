"""The dashboard's browser tests: a morning of an agency of its own, signing in, panels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from models.accounts.people import Client, Worker
from models.enums import Role
from resolvers.agency.staff import create_agency
from schema.core.ids import to_global_id
from tests import factories
from tests.client import Api
from tests.factories import CHECK_IN, CHECK_OUT, PASSWORD, SCHEDULE
from tests.ratings.factories import RATE

STAFF_PANELS = '[data-panel="requests"], [data-panel="conversations"], [data-panel="ratings"]'

WORKERS = [("Fatou", "Diallo"), ("Lucas", "Petit"), ("Inès", "Garnier"), ("Marc", "Faure")]

CLIENTS = [
    ("Jeanne", "Dupont", "12 rue Lepic", "75018"),
    ("Paul", "Lambert", "4 rue des Batignolles", "75017"),
    ("Hélène", "Roux", "31 rue Caulaincourt", "75018"),
    ("Michel", "Fontaine", "8 avenue de Villiers", "75017"),
    ("Anne", "Girard", "17 rue Damrémont", "75018"),
]


class Day:
    """An agency of its own in the north-west of Paris, with a morning to watch."""

    staff_email = ""
    staff_token = ""
    worker_tokens: list[str]
    worker_ids: list[str]
    client_ids: list[str]
    client_emails: list[str]
    client_tokens: list[str]
    visits: list[str]


async def gql_data(api: Api, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    return await api.data(query, variables, token=token)


async def build_day(api: Api, settings: Any, moved: dict[str, str] | None = None) -> Day:
    """`moved` maps the north-west codes to others, for a second agency in one session.

    Its visits start within minutes and are read back on the staff's view of today: the
    tests that build it run in working hours (the `daytime` fixture), not at 23:55.
    """
    moved = moved or {}
    day = Day()
    codes = [moved.get(code, code) for code in ("75017", "75018")]
    agency = await create_agency("Agence Paris Nord-Ouest", codes)
    day.staff_email = await factories.staff(settings, agency.id, Role.ADVISOR)
    staff_token = day.staff_token = await factories.log_in(api, day.staff_email)
    day.worker_tokens, worker_ids = [], []
    for first, last in WORKERS:
        email = await factories.staff(settings, agency.id, Role.WORKER)
        worker = await Worker.get(account__email=email).prefetch_related("account")
        worker.account.first_name, worker.account.last_name = first, last
        await worker.account.save()
        day.worker_tokens.append(await factories.log_in(api, email))
        worker_ids.append(to_global_id("Worker", worker.id))
    client_ids, client_tokens, day.client_emails = [], [], []
    for first, last, line1, postal_code in CLIENTS:
        address = {
            "line1": line1,
            "postalCode": moved.get(postal_code, postal_code),
            "city": "Paris",
        }
        email, _ = await factories.client(
            api, firstName=first, lastName=last, billingAddress=address
        )
        client = await Client.get(account__email=email)
        assert client.agency_id == agency.id
        client_ids.append(to_global_id("Client", client.id))
        client_tokens.append(await factories.log_in(api, email))
        day.client_emails.append(email)
    day.worker_ids, day.client_ids, day.client_tokens = worker_ids, client_ids, client_tokens
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=2)
    day.visits = []
    # (worker, client, minutes from now, hours): the first two are checked in by the test.
    for w, c, minutes, hours in [(0, 0, 2, 2), (1, 1, 3, 2), (2, 2, 2, 1), (3, 3, 4, 3)]:
        begin = start + timedelta(minutes=minutes)
        result = await gql_data(
            api,
            SCHEDULE,
            {
                "input": {
                    "clientId": client_ids[c],
                    "workerId": worker_ids[w],
                    "serviceTypeCode": "REGULAR_CLEANING" if w != 2 else "IRONING",
                    "scheduledStart": begin.isoformat(),
                    "scheduledEnd": (begin + timedelta(hours=hours)).isoformat(),
                }
            },
            staff_token,
        )
        assert result["scheduleIntervention"]["userErrors"] == [], result
        day.visits.append(result["scheduleIntervention"]["intervention"]["id"])
    # One visit already done and rated, one worker on site: a day under way.
    await attend(api, CHECK_IN, day.visits[2], day.worker_tokens[2])
    await attend(api, CHECK_OUT, day.visits[2], day.worker_tokens[2])
    rated = await gql_data(
        api,
        RATE,
        {"input": {"interventionId": day.visits[2], "score": 5, "comment": "Impeccable."}},
        client_tokens[2],
    )
    assert rated["rateIntervention"]["userErrors"] == [], rated
    await attend(api, CHECK_IN, day.visits[3], day.worker_tokens[3])
    return day


async def attend(api: Api, query: str, visit_id: str, token: str) -> None:
    result = await api.data(query, {"input": {"interventionId": visit_id}}, token=token)
    payload = next(iter(result.values()))
    assert payload["userErrors"] == [], payload


async def sign_in(page: Any, base_url: str, email: str) -> None:
    await page.goto(f"{base_url}/dashboard")
    await page.get_by_label("Adresse e-mail").fill(email)
    await page.get_by_label("Mot de passe").fill(PASSWORD)
    await page.get_by_role("button", name="Se connecter").click()
    await page.wait_for_selector("body[data-ready]")
    await page.wait_for_selector('#live[data-state="live"]')


SEND = """
mutation Send($input: SendMessageInput!) {
  sendMessage(input: $input) { message { id conversation { id } } userErrors { code message } }
}
"""
