"""Premium call-backs: the promise in working hours, the queue's order, outcomes, overdue."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models.accounts.people import Account, Client
from models.enums import CallbackUrgency, Role
from resolvers.agency.opening_hours import DEFAULT_OPENING_HOURS
from resolvers.care import callbacks
from schema.core.ids import to_global_id
from services.clock import Warp, set_warp
from tests import factories
from tests.client import WsClient
from tests.factories import HEAD, PARIS, Agency, pk

PREMIUM_HOURS = 8.0
# Fixed instants (Paris wall clock) around a weekend and a public holiday.
SATURDAY_11H = datetime(2026, 11, 28, 11, 0, tzinfo=PARIS)
MONDAY_15H = datetime(2026, 11, 30, 15, 0, tzinfo=PARIS)
TUESDAY_17H = datetime(2026, 11, 10, 17, 0, tzinfo=PARIS)  # the eve of 11 November
THURSDAY_10H = datetime(2026, 11, 12, 10, 0, tzinfo=PARIS)

SET_PREMIUM = """
mutation Premium($input: SetClientPremiumInput!) {
  setClientPremium(input: $input) { premium userErrors { code } }
}
"""
FIELDS = """
id clientId topic urgency dueAt overdue outcome outcomeNote handledAt phone slots { start end }
"""
REQUEST = f"""
mutation Ask($input: RequestCallbackInput!) {{
  requestCallback(input: $input) {{ request {{ {FIELDS} }} userErrors {{ field code }} }}
}}
"""
LOG = f"""
mutation Log($input: LogCallbackInput!) {{
  logCallback(input: $input) {{ request {{ {FIELDS} }} userErrors {{ field code }} }}
}}
"""
QUEUE = f"query {{ callbackQueue(first: 50) {{ {FIELDS} }} }}"
SUPPORT = "query { premiumSupport { premium phone } }"
SETTINGS = """
mutation Settings($input: UpdateCareSettingsInput!) {
  updateCareSettings(input: $input) { settings { premiumSupportPhone } userErrors { code } }
}
"""
EVENTS = """
subscription($since: String) { callbackEvents(since: $since) { type request { id overdue } } }
"""


@contextmanager
def clock_at(instant: datetime) -> Iterator[None]:
    """The server's clock stands still at `instant` (the test server runs in this process)."""
    set_warp(Warp(datetime.now(UTC), instant.astimezone(UTC), 0.0))
    try:
        yield
    finally:
        set_warp(None)


def test_a_promise_made_on_saturday_morning_runs_over_the_weekend():
    due = callbacks.due_at(
        SATURDAY_11H, CallbackUrgency.NORMAL, PREMIUM_HOURS, DEFAULT_OPENING_HOURS, "Europe/Paris"
    )
    # One hour on Saturday (9:00-12:00), none on Sunday, seven on Monday from 8:00.
    assert due == MONDAY_15H.astimezone(UTC)


def test_an_urgent_promise_skips_a_public_holiday():
    due = callbacks.due_at(
        TUESDAY_17H, CallbackUrgency.URGENT, PREMIUM_HOURS, DEFAULT_OPENING_HOURS, "Europe/Paris"
    )
    # Half the premium promise: two hours on Tuesday, 11 November closed, two on Thursday.
    assert due == THURSDAY_10H.astimezone(UTC)


@pytest.fixture
async def team(api, team: Agency) -> Agency:
    """The shared team, its client premium."""
    await make_premium(api, team, team.client_id)
    return team


async def make_premium(api, team: Agency, client_id: str) -> None:
    result = await api.data(
        SET_PREMIUM, {"input": {"clientId": client_id, "premium": True}}, token=team.staff_token
    )
    assert result["setClientPremium"]["premium"] is True


def ask(start: datetime, urgency: str = "NORMAL", **extra) -> dict[str, Any]:
    slot = {
        "start": (start + timedelta(hours=1)).isoformat(),
        "end": (start + timedelta(hours=3)).isoformat(),
    }
    return {"input": {"topic": "BILLING", "urgency": urgency, "slots": [slot], **extra}}


async def test_due_times_follow_working_hours_through_the_api(api, team):
    with clock_at(SATURDAY_11H):
        made = (await api.data(REQUEST, ask(SATURDAY_11H), token=team.client_token))[
            "requestCallback"
        ]
    assert made["userErrors"] == []
    assert datetime.fromisoformat(made["request"]["dueAt"]) == MONDAY_15H
    assert made["request"]["phone"] == "+33612345678"
    with clock_at(TUESDAY_17H):
        urgent = (await api.data(REQUEST, ask(TUESDAY_17H, "URGENT"), token=team.client_token))[
            "requestCallback"
        ]
    assert datetime.fromisoformat(urgent["request"]["dueAt"]) == THURSDAY_10H


async def test_urgent_requests_come_first_then_the_soonest_due(api, team, settings):
    second_email, _ = await factories.client(api)
    second = await factories.log_in(api, second_email)

    second_id = (await Client.get(account__email=second_email)).id
    await make_premium(api, team, to_global_id("Client", second_id))
    with clock_at(SATURDAY_11H):
        normal_early = await api.data(REQUEST, ask(SATURDAY_11H), token=team.client_token)
    with clock_at(SATURDAY_11H + timedelta(hours=30)):  # Sunday: due later on Monday
        normal_late = await api.data(REQUEST, ask(SATURDAY_11H + timedelta(hours=30)), token=second)
        urgent = await api.data(
            REQUEST, ask(SATURDAY_11H + timedelta(hours=30), "URGENT"), token=second
        )
        queue = (await api.data(QUEUE, token=team.staff_token))["callbackQueue"]
    ids = [row["id"] for row in queue]
    wanted = [
        urgent["requestCallback"]["request"]["id"],
        normal_early["requestCallback"]["request"]["id"],
        normal_late["requestCallback"]["request"]["id"],
    ]
    assert [i for i in ids if i in wanted] == wanted
    urgent_rows = [row for row in queue if row["urgency"] == "URGENT"]
    assert queue[: len(urgent_rows)] == urgent_rows


async def test_staff_log_the_outcome_live_and_a_missed_due_time_is_flagged(
    api, server, team, mailbox
):
    household = await Account.get(client__id=pk(team.client_id))
    head = (await api.data(HEAD, token=team.staff_token))["interventionEventsCursor"]
    ws = await WsClient.connect(api, token=team.staff_token)
    await ws.ack()
    await ws.subscribe(EVENTS, {"since": head})
    # The clock stands at Saturday until the sweep: on the real clock the promise (Monday
    # 30 November) is past, and the server's own periodic sweep would flag it first.
    with clock_at(SATURDAY_11H):
        made = (await api.data(REQUEST, ask(SATURDAY_11H), token=team.client_token))[
            "requestCallback"
        ]["request"]
        event = await event_about(ws, made["id"])
        assert (event["type"], event["request"]["id"]) == ("CALLBACK_REQUESTED", made["id"])
        await mailbox.wait_for(household.email, "rappel")

    with clock_at(MONDAY_15H + timedelta(minutes=1)):
        # The sweep every process runs, here on the server's own runtime.
        assert await callbacks.sweep(server.app.state.runtime) >= 1
    overdue = await event_about(ws, made["id"])
    assert overdue == {"type": "CALLBACK_OVERDUE", "request": {"id": made["id"], "overdue": True}}

    logged = (
        await api.data(
            LOG,
            {
                "input": {
                    "requestId": made["id"],
                    "outcome": "RESOLVED",
                    "note": "Facture expliquée.",
                }
            },
            token=team.staff_token,
        )
    )["logCallback"]
    assert logged["request"]["outcome"] == "RESOLVED" and logged["request"]["handledAt"]
    again = await api.data(
        LOG, {"input": {"requestId": made["id"], "outcome": "NO_ANSWER"}}, token=team.staff_token
    )
    assert [e["code"] for e in again["logCallback"]["userErrors"]] == ["ALREADY_LOGGED"]
    queue = (await api.data(QUEUE, token=team.staff_token))["callbackQueue"]
    assert made["id"] not in [row["id"] for row in queue]
    done = await event_about(ws, made["id"])
    assert done == {"type": "CALLBACK_LOGGED", "request": {"id": made["id"], "overdue": False}}
    await mailbox.wait_for(household.email, "rappel", count=2)
    await ws.close()


async def test_the_premium_line_and_call_backs_are_for_premium_households(api, team, settings):
    admin = await factories.log_in(
        api, await factories.staff(settings, await agency_of(team), Role.ADMIN)
    )
    changed = await api.data(
        SETTINGS, {"input": {"premiumSupportPhone": "01 45 67 89 10"}}, token=admin
    )
    assert changed["updateCareSettings"]["settings"] == {"premiumSupportPhone": "+33145678910"}
    support = (await api.data(SUPPORT, token=team.client_token))["premiumSupport"]
    assert support == {"premium": True, "phone": "+33145678910"}

    plain_email, _ = await factories.client(api)
    plain = await factories.log_in(api, plain_email)
    assert (await api.data(SUPPORT, token=plain))["premiumSupport"] == {
        "premium": False,
        "phone": None,
    }
    soon = datetime.now(UTC)
    refused = (await api.data(REQUEST, ask(soon), token=plain))["requestCallback"]
    assert [e["code"] for e in refused["userErrors"]] == ["PREMIUM_ONLY"]
    assert await api.error_code(QUEUE, token=team.client_token) == "FORBIDDEN"
    assert await api.error_code(REQUEST, ask(soon), token=team.staff_token) == "FORBIDDEN"
    past = await api.data(REQUEST, ask(soon - timedelta(days=1)), token=team.client_token)
    assert [e["code"] for e in past["requestCallback"]["userErrors"]] == ["INVALID_SLOT"]
    await api.data(SETTINGS, {"input": {"premiumSupportPhone": ""}}, token=admin)


async def event_about(ws: WsClient, request_id: str) -> dict[str, Any]:
    """The next event about this request (other teams of the agency have requests too)."""
    while True:
        event = (await ws.receive())["payload"]["data"]["callbackEvents"]
        if event["request"]["id"] == request_id:
            return dict(event)


async def agency_of(team: Agency) -> int:
    return (await Client.get(id=pk(team.client_id))).agency_id
