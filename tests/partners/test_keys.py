"""Partner applications and API keys (issue 18), through the public API: registering,
issuing, scopes, expiry, revocation and agencies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from models.accounts.security import SecurityEvent
from models.enums import Role
from models.partners import PartnerApiKey
from services.config import Settings
from tests import factories
from tests.client import Api
from tests.partners.factories import (
    APPLICATIONS,
    ISSUE,
    REGISTER,
    REVOKE,
    agency_with_prefix,
    household_with_codes,
    issue_key,
    key_pk,
    new_admin,
    register,
)

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


async def test_an_admin_registers_applications_its_agency_alone_sees(
    api: Api, settings: Settings
) -> None:
    _, admin = await new_admin(api, settings)
    _, other_admin = await new_admin(api, settings)

    application = await register(api, admin, "Compta")
    assert application["name"] == "Compta" and application["disabledAt"] is None

    listed = await api.data(APPLICATIONS, token=admin)
    assert [a["id"] for a in listed["partnerApplications"]] == [application["id"]]
    assert (await api.data(APPLICATIONS, token=other_admin))["partnerApplications"] == []

    again = await api.data(REGISTER, {"input": {"name": "Compta"}}, admin)
    assert again["registerPartnerApplication"]["userErrors"][0]["code"] == "TAKEN"
    too_long = await api.data(REGISTER, {"input": {"name": "x" * 101}}, admin)
    assert too_long["registerPartnerApplication"]["userErrors"][0]["field"] == ["name"]


async def test_only_an_admin_registers_or_lists_applications(api: Api, settings: Settings) -> None:
    agency_id, _ = await new_admin(api, settings)
    advisor = await factories.log_in(api, await factories.staff(settings, agency_id, Role.ADVISOR))
    assert await api.error_code(REGISTER, {"input": {"name": "X"}}, advisor) == "FORBIDDEN"
    assert await api.error_code(APPLICATIONS, token=advisor) == "FORBIDDEN"
    assert await api.error_code(APPLICATIONS) == "UNAUTHENTICATED"


async def test_a_key_is_issued_once_used_and_never_readable_again(
    api: Api, settings: Settings
) -> None:
    _, admin = await new_admin(api, settings)
    application = await register(api, admin)
    secret, key = await issue_key(api, admin, application["id"], ["VISITS_READ"], label="Prod")

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
    row = await PartnerApiKey.get(secret_hash__isnull=False, id=int(key_pk(key["id"])))
    assert secret not in (row.secret_hash, row.hint, row.label)


async def test_a_key_is_refused_what_its_scopes_do_not_open(api: Api, settings: Settings) -> None:
    _, admin = await new_admin(api, settings)
    application = await register(api, admin)
    secret, _ = await issue_key(api, admin, application["id"], ["VISITS_READ"])

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


CALENDAR = """
query Calendar($from: DateTime!, $to: DateTime!) {
  interventions(filter: { from: $from, to: $to }, first: 50) {
    edges { node { id status scheduledStart } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def test_a_planned_query_is_held_to_the_scopes_too(api: Api, settings: Settings) -> None:
    """The calendar is answered by a plan that skips extensions; a key never takes it."""
    _, admin = await new_admin(api, settings)
    application = await register(api, admin)
    visits, _ = await issue_key(api, admin, application["id"], ["VISITS_READ"])
    invoices, _ = await issue_key(api, admin, application["id"], ["INVOICES_READ"])
    now = datetime.now(UTC)
    week = {"from": now.isoformat(), "to": (now + timedelta(days=7)).isoformat()}

    assert (await api.data(CALENDAR, week, visits))["interventions"]["edges"] == []
    refused = await api.gql(CALENDAR, week, invoices)
    assert refused["errors"][0]["extensions"]["requiredScope"] == "visits:read"
    assert refused.get("data") is None


async def test_expired_and_revoked_keys_are_refused_while_a_rotated_one_works(
    api: Api, settings: Settings
) -> None:
    _, admin = await new_admin(api, settings)
    application = await register(api, admin)
    soon = (datetime.now(UTC) + timedelta(hours=1, minutes=5)).isoformat()
    old, old_key = await issue_key(api, admin, application["id"], ["VISITS_READ"], label="old")
    short, _ = await issue_key(api, admin, application["id"], ["VISITS_READ"], expiresAt=soon)
    new, new_key = await issue_key(api, admin, application["id"], ["VISITS_READ"], label="new")
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
    _, admin = await new_admin(api, settings)
    application = await register(api, admin)
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
    _, admin = await new_admin(api, settings)
    application = await register(api, admin)
    secret, key = await issue_key(api, admin, application["id"], ["VISITS_READ"])
    await api.data(SERVICE_TYPES, token=secret)
    first = (await PartnerApiKey.get(id=key_pk(key["id"]))).last_used_at
    await api.data(SERVICE_TYPES, token=secret)
    assert (await PartnerApiKey.get(id=key_pk(key["id"]))).last_used_at == first
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=2), tick=True):
        await api.data(SERVICE_TYPES, token=secret)
    later = (await PartnerApiKey.get(id=key_pk(key["id"]))).last_used_at
    assert first is not None and later is not None and later > first


async def test_a_key_never_sees_another_agency(api: Api, settings: Settings) -> None:
    agency_a, prefix_a = await agency_with_prefix(settings)
    agency_b, prefix_b = await agency_with_prefix(settings)
    _, admin_a = await new_admin(api, settings, agency_a)
    _, admin_b = await new_admin(api, settings, agency_b)
    client_a = await household_with_codes(api, prefix_a)
    client_b = await household_with_codes(api, prefix_b)
    application = await register(api, admin_a)
    secret, key = await issue_key(api, admin_a, application["id"], ["HOUSEHOLDS_READ"])

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
