"""Webhooks of partner applications (issue 18): signed, in order, at least once, guarded.

A server of this module's own delivers (the suite's shared server delivers none), with
loopback allowed, short retries and a short failure window; partners' endpoints are
HTTP servers on loopback inside the test (tests/partners/webhook_receiver.py).
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from models.accounts.people import Client, Worker
from models.enums import Role
from schema.core.ids import to_global_id
from services.config import Settings
from services.webhook_http import WebhookClient
from tests import factories
from tests.client import Api
from tests.mailbox import Mailbox
from tests.partners.webhook_receiver import Receiver

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
WINDOW_SECONDS = 4.0

REGISTER = """
mutation Register($input: RegisterPartnerApplicationInput!) {
  registerPartnerApplication(input: $input) { application { id } userErrors { code } }
}
"""
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


@pytest.fixture(scope="module")
async def hooks(start, settings: Settings) -> AsyncIterator[Api]:
    """A server that delivers webhooks: the API of it, on the suite's database."""
    running = await start(
        settings.with_(
            webhook_concurrency=8,
            webhook_allow_loopback=True,
            webhook_retry_base_seconds=0.05,
            webhook_retry_max_seconds=0.4,
            webhook_poll_seconds=0.2,
            webhook_failure_window_seconds=WINDOW_SECONDS,
            webhook_max_endpoints=3,
        )
    )
    yield running.api
    await running.stop()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = await Receiver().start()
    yield found
    await found.stop()


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


async def test_a_delivery_verifies_with_the_documented_snippets(
    hooks: Api, settings: Settings, receiver: Receiver, tmp_path: Path
) -> None:
    team = await partner(hooks, settings)
    subscribed = await subscribe(hooks, team, receiver.url)
    assert subscribed["userErrors"] == []
    secret = subscribed["secret"]
    assert secret.startswith("whsec_")
    visit = await schedule(hooks, team)
    await receiver.wait_for(lambda: len(receiver.received) >= 1)
    delivery = receiver.received[0]

    namespace: dict[str, Any] = {}
    exec(snippet("python"), namespace)  # the documentation's code, as a partner copies it
    event = namespace["verify_webhook"](secret, delivery.headers, delivery.body)
    assert event["type"] == "SCHEDULED"
    assert event["id"] == delivery.headers["webhook-id"]
    assert event["data"]["interventionId"] == visit
    assert event["data"]["clientId"] == team.client_id
    assert set(event) == {"id", "type", "occurredAt", "data"}
    with pytest.raises(namespace["InvalidWebhook"]):
        namespace["verify_webhook"](secret, delivery.headers, delivery.body + b" ")
    other = "whsec_" + base64.b64encode(b"x" * 32).decode()
    with pytest.raises(namespace["InvalidWebhook"]):
        namespace["verify_webhook"](other, delivery.headers, delivery.body)

    if shutil.which("node") is None:
        pytest.skip("node is not installed: the JavaScript snippet is not run")
    script = tmp_path / "verify.js"
    script.write_text(
        snippet("javascript")
        + """
const input = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
const body = Buffer.from(input.body, "base64");
const event = verifyWebhook(input.secret, input.headers, body);
let tampered = "accepted";
try { verifyWebhook(input.secret, input.headers, Buffer.concat([body, Buffer.from(" ")])); }
catch (error) { tampered = "refused"; }
console.log(JSON.stringify({ event, tampered }));
"""
    )
    given = {
        "secret": secret,
        "headers": delivery.headers,
        "body": base64.b64encode(delivery.body).decode(),
    }
    done = await asyncio.to_thread(
        subprocess.run,
        ["node", str(script)],
        input=json.dumps(given),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out == {"event": event, "tampered": "refused"}


async def test_an_endpoint_that_fails_then_recovers_gets_each_event_once_in_order(
    hooks: Api, settings: Settings, receiver: Receiver
) -> None:
    receiver.answer = lambda index: 503 if index < 3 else 200  # down for three attempts
    team = await partner(hooks, settings)
    endpoint = (await subscribe(hooks, team, receiver.url))["endpoint"]
    for _ in range(5):
        await schedule(hooks, team)
    await receiver.wait_for(lambda: len(first_seen(receiver)) >= 5)

    events = [json.loads(r.body) for r in receiver.accepted()]
    cursors = [e["id"] for e in events]
    assert first_seen(receiver) == cursors[: len(first_seen(receiver))]
    # Log order: each cursor after the one before (ids only grow).
    numbers = [int(base64.urlsafe_b64decode(c + "==").decode().split(":")[1]) for c in cursors]
    assert numbers == sorted(numbers) and len(set(numbers)) == 5
    failed = [r for r in receiver.received if r.status == 503]
    assert len(failed) == 3
    assert {r.headers["webhook-id"] for r in failed} == {cursors[0]}  # nothing overtook it

    nodes = await settled(hooks, endpoint["id"], team.admin, 5)
    assert [n["eventCursor"] for n in reversed(nodes)] == cursors
    assert {n["status"] for n in nodes} == {"DELIVERED"}
    oldest = nodes[-1]
    assert oldest["attempts"] == 4 and oldest["lastResponseCode"] == 200
    assert all(n["attempts"] == 1 for n in nodes[:-1])
    listed = await hooks.data(ENDPOINTS, {"id": team.application_id}, team.admin)
    assert listed["webhookEndpoints"][0]["failingSince"] is None


async def test_replay_sends_again_every_event_after_a_cursor_in_order(
    hooks: Api, settings: Settings, receiver: Receiver
) -> None:
    team = await partner(hooks, settings)
    endpoint = (await subscribe(hooks, team, receiver.url))["endpoint"]
    for _ in range(3):
        await schedule(hooks, team)
    await receiver.wait_for(lambda: len(receiver.accepted()) >= 3)
    cursors = first_seen(receiver)

    replayed = await hooks.data(
        REPLAY, {"input": {"endpointId": endpoint["id"], "since": cursors[0]}}, team.admin
    )
    assert replayed["replayWebhook"]["userErrors"] == []
    await receiver.wait_for(lambda: len(receiver.accepted()) >= 5)
    again = [r.headers["webhook-id"] for r in receiver.accepted()[3:]]
    assert again == cursors[1:]
    assert first_seen(receiver) == cursors  # after deduplication: each event once


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


async def test_private_reserved_and_malformed_addresses_are_refused(
    hooks: Api, settings: Settings, start, receiver: Receiver
) -> None:
    team = await partner(hooks, settings)
    refused = {
        "http://10.1.2.3/hook": "URL_NOT_ALLOWED",
        "http://192.168.1.10/hook": "URL_NOT_ALLOWED",
        "http://169.254.169.254/latest/meta-data": "URL_NOT_ALLOWED",
        "http://[fe80::1]/hook": "URL_NOT_ALLOWED",
        "http://[::ffff:10.0.0.1]/hook": "URL_NOT_ALLOWED",
        "http://0.0.0.0:8080/hook": "URL_NOT_ALLOWED",
        "http://224.0.0.1/hook": "URL_NOT_ALLOWED",
        "http://240.0.0.1/hook": "URL_NOT_ALLOWED",
        "http://100.64.0.1/hook": "URL_NOT_ALLOWED",
        "ftp://example.com/hook": "INVALID_URL",
        "http://user:pw@example.com/hook": "INVALID_URL",
        "https://example.com/" + "a" * 2048: "INVALID_URL",
    }
    for url, code in refused.items():
        payload = await subscribe(hooks, team, url)
        assert payload["endpoint"] is None and payload["secret"] is None, url
        assert [e["code"] for e in payload["userErrors"]] == [code], url
    duplicate = await subscribe(hooks, team, receiver.url, ["LATE", "LATE"])
    assert duplicate["userErrors"][0]["code"] == "INVALID"
    for _ in range(3):  # this server allows 3 endpoints per application
        assert (await subscribe(hooks, team, receiver.url))["userErrors"] == []
    assert (await subscribe(hooks, team, receiver.url))["userErrors"][0]["code"] == "TOO_MANY"

    # Without the development setting, loopback is refused too, by address or by name.
    strict = await start(settings.with_(webhook_concurrency=0, webhook_allow_loopback=False))
    try:
        for url in (receiver.url, f"http://localhost:{receiver.port}/", "http://[::1]/"):
            payload = await subscribe(strict.api, team, url)
            assert payload["userErrors"][0]["code"] == "URL_NOT_ALLOWED", url
    finally:
        await strict.stop()


async def test_production_takes_https_endpoints_only(hooks: Api, settings: Settings, start) -> None:
    team = await partner(hooks, settings)
    production = await start(
        settings.with_(environment="production", webhook_concurrency=0, introspection="off")
    )
    try:
        payload = await subscribe(production.api, team, "http://93.184.215.14/hook")
        assert payload["userErrors"][0]["code"] == "INVALID_URL"
        assert payload["userErrors"][0]["field"] == ["url"]
    finally:
        await production.stop()


async def test_the_delivery_client_checks_the_address_again_before_each_request(
    receiver: Receiver,
) -> None:
    strict = WebhookClient(5, allow_loopback=False)
    lenient = WebhookClient(5, allow_loopback=True)
    try:
        for url in (receiver.url, f"http://localhost:{receiver.port}/hooks"):
            outcome = await strict.post(url, {}, b"{}")
            assert outcome.status_code is None and outcome.error.startswith("refused"), url
        assert receiver.received == []
        assert (await lenient.post(receiver.url, {}, b"{}")).status_code == 200
        receiver.answer = lambda index: 302  # a redirect is an answer, never followed
        assert (await lenient.post(receiver.url, {}, b"{}")).ok is False
        assert len(receiver.received) == 2
    finally:
        await strict.aclose()
        await lenient.aclose()


async def test_an_endpoint_failing_for_its_window_is_disabled_and_the_admins_told(
    hooks: Api, settings: Settings, receiver: Receiver, mailbox: Mailbox
) -> None:
    receiver.answer = lambda index: 500
    team = await partner(hooks, settings)
    endpoint = (await subscribe(hooks, team, receiver.url))["endpoint"]
    await schedule(hooks, team)
    await schedule(hooks, team)
    message = await mailbox.wait_for(team.admin_email, "webhook", timeout=WINDOW_SECONDS + 20)
    assert "Compta" in str(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    listed = await hooks.data(ENDPOINTS, {"id": team.application_id}, team.admin)
    assert listed["webhookEndpoints"][0]["enabled"] is False
    assert listed["webhookEndpoints"][0]["disabledReason"] == "FAILING"
    page = await hooks.data(DELIVERIES, {"id": endpoint["id"]}, team.admin)
    nodes = [edge["node"] for edge in page["webhookDeliveries"]["edges"]]
    assert {n["status"] for n in nodes} == {"FAILED"}
    assert nodes[-1]["attempts"] >= 2 and nodes[-1]["lastResponseCode"] == 500
    tried = len(receiver.received)
    assert {r.headers["webhook-id"] for r in receiver.received} == {nodes[-1]["eventCursor"]}

    # Back on: what happened while it was off follows, in order.
    receiver.answer = lambda index: 200
    enabled = await hooks.data(
        UPDATE, {"input": {"endpointId": endpoint["id"], "enabled": True}}, team.admin
    )
    assert enabled["updateWebhook"]["endpoint"]["enabled"] is True
    later = await schedule(hooks, team)
    await receiver.wait_for(
        lambda: any(r.event["data"]["interventionId"] == later for r in receiver.accepted())
    )
    assert len(receiver.received) > tried


async def test_a_rotated_secret_still_signs_during_the_overlap(
    hooks: Api, settings: Settings, receiver: Receiver
) -> None:
    team = await partner(hooks, settings)
    subscribed = await subscribe(hooks, team, receiver.url)
    old = subscribed["secret"]
    rotated = await hooks.data(
        ROTATE, {"input": {"endpointId": subscribed["endpoint"]["id"]}}, team.admin
    )
    new = rotated["rotateWebhookSecret"]["secret"]
    assert new.startswith("whsec_") and new != old
    assert rotated["rotateWebhookSecret"]["endpoint"]["previousSecretUntil"] is not None
    await schedule(hooks, team)
    await receiver.wait_for(lambda: len(receiver.received) >= 1)
    delivery = receiver.received[0]
    assert len(delivery.headers["webhook-signature"].split(" ")) == 2
    namespace: dict[str, Any] = {}
    exec(snippet("python"), namespace)
    for secret in (new, old):
        assert namespace["verify_webhook"](secret, delivery.headers, delivery.body)["id"]


ISSUE = """
mutation Issue($input: IssuePartnerApiKeyInput!) {
  issuePartnerApiKey(input: $input) { secret userErrors { code } }
}
"""


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


def _tls_for_localhost(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server, client) contexts: a self-signed certificate for `localhost`, trusted."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_path, key_path)
    client = ssl.create_default_context(cafile=str(cert_path))
    return server, client


async def test_https_goes_to_the_checked_address_with_the_name_verified(tmp_path: Path) -> None:
    server_tls, client_tls = _tls_for_localhost(tmp_path)
    receiver = await Receiver(tls=server_tls).start()
    client = WebhookClient(5, allow_loopback=True, verify=client_tls)
    try:
        outcome = await client.post(receiver.url, {"webhook-id": "x"}, b"{}")
        assert outcome.status_code == 200, outcome
        assert receiver.received[0].headers["host"] == f"localhost:{receiver.port}"
        # The certificate names localhost: the same address under another name is refused.
        by_address = receiver.url.replace("localhost", "127.0.0.1")
        outcome = await client.post(by_address, {}, b"{}")
        assert outcome.status_code is None and outcome.error, outcome
        assert len(receiver.received) == 1
    finally:
        await client.aclose()
        await receiver.stop()
