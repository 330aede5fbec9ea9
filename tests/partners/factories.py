"""Partners for tests: applications and their API keys; for webhooks, a partner team
(an agency with an ADMIN, a worker, a household and an application), its endpoints and
the events it is sent."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from models.accounts.people import AgencyPostalPrefix, Client, Worker
from models.enums import Role
from schema.core.ids import from_global_id, to_global_id
from services.config import Settings
from tests import factories
from tests.client import Api
from tests.partners.webhook_receiver import Receiver

REGISTER = """
mutation Register($input: RegisterPartnerApplicationInput!) {
  registerPartnerApplication(input: $input) {
    application { id name description createdAt disabledAt }
    userErrors { field message code }
  }
}
"""

APPLICATIONS = "query { partnerApplications { id name } }"

ISSUE = """
mutation Issue($input: IssuePartnerApiKeyInput!) {
  issuePartnerApiKey(input: $input) {
    secret
    apiKey { id label hint scopes expiresAt revokedAt lastUsedAt active }
    userErrors { field message code }
  }
}
"""

REVOKE = """
mutation Revoke($input: RevokePartnerApiKeyInput!) {
  revokePartnerApiKey(input: $input) {
    apiKey { id revokedAt active }
    userErrors { field message code }
  }
}
"""


async def new_admin(api: Api, settings: Settings, agency_id: int | None = None) -> tuple[int, str]:
    """A new agency (unless given) and a signed-in ADMIN of it: (agency id, token)."""
    agency_id = agency_id or await factories.agency(settings)
    email = await factories.staff(settings, agency_id, Role.ADMIN)
    return agency_id, await factories.log_in(api, email)


async def register(api: Api, token: str, name: str = "Compta") -> dict[str, Any]:
    result = await api.data(
        REGISTER, {"input": {"name": name, "description": "Logiciel comptable"}}, token
    )
    payload = result["registerPartnerApplication"]
    assert payload["userErrors"] == [], payload
    return dict(payload["application"])


async def issue_key(
    api: Api,
    admin: str,
    application_id: str,
    scopes: list[str],
    **extra: Any,
) -> tuple[str, dict[str, Any]]:
    """Issues a key; returns (secret, the key as listed)."""
    values = {"applicationId": application_id, "scopes": scopes, **extra}
    payload = (await api.data(ISSUE, {"input": values}, admin))["issuePartnerApiKey"]
    assert payload["userErrors"] == [], payload
    return str(payload["secret"]), dict(payload["apiKey"])


async def household_with_codes(api: Api, agency_prefix: str) -> str:
    """A client of the agency serving `agency_prefix`, with the codes to its door; returns
    its client id."""
    email, _ = await factories.client(
        api,
        billingAddress={
            "line1": "3 rue des Lilas",
            "postalCode": factories.postal_code(agency_prefix),
            "city": "Ville",
        },
    )
    token = await factories.log_in(api, email)
    me = await api.data("query { me { client { id } } }", token=token)
    saved = await api.data(
        "mutation U($input: UpdateHouseholdProfileInput!) { updateHouseholdProfile(input: $input)"
        " { userErrors { code } } }",
        {"input": {"accessCodes": "Digicode 4512B"}},
        token,
    )
    assert saved["updateHouseholdProfile"]["userErrors"] == [], saved
    return str(me["me"]["client"]["id"])


async def agency_with_prefix(settings: Settings) -> tuple[int, str]:
    agency_id = await factories.agency(settings)
    return agency_id, (await AgencyPostalPrefix.get(agency_id=agency_id)).prefix


def key_pk(global_id: str) -> int:
    return from_global_id(global_id)[1]


# Webhooks

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
WINDOW_SECONDS = 4.0

SUBSCRIBE = """
mutation Subscribe($input: SubscribeWebhookInput!) {
  subscribeWebhook(input: $input) {
    endpoint { id url eventTypes enabled cursor }
    secret
    userErrors { field message code }
  }
}
"""
UPDATE = """
mutation Update($input: UpdateWebhookInput!) {
  updateWebhook(input: $input) {
    endpoint { id enabled disabledReason failingSince }
    userErrors { field code }
  }
}
"""
DELETE = """
mutation Delete($input: WebhookEndpointInput!) {
  deleteWebhook(input: $input) { deletedEndpointId userErrors { code } }
}
"""
ROTATE = """
mutation Rotate($input: WebhookEndpointInput!) {
  rotateWebhookSecret(input: $input) {
    secret endpoint { previousSecretUntil } userErrors { code }
  }
}
"""
REPLAY = """
mutation Replay($input: ReplayWebhookInput!) {
  replayWebhook(input: $input) { endpoint { cursor } userErrors { code } }
}
"""
ENDPOINTS = """
query Endpoints($id: ID!) {
  webhookEndpoints(applicationId: $id) { id enabled disabledReason failingSince }
}
"""
DELIVERIES = """
query Deliveries($id: ID!, $first: Int, $after: String) {
  webhookDeliveries(endpointId: $id, first: $first, after: $after) {
    edges { node {
      id eventCursor eventType status attempts lastResponseCode lastError nextAttemptAt
      deliveredAt
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
SCHEDULE = """
mutation Schedule($input: ScheduleInterventionInput!) {
  scheduleIntervention(input: $input) { intervention { id } userErrors { code } }
}
"""


@dataclass
class Partner:
    """An agency with an ADMIN, a worker, a household and a partner application."""

    agency_id: int
    admin: str  # token
    admin_email: str
    application_id: str
    worker_id: str
    client_id: str
    visits: int = 0


async def partner(api: Api, settings: Settings) -> Partner:
    prefix = factories.new_prefix()
    agency_id = await factories.agency(settings, [prefix])
    admin_email = await factories.staff(settings, agency_id, Role.ADMIN)
    admin = await factories.log_in(api, admin_email)
    worker_email = await factories.staff(settings, agency_id, Role.WORKER)
    address = {"line1": "3 rue Haute", "postalCode": factories.postal_code(prefix), "city": "X"}
    client_email, _ = await factories.client(api, billingAddress=address)
    worker = await Worker.get(account__email=worker_email)
    client = await Client.get(account__email=client_email)
    registered = await api.data(
        REGISTER, {"input": {"name": "Compta", "description": "Logiciel"}}, admin
    )
    application = registered["registerPartnerApplication"]["application"]
    return Partner(
        agency_id,
        admin,
        admin_email,
        application["id"],
        to_global_id("Worker", worker.id),
        to_global_id("Client", client.id),
    )


async def subscribe(
    api: Api, team: Partner, url: str, types: list[str] | None = None
) -> dict[str, Any]:
    result = await api.data(
        SUBSCRIBE,
        {
            "input": {
                "applicationId": team.application_id,
                "url": url,
                "eventTypes": types or ["SCHEDULED"],
            }
        },
        team.admin,
    )
    return dict(result["subscribeWebhook"])


async def schedule(api: Api, team: Partner) -> str:
    """A visit scheduled by the ADMIN: one SCHEDULED event in the agency's log."""
    team.visits += 1
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3, hours=3 * team.visits)
    values = {
        "clientId": team.client_id,
        "workerId": team.worker_id,
        "serviceTypeCode": "REGULAR_CLEANING",
        "scheduledStart": start.isoformat(),
        "scheduledEnd": (start + timedelta(hours=2)).isoformat(),
    }
    result = await api.data(SCHEDULE, {"input": values}, team.admin)
    payload = result["scheduleIntervention"]
    assert payload["userErrors"] == [], payload
    return str(payload["intervention"]["id"])


async def settled(api: Api, endpoint_id: str, token: str, count: int) -> list[dict[str, Any]]:
    """The endpoint's deliveries, newest first, once `count` are marked delivered (a
    delivery is marked just after the endpoint answered: a moment after it arrived)."""
    for _ in range(200):
        page = await api.data(DELIVERIES, {"id": endpoint_id, "first": 20}, token)
        nodes = [edge["node"] for edge in page["webhookDeliveries"]["edges"]]
        if len([n for n in nodes if n["status"] == "DELIVERED"]) >= count:
            return nodes
        await asyncio.sleep(0.05)
    raise AssertionError(f"deliveries not marked: {nodes}")


def first_seen(receiver: Receiver) -> list[str]:
    """The ids a partner processes: accepted deliveries, each id once, in arrival order."""
    seen: list[str] = []
    for delivery in receiver.accepted():
        if delivery.headers["webhook-id"] not in seen:
            seen.append(delivery.headers["webhook-id"])
    return seen


def snippet(language: str) -> str:
    """A verification snippet of docs/webhooks.md, verbatim."""
    text = DOC.read_text()
    found = re.search(
        rf"<!-- snippet: verify-{language} -->\n```{language}\n(.*?)\n```", text, re.DOTALL
    )
    assert found, f"no {language} snippet in {DOC.name}"
    return found.group(1)
