"""Partner API keys (issue 18) on live sockets: following and deciding requests within
their scopes, and refused or closed once revoked."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.config import Settings
from tests import factories
from tests.client import Api, WsClient
from tests.mailbox import Mailbox, token_in
from tests.partners.factories import (
    REVOKE,
    agency_with_prefix,
    issue_key,
    new_admin,
    register,
)

PARIS = ZoneInfo("Europe/Paris")

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
    agency_id, prefix = await agency_with_prefix(settings)
    _, admin = await new_admin(api, settings, agency_id)
    application = await register(api, admin)
    reader, _ = await issue_key(api, admin, application["id"], ["REQUESTS_READ"])
    writer, _ = await issue_key(api, admin, application["id"], ["REQUESTS_READ", "REQUESTS_WRITE"])
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
    _, admin = await new_admin(api, settings)
    application = await register(api, admin)
    secret, key = await issue_key(api, admin, application["id"], ["VISITS_READ"])
    await api.data(REVOKE, {"input": {"keyId": key["id"]}}, admin)
    ws = await WsClient.connect(api, token=secret)
    assert await ws.closed_with() == 4403


async def test_revoking_a_key_closes_its_open_sockets(api: Api, settings: Settings) -> None:
    _, admin = await new_admin(api, settings)
    application = await register(api, admin)
    secret, key = await issue_key(api, admin, application["id"], ["VISITS_READ"])
    ws = await WsClient.connect(api, token=secret)
    await ws.ack()
    await ws.subscribe("subscription { interventionEvents { cursor type } }")
    cursor = await ws.execute("query { interventionEventsCursor }")
    assert cursor["type"] == "next" and cursor["payload"]["data"]["interventionEventsCursor"]

    await api.data(REVOKE, {"input": {"keyId": key["id"]}}, admin)
    assert await ws.closed_with() == 4403
