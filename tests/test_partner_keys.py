"""Partner applications and API keys (issue 18), through the public API."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import time_machine

from models.accounts import AgencyPostalPrefix
from models.enums import Role
from models.partners import PartnerApiKey
from models.security import SecurityEvent
from schema.ids import from_global_id
from services.config import Settings
from tests import factories
from tests.client import Api, WsClient
from tests.mailbox import Mailbox, token_in

PARIS = ZoneInfo("Europe/Paris")

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

KEYS = """
query Keys($applicationId: ID!) {
  partnerApiKeys(applicationId: $applicationId) {
    id label hint scopes lastUsedAt lastUsedNetwork revokedAt active
  }
}
"""

SERVICE_TYPES = "query { serviceTypes { code } }"
CLIENTS = "query { clients(first: 50) { edges { node { id } } } }"
HOUSEHOLD = """
query H($id: ID!) { clientHousehold(clientId: $id) { clientId accessCodes urgentPhone } }
"""
INVOICES = "query { invoices(first: 5) { edges { node { id } } } }"
ME = "query { me { id } }"


async def _admin(api: Api, settings: Settings, agency_id: int | None = None) -> tuple[int, str]:
    """A new agency (unless given) and a signed-in ADMIN of it: (agency id, token)."""
    agency_id = agency_id or await factories.agency(settings)
    email = await factories.staff(settings, agency_id, Role.ADMIN)
    return agency_id, await factories.log_in(api, email)


async def _register(api: Api, token: str, name: str = "Compta") -> dict[str, Any]:
    result = await api.data(
        REGISTER, {"input": {"name": name, "description": "Logiciel comptable"}}, token
    )
    payload = result["registerPartnerApplication"]
    assert payload["userErrors"] == [], payload
    return dict(payload["application"])


async def test_an_admin_registers_applications_its_agency_alone_sees(
    api: Api, settings: Settings
) -> None:
    _, admin = await _admin(api, settings)
    _, other_admin = await _admin(api, settings)

    application = await _register(api, admin, "Compta")
    assert application["name"] == "Compta" and application["disabledAt"] is None

    listed = await api.data(APPLICATIONS, token=admin)
    assert [a["id"] for a in listed["partnerApplications"]] == [application["id"]]
    assert (await api.data(APPLICATIONS, token=other_admin))["partnerApplications"] == []

    again = await api.data(REGISTER, {"input": {"name": "Compta"}}, admin)
    assert again["registerPartnerApplication"]["userErrors"][0]["code"] == "TAKEN"
    too_long = await api.data(REGISTER, {"input": {"name": "x" * 101}}, admin)
    assert too_long["registerPartnerApplication"]["userErrors"][0]["field"] == ["name"]


async def test_only_an_admin_registers_or_lists_applications(api: Api, settings: Settings) -> None:
    agency_id, _ = await _admin(api, settings)
    advisor = await factories.log_in(api, await factories.staff(settings, agency_id, Role.ADVISOR))
    assert await api.error_code(REGISTER, {"input": {"name": "X"}}, advisor) == "FORBIDDEN"
    assert await api.error_code(APPLICATIONS, token=advisor) == "FORBIDDEN"
    assert await api.error_code(APPLICATIONS) == "UNAUTHENTICATED"


async def _key(
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


async def _household(api: Api, agency_prefix: str) -> str:
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


async def _agency_with_prefix(settings: Settings) -> tuple[int, str]:
    agency_id = await factories.agency(settings)
    return agency_id, (await AgencyPostalPrefix.get(agency_id=agency_id)).prefix


async def test_a_key_is_issued_once_used_and_never_readable_again(
    api: Api, settings: Settings
) -> None:
    _, admin = await _admin(api, settings)
    application = await _register(api, admin)
    secret, key = await _key(api, admin, application["id"], ["VISITS_READ"], label="Prod")

    assert secret.startswith("psk_live_") and len(secret) > 40
    assert key["hint"] == secret[:13] + "…" and key["scopes"] == ["VISITS_READ"]
    assert key["active"] and key["lastUsedAt"] is None
    # Issuing is audited under the ADMIN, like every security event.
    assert await SecurityEvent.filter(kind="PARTNER_KEY_ISSUED").exists()

    served = await api.data(SERVICE_TYPES, token=secret)
    assert served["serviceTypes"]
    # Partners read the schema like any client.
    schema = await api.data("query { __schema { queryType { name } } __typename }", token=secret)
    assert schema["__schema"]["queryType"]["name"] == "Query"

    listed = (await api.data(KEYS, {"applicationId": application["id"]}, admin))["partnerApiKeys"]
    assert listed[0]["lastUsedAt"] is not None
    assert listed[0]["lastUsedNetwork"] == "127.0.0.0/24"
    # Only a digest is kept: the secret is nowhere in what the API or the table hold.
    assert secret not in str(listed)
    row = await PartnerApiKey.get(secret_hash__isnull=False, id=int(_pk(key["id"])))
    assert secret not in (row.secret_hash, row.hint, row.label)


def _pk(global_id: str) -> int:
    return from_global_id(global_id)[1]


async def test_a_key_is_refused_what_its_scopes_do_not_open(api: Api, settings: Settings) -> None:
    _, admin = await _admin(api, settings)
    application = await _register(api, admin)
    secret, _ = await _key(api, admin, application["id"], ["VISITS_READ"])

    result = await api.gql(INVOICES, token=secret)
    assert result["errors"][0]["extensions"] == {
        "code": "FORBIDDEN",
        "requiredScope": "invoices:read",
    }
    assert result.get("data") is None
    # A key never acts as a person: no account, no sign-in, no staff or ADMIN operation.
    for document, variables in (
        (ME, None),
        ("mutation { logOut { ok } }", None),
        (
            'mutation L($e: String!) { logIn(input: {email: $e, password: "x"}) { token } }',
            {"e": "someone@example.com"},
        ),
        (
            'mutation { changePassword(input: {currentPassword: "a", newPassword: "b"}) { ok } }',
            None,
        ),
        (REGISTER, {"input": {"name": "Pirate"}}),
        (ISSUE, {"input": {"applicationId": application["id"], "scopes": ["VISITS_READ"]}}),
        (APPLICATIONS, None),
        ('query { node(id: "QWNjb3VudDox") { id } }', None),
        # Hidden in a fragment, an allowed field beside a forbidden one.
        ("query { ...F } fragment F on Query { serviceTypes { code } me { id } }", None),
    ):
        refused = await api.gql(document, variables, secret)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN", (document, refused)


async def test_expired_and_revoked_keys_are_refused_while_a_rotated_one_works(
    api: Api, settings: Settings
) -> None:
    _, admin = await _admin(api, settings)
    application = await _register(api, admin)
    soon = (datetime.now(UTC) + timedelta(hours=1, minutes=5)).isoformat()
    old, old_key = await _key(api, admin, application["id"], ["VISITS_READ"], label="old")
    short, _ = await _key(api, admin, application["id"], ["VISITS_READ"], expiresAt=soon)
    new, new_key = await _key(api, admin, application["id"], ["VISITS_READ"], label="new")
    for secret in (old, short, new):
        assert await api.data(SERVICE_TYPES, token=secret)

    # Rotation: the old key revoked, the new one goes on working.
    revoked = await api.data(REVOKE, {"input": {"keyId": old_key["id"]}}, admin)
    assert revoked["revokePartnerApiKey"]["apiKey"]["active"] is False
    assert await api.error_code(SERVICE_TYPES, token=old) == "UNAUTHENTICATED"
    assert await api.data(SERVICE_TYPES, token=new)
    assert await SecurityEvent.filter(kind="PARTNER_KEY_REVOKED").exists()

    with time_machine.travel(datetime.now(UTC) + timedelta(hours=2), tick=True):
        assert await api.error_code(SERVICE_TYPES, token=short) == "UNAUTHENTICATED"
        assert await api.data(SERVICE_TYPES, token=new)
        keys = await api.data(KEYS, {"applicationId": application["id"]}, admin)

    listed = keys["partnerApiKeys"]
    assert [k["label"] for k in listed] == ["new", "", "old"]
    assert [k["id"] for k in listed if k["active"]] == [new_key["id"]]


async def test_expiry_and_scopes_are_checked_when_issuing(api: Api, settings: Settings) -> None:
    _, admin = await _admin(api, settings)
    application = await _register(api, admin)
    far = (datetime.now(UTC) + timedelta(days=400)).isoformat()
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    for values, field in (
        ({"scopes": ["VISITS_READ"], "expiresAt": far}, ["expiresAt"]),
        ({"scopes": ["VISITS_READ"], "expiresAt": past}, ["expiresAt"]),
        ({"scopes": []}, ["scopes"]),
        ({"scopes": ["VISITS_READ"], "label": "x" * 101}, ["label"]),
    ):
        values["applicationId"] = application["id"]
        payload = (await api.data(ISSUE, {"input": values}, admin))["issuePartnerApiKey"]
        assert payload["secret"] is None and payload["apiKey"] is None
        assert payload["userErrors"][0]["field"] == field, payload


async def test_last_use_is_written_at_most_once_a_minute(api: Api, settings: Settings) -> None:
    _, admin = await _admin(api, settings)
    application = await _register(api, admin)
    secret, key = await _key(api, admin, application["id"], ["VISITS_READ"])
    await api.data(SERVICE_TYPES, token=secret)
    first = (await PartnerApiKey.get(id=_pk(key["id"]))).last_used_at
    await api.data(SERVICE_TYPES, token=secret)
    assert (await PartnerApiKey.get(id=_pk(key["id"]))).last_used_at == first
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=2), tick=True):
        await api.data(SERVICE_TYPES, token=secret)
    later = (await PartnerApiKey.get(id=_pk(key["id"]))).last_used_at
    assert first is not None and later is not None and later > first


async def test_a_key_never_sees_another_agency(api: Api, settings: Settings) -> None:
    agency_a, prefix_a = await _agency_with_prefix(settings)
    agency_b, prefix_b = await _agency_with_prefix(settings)
    _, admin_a = await _admin(api, settings, agency_a)
    _, admin_b = await _admin(api, settings, agency_b)
    client_a = await _household(api, prefix_a)
    client_b = await _household(api, prefix_b)
    application = await _register(api, admin_a)
    secret, key = await _key(api, admin_a, application["id"], ["HOUSEHOLDS_READ"])

    listed = await api.data(CLIENTS, token=secret)
    assert [e["node"]["id"] for e in listed["clients"]["edges"]] == [client_a]
    household = (await api.data(HOUSEHOLD, {"id": client_a}, secret))["clientHousehold"]
    # The household's file, but never the keys to its home or its urgent number.
    assert household == {"clientId": client_a, "accessCodes": None, "urgentPhone": None}
    assert (await api.data(HOUSEHOLD, {"id": client_b}, secret))["clientHousehold"] is None

    # The other agency's ADMIN can neither list nor revoke the key.
    assert await api.data(KEYS, {"applicationId": application["id"]}, admin_b) == {
        "partnerApiKeys": []
    }
    revoked = await api.data(REVOKE, {"input": {"keyId": key["id"]}}, admin_b)
    assert revoked["revokePartnerApiKey"]["userErrors"][0]["code"] == "NOT_FOUND"
    issued = await api.data(
        ISSUE, {"input": {"applicationId": application["id"], "scopes": ["VISITS_READ"]}}, admin_b
    )
    assert issued["issuePartnerApiKey"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert await api.data(CLIENTS, token=secret)


REQUEST_EVENTS = "subscription { requestEvents { cursor type } }"
REQUEST_CHANGE = """
mutation Request($input: RequestChangeInput!) {
  requestChange(input: $input) { request { id status } userErrors { field message code } }
}
"""
VERIFY = """
mutation VerifyEmail($token: String!) { verifyEmail(token: $token) { userErrors { code } } }
"""
REVIEW = """
mutation Review($input: ReviewChangeRequestInput!) {
  reviewChangeRequest(input: $input) {
    request { id status decisionReason } userErrors { field message code }
  }
}
"""


def _weekday_ahead(days: int) -> date:
    day = datetime.now(PARIS).date() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


async def test_a_key_follows_and_decides_requests_over_its_scopes(
    api: Api, settings: Settings, mailbox: Mailbox
) -> None:
    agency_id, prefix = await _agency_with_prefix(settings)
    _, admin = await _admin(api, settings, agency_id)
    application = await _register(api, admin)
    reader, _ = await _key(api, admin, application["id"], ["REQUESTS_READ"])
    writer, _ = await _key(api, admin, application["id"], ["REQUESTS_READ", "REQUESTS_WRITE"])
    email, _ = await factories.client(
        api,
        billingAddress={
            "line1": "3 rue des Lilas",
            "postalCode": factories.postal_code(prefix),
            "city": "Ville",
        },
    )
    link = token_in(await mailbox.wait_for(email, "Confirmez"))
    verified = await api.data(VERIFY, {"token": link})
    assert verified["verifyEmail"]["userErrors"] == [], verified
    household = await factories.log_in(api, email)

    ws = await WsClient.connect(api, token=reader)
    await ws.ack()
    op_id = await ws.subscribe(REQUEST_EVENTS)
    refused = await ws.execute("subscription { messageEvents { cursor } }")
    assert refused["type"] == "error", refused
    assert refused["payload"][0]["extensions"]["code"] == "FORBIDDEN"

    start = datetime.combine(_weekday_ahead(21), time(10), tzinfo=PARIS)
    asked = await api.data(
        REQUEST_CHANGE,
        {
            "input": {
                "kind": "EXTRA_VISIT",
                "serviceTypeCode": "WINDOWS",
                "scheduledStart": start.isoformat(),
                "scheduledEnd": (start + timedelta(hours=2)).isoformat(),
            }
        },
        household,
    )
    assert asked["requestChange"]["userErrors"] == [], asked
    request = asked["requestChange"]["request"]
    assert request["status"] == "PENDING", asked
    event = await ws.receive()
    assert event["id"] == op_id and event["payload"]["data"]["requestEvents"]["type"] == (
        "REQUEST_CREATED"
    ), event
    await ws.close()

    decision = {"requestId": request["id"], "decision": "REJECT", "reason": "Complet"}
    assert await api.error_code(REVIEW, {"input": decision}, reader) == "FORBIDDEN"
    decided = await api.data(REVIEW, {"input": decision}, writer)
    assert decided["reviewChangeRequest"]["request"]["status"] == "REJECTED", decided


async def test_a_revoked_key_cannot_open_a_socket(api: Api, settings: Settings) -> None:
    _, admin = await _admin(api, settings)
    application = await _register(api, admin)
    secret, key = await _key(api, admin, application["id"], ["VISITS_READ"])
    await api.data(REVOKE, {"input": {"keyId": key["id"]}}, admin)
    ws = await WsClient.connect(api, token=secret)
    assert await ws.closed_with() == 4403


async def test_revoking_a_key_closes_its_open_sockets(api: Api, settings: Settings) -> None:
    _, admin = await _admin(api, settings)
    application = await _register(api, admin)
    secret, key = await _key(api, admin, application["id"], ["VISITS_READ"])
    ws = await WsClient.connect(api, token=secret)
    await ws.ack()
    await ws.subscribe("subscription { interventionEvents { cursor type } }")
    cursor = await ws.execute("query { interventionEventsCursor }")
    assert cursor["type"] == "next" and cursor["payload"]["data"]["interventionEventsCursor"]

    await api.data(REVOKE, {"input": {"keyId": key["id"]}}, admin)
    assert await ws.closed_with() == 4403
