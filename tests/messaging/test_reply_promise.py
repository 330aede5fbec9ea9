"""The reply promise: working hours of the agency, premium clients, the queue, overdue waits."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest

from models.accounts.people import Account, Agency, Client
from models.enums import EventType
from models.events import Event
from models.messaging import Conversation
from resolvers.agency.opening_hours import opening_hours
from resolvers.messaging import reply_promise
from services.clock import utcnow
from services.working_hours import add_working_hours
from subscriptions.bus import Bus
from subscriptions.hub import Hub
from tests import factories
from tests.factories import pk
from tests.messaging.factories import (
    new_client,
    new_team,
    next_event,
    nothing_more,
    send,
    subscribe,
)

QUEUE = """
query Queue($mine: Boolean) {
  conversationsAwaitingReply(first: 10, mine: $mine) {
    premium overdue
    conversation { id client { id } responseDueAt overdue premium assignedToMe }
  }
}
"""

SET_PREMIUM = """
mutation Premium($input: SetClientPremiumInput!) {
  setClientPremium(input: $input) { clientId premium userErrors { field message code } }
}
"""


async def test_the_promise_counts_the_agencys_own_hours_and_time_zone(api, settings):
    team = await new_team(api, settings)
    await Agency.filter(id=team.agency_id).update(time_zone="America/Martinique")
    sent = await send(api, team.client_token, "Bonjour")
    message = sent["message"]
    sent_at = datetime.fromisoformat(message["conversation"]["waitingSince"])
    expected = add_working_hours(
        sent_at, 24, await opening_hours(team.agency_id), "America/Martinique"
    )
    assert datetime.fromisoformat(message["conversation"]["responseDueAt"]) == expected
    assert datetime.fromisoformat(message["responseDueAt"]) == expected


async def test_premium_clients_get_a_shorter_promise_and_come_first(api, settings):
    team = await new_team(api, settings)
    premium_token, premium_client = await new_client(api, team)
    late_token, late_client = await new_client(api, team)

    standard = await send(api, team.client_token, "Client ordinaire")
    set_premium = await api.data(
        SET_PREMIUM,
        {"input": {"clientId": premium_client, "premium": True}},
        token=team.staff_token,
    )
    assert set_premium["setClientPremium"] == {
        "clientId": premium_client,
        "premium": True,
        "userErrors": [],
    }
    first = await send(api, premium_token, "Client premium")
    sent_at = datetime.fromisoformat(first["message"]["conversation"]["waitingSince"])
    spans = await opening_hours(team.agency_id)
    assert datetime.fromisoformat(
        first["message"]["conversation"]["responseDueAt"]
    ) == add_working_hours(sent_at, 8, spans, "Europe/Paris")
    assert first["message"]["conversation"]["premium"] is True
    standard_due = datetime.fromisoformat(standard["message"]["conversation"]["responseDueAt"])
    standard_sent = datetime.fromisoformat(standard["message"]["conversation"]["waitingSince"])
    assert standard_due == add_working_hours(standard_sent, 24, spans, "Europe/Paris")

    # A standard client whose promise is already missed comes before the other standard one.
    late = await send(api, late_token, "Toujours pas de réponse ?")
    await Conversation.filter(id=pk(late["message"]["conversation"]["id"])).update(
        response_due_at=utcnow() - timedelta(hours=1)
    )
    # The queue: premium first, then the earliest promise; overdue flagged.
    queue = (await api.data(QUEUE, token=team.staff_token))["conversationsAwaitingReply"]
    assert [row["conversation"]["client"]["id"] for row in queue] == [
        premium_client,
        late_client,
        team.client_id,
    ]
    assert [row["premium"] for row in queue] == [True, False, False]
    assert [row["overdue"] for row in queue] == [False, True, False]
    assert queue[1]["conversation"]["overdue"] is True

    # `mine`: the clients the advisor follows (sign-up gave them all to the only advisor).
    other_advisor = await Account.get(email=await factories.staff(settings, team.agency_id))
    await Client.filter(id__in=[pk(premium_client), pk(team.client_id)]).update(
        advisor_id=other_advisor.id
    )
    mine = (await api.data(QUEUE, {"mine": True}, token=team.staff_token))[
        "conversationsAwaitingReply"
    ]
    assert [row["conversation"]["client"]["id"] for row in mine] == [late_client]
    assert mine[0]["conversation"]["assignedToMe"] is True

    # An answer takes a conversation out of the queue; premium can be taken away.
    await send(
        api, team.staff_token, "Voilà", conversationId=first["message"]["conversation"]["id"]
    )
    queue = (await api.data(QUEUE, token=team.staff_token))["conversationsAwaitingReply"]
    assert premium_client not in [row["conversation"]["client"]["id"] for row in queue]
    removed = await api.data(
        SET_PREMIUM,
        {"input": {"clientId": premium_client, "premium": False}},
        token=team.staff_token,
    )
    assert removed["setClientPremium"]["premium"] is False
    again = await send(api, premium_token, "Encore moi")
    assert again["message"]["conversation"]["premium"] is False


async def test_only_staff_of_the_clients_agency_set_premium(api, settings):
    team = await new_team(api, settings)
    other = await new_team(api, settings)
    variables = {"input": {"clientId": team.client_id, "premium": True}}
    for token in (team.client_token, team.worker_token):
        assert await api.error_code(SET_PREMIUM, variables, token=token) == "FORBIDDEN"
    assert await api.error_code(SET_PREMIUM, variables) == "UNAUTHENTICATED"
    refused = await api.data(SET_PREMIUM, variables, token=other.staff_token)
    assert refused["setClientPremium"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert refused["setClientPremium"]["clientId"] is None
    for token in (team.client_token, team.worker_token):
        assert await api.error_code(QUEUE, token=token) == "FORBIDDEN"
    assert await api.error_code(QUEUE) == "UNAUTHENTICATED"
    bad = {"input": {"clientId": "nope", "premium": True}}
    assert await api.error_code(SET_PREMIUM, bad, token=team.staff_token) == "BAD_USER_INPUT"


async def _overdue_event(ws: Any, op_id: str, conversation_id: int) -> dict[str, Any]:
    """The next event on `ws`; when none comes, a failure that says what the database
    holds (this wait failed twice in full runs on SQLite, never alone: the next failure
    says whether the sweep raised the event at all)."""
    try:
        return await next_event(ws, op_id)
    except TimeoutError:
        row = await Conversation.get(id=conversation_id)
        raised = await Event.filter(
            type=EventType.CONVERSATION_OVERDUE, subject_id=conversation_id
        ).values_list("id", "occurred_at")
        pytest.fail(
            f"no overdue event within 5 s at {utcnow()}: conversation waiting since "
            f"{row.waiting_since}, due {row.response_due_at}, overdue at {row.overdue_at}; "
            f"events raised for it {raised}"
        )


async def test_a_missed_promise_reaches_the_dashboard_once(api, settings, start):
    fast = await start(settings.with_(message_overdue_poll_seconds=0.1))
    try:
        team = await new_team(fast.api, settings)
        staff_ws, staff_op = await subscribe(fast.api, team.staff_token)
        client_ws, client_op = await subscribe(fast.api, team.client_token)
        sent = await send(fast.api, team.client_token, "Vous êtes là ?")
        await next_event(staff_ws, staff_op)
        await next_event(client_ws, client_op)
        conversation_id = sent["message"]["conversation"]["id"]
        await Conversation.filter(id=pk(conversation_id)).update(
            response_due_at=utcnow() - timedelta(minutes=1)
        )
        overdue = await _overdue_event(staff_ws, staff_op, pk(conversation_id))
        assert overdue["type"] == "CONVERSATION_OVERDUE"
        assert overdue["message"] is None
        assert overdue["conversation"]["id"] == conversation_id
        assert overdue["conversation"]["overdue"] is True
        # Several processes sweeping at once still raise it once; the client never sees it.
        bus = Bus("memory://", "overdue-test")
        await bus.connect()
        runtime = type("R", (), {"bus": bus, "hub": Hub(bus, 8), "settings": settings})()
        written = await asyncio.gather(*(reply_promise.sweep(runtime) for _ in range(3)))
        await bus.disconnect()
        assert sum(written) == 0
        assert await nothing_more(staff_ws) and await nothing_more(client_ws)
        raised = Event.filter(type=EventType.CONVERSATION_OVERDUE, subject_id=pk(conversation_id))
        assert await raised.count() == 1
        assert (await raised.first()).client_id is None  # type: ignore[union-attr]

        # Answering ends the wait; a new wait can be overdue again, once.
        await send(fast.api, team.staff_token, "Oui", conversationId=conversation_id)
        await next_event(staff_ws, staff_op)
        await send(fast.api, team.client_token, "Et maintenant ?")
        await next_event(staff_ws, staff_op)
        await Conversation.filter(id=pk(conversation_id)).update(
            response_due_at=utcnow() - timedelta(minutes=1)
        )
        again = await _overdue_event(staff_ws, staff_op, pk(conversation_id))
        assert again["type"] == "CONVERSATION_OVERDUE"
        assert await raised.count() == 2
        for ws in (staff_ws, client_ws):
            await ws.close()
    finally:
        await fast.stop()
