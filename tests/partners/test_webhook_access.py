"""Webhooks of partner applications (issue 18): who manages them, and an agency's events
reaching its own endpoints only (fixtures in tests/partners/conftest.py)."""

from __future__ import annotations

from models.enums import Role
from services.config import Settings
from tests import factories
from tests.client import Api
from tests.partners.factories import (
    DELETE,
    DELIVERIES,
    ENDPOINTS,
    ISSUE,
    REGISTER,
    SUBSCRIBE,
    UPDATE,
    Partner,
    partner,
    schedule,
    settled,
    subscribe,
)
from tests.partners.webhook_receiver import Receiver


async def test_another_agencys_events_never_reach_an_endpoint(
    hooks: Api, settings: Settings, receiver: Receiver
) -> None:
    team = await partner(hooks, settings)
    other = await partner(hooks, settings)
    await subscribe(hooks, team, receiver.url + "/ours")
    other_endpoint = (await subscribe(hooks, other, receiver.url + "/theirs"))["endpoint"]
    await schedule(hooks, other)
    ours = await schedule(hooks, team)
    await schedule(hooks, other)
    await receiver.wait_for(
        lambda: len([r for r in receiver.accepted() if "theirs" in r.path]) >= 2
    )
    await receiver.wait_for(lambda: any("ours" in r.path for r in receiver.accepted()))
    mine = [r.event for r in receiver.accepted() if r.path.endswith("/ours")]
    assert [e["data"]["interventionId"] for e in mine] == [ours]

    # Nor can its ADMIN see or touch the other agency's endpoint or application.
    code = await hooks.error_code(DELIVERIES, {"id": other_endpoint["id"]}, team.admin)
    assert code == "NOT_FOUND"
    code = await hooks.error_code(
        UPDATE, {"input": {"endpointId": other_endpoint["id"], "enabled": False}}, team.admin
    )
    assert code == "NOT_FOUND"
    code = await hooks.error_code(ENDPOINTS, {"id": other.application_id}, team.admin)
    assert code == "NOT_FOUND"
    stolen = await hooks.gql(
        SUBSCRIBE,
        {
            "input": {
                "applicationId": other.application_id,
                "url": receiver.url,
                "eventTypes": ["SCHEDULED"],
            }
        },
        team.admin,
    )
    assert stolen["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_only_an_admin_of_the_agency_manages_webhooks(
    hooks: Api, settings: Settings, receiver: Receiver
) -> None:
    team = await partner(hooks, settings)
    endpoint = (await subscribe(hooks, team, receiver.url))["endpoint"]
    advisor = await factories.log_in(
        hooks, await factories.staff(settings, team.agency_id, Role.ADVISOR)
    )
    variables = {
        "input": {"applicationId": team.application_id, "url": receiver.url, "eventTypes": ["LATE"]}
    }
    assert await hooks.error_code(SUBSCRIBE, variables, advisor) == "FORBIDDEN"
    assert await hooks.error_code(SUBSCRIBE, variables) == "UNAUTHENTICATED"
    assert await hooks.error_code(DELIVERIES, {"id": endpoint["id"]}, advisor) == "FORBIDDEN"
    assert await hooks.error_code(DELETE, {"input": {"endpointId": endpoint["id"]}}) == (
        "UNAUTHENTICATED"
    )
    on_application = await hooks.data(
        "query { partnerApplications { id webhookEndpoints { id url } } }", token=team.admin
    )
    assert on_application["partnerApplications"] == [
        {
            "id": team.application_id,
            "webhookEndpoints": [{"id": endpoint["id"], "url": receiver.url}],
        }
    ]
    deleted = await hooks.data(DELETE, {"input": {"endpointId": endpoint["id"]}}, team.admin)
    assert deleted["deleteWebhook"]["deletedEndpointId"] == endpoint["id"]
    listed = await hooks.data(ENDPOINTS, {"id": team.application_id}, team.admin)
    assert listed["webhookEndpoints"] == []


async def key(api: Api, team: Partner, application_id: str, scopes: list[str]) -> str:
    values = {"applicationId": application_id, "scopes": scopes, "label": "webhooks"}
    payload = (await api.data(ISSUE, {"input": values}, team.admin))["issuePartnerApiKey"]
    assert payload["userErrors"] == [], payload
    return str(payload["secret"])


async def test_an_application_manages_its_own_webhooks_with_a_webhooks_write_key(
    hooks: Api, settings: Settings, receiver: Receiver
) -> None:
    team = await partner(hooks, settings)
    writer = await key(hooks, team, team.application_id, ["WEBHOOKS_WRITE"])
    reader = await key(hooks, team, team.application_id, ["VISITS_READ"])
    sibling = (
        await hooks.data(REGISTER, {"input": {"name": "Paie", "description": ""}}, team.admin)
    )["registerPartnerApplication"]["application"]["id"]
    variables = {
        "input": {
            "applicationId": team.application_id,
            "url": receiver.url,
            "eventTypes": ["SCHEDULED"],
        }
    }
    subscribed = (await hooks.data(SUBSCRIBE, variables, writer))["subscribeWebhook"]
    assert subscribed["userErrors"] == [] and subscribed["secret"].startswith("whsec_")
    endpoint = subscribed["endpoint"]["id"]
    listed = await hooks.data(ENDPOINTS, {"id": team.application_id}, writer)
    assert [e["id"] for e in listed["webhookEndpoints"]] == [endpoint]
    await schedule(hooks, team)
    await receiver.wait_for(lambda: len(receiver.accepted()) >= 1)
    assert (await settled(hooks, endpoint, writer, 1))[0]["status"] == "DELIVERED"

    # Not another application's, even of its own agency; not without the scope.
    other = {"input": {**variables["input"], "applicationId": sibling}}
    assert await hooks.error_code(SUBSCRIBE, other, writer) == "NOT_FOUND"
    assert await hooks.error_code(ENDPOINTS, {"id": sibling}, writer) == "NOT_FOUND"
    admins_endpoint = (await hooks.data(SUBSCRIBE, other, team.admin))["subscribeWebhook"][
        "endpoint"
    ]["id"]
    assert await hooks.error_code(DELIVERIES, {"id": admins_endpoint}, writer) == "NOT_FOUND"
    assert await hooks.error_code(SUBSCRIBE, variables, reader) == "FORBIDDEN"
    assert await hooks.error_code(DELIVERIES, {"id": endpoint}, reader) == "FORBIDDEN"
