"""Webhooks of partner applications (issue 18): signed, in order, at least once.

A server of each module's own delivers (the `hooks` fixture of tests/partners/conftest.py:
the suite's shared server delivers none), with loopback allowed, short retries and a short
failure window; partners' endpoints are HTTP servers on loopback inside the test
(tests/partners/webhook_receiver.py). Who manages webhooks: test_webhook_access.py; where
they may go: test_webhook_addresses.py.
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from services.config import Settings
from tests.client import Api
from tests.mailbox import Mailbox
from tests.partners.factories import (
    DELIVERIES,
    ENDPOINTS,
    REPLAY,
    ROTATE,
    UPDATE,
    WINDOW_SECONDS,
    first_seen,
    partner,
    schedule,
    settled,
    snippet,
    subscribe,
)
from tests.partners.webhook_receiver import Receiver


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
