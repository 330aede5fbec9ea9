"""Who may do what with messages: the two sides only, never a stranger."""

from __future__ import annotations

from models.enums import Role
from tests import factories
from tests.client import WsClient
from tests.messaging.factories import (
    CONVERSATIONS,
    EVENTS,
    MARK_READ,
    MY_CONVERSATION,
    SEND,
    new_client,
    new_team,
    next_event,
    nothing_more,
    send,
    subscribe,
)

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    id
    ... on Conversation { responseDueAt messages(first: 5) { edges { node { body } } } }
    ... on Message { body }
  }
}
"""


async def test_strangers_see_nothing_of_a_conversation(api, settings):
    team = await new_team(api, settings)
    other_agency = await new_team(api, settings)
    neighbour_token, _ = await new_client(api, team)  # same agency, another household
    sent = await send(api, team.client_token, "Le code de la porte est 1234")
    conversation_id = sent["message"]["conversation"]["id"]
    message_id = sent["message"]["id"]

    # The two sides see it through node(id).
    for token in (team.client_token, team.staff_token):
        for node_id in (conversation_id, message_id):
            found = await api.data(NODE, {"id": node_id}, token=token)
            assert found["node"]["id"] == node_id
    admin = await factories.log_in(api, await factories.staff(settings, team.agency_id, Role.ADMIN))
    found = await api.data(NODE, {"id": conversation_id}, token=admin)
    assert found["node"]["messages"]["edges"][0]["node"]["body"].startswith("Le code")

    # Another household, another agency's staff and a worker get null.
    for token in (neighbour_token, other_agency.staff_token, team.worker_token):
        for node_id in (conversation_id, message_id):
            assert (await api.data(NODE, {"id": node_id}, token=token))["node"] is None
    assert await api.error_code(NODE, {"id": conversation_id}) == "UNAUTHENTICATED"

    # Nobody else may write in it or mark it read: the same answer as a missing one.
    for token in (neighbour_token, other_agency.staff_token):
        refused = await send(api, token, "Intrus", conversationId=conversation_id)
        assert [e["code"] for e in refused["userErrors"]] == ["NOT_FOUND"]
        read = await api.data(
            MARK_READ, {"input": {"conversationId": conversation_id}}, token=token
        )
        assert read["markConversationRead"]["userErrors"][0]["code"] == "NOT_FOUND"
    # The neighbour's own message went to its own conversation, not this one.
    own = await send(api, neighbour_token, "Bonjour")
    assert own["message"]["conversation"]["id"] != conversation_id

    # Workers are not part of the messaging, anonymous callers even less.
    variables = {"input": {"body": "Bonjour", "conversationId": conversation_id}}
    assert await api.error_code(SEND, variables, token=team.worker_token) == "FORBIDDEN"
    assert await api.error_code(SEND, variables) == "UNAUTHENTICATED"
    read_vars = {"input": {"conversationId": conversation_id}}
    assert await api.error_code(MARK_READ, read_vars, token=team.worker_token) == "FORBIDDEN"
    assert await api.error_code(MARK_READ, read_vars) == "UNAUTHENTICATED"
    staff_without = await api.data(MARK_READ, {"input": {}}, token=team.staff_token)
    assert staff_without["markConversationRead"]["userErrors"][0]["code"] == "REQUIRED"

    # Lists: staff see only their agency; clients and workers have no agency list.
    listed = await api.data(CONVERSATIONS, {"first": 100}, token=other_agency.staff_token)
    assert conversation_id not in [e["node"]["id"] for e in listed["conversations"]["edges"]]
    for token in (team.client_token, team.worker_token):
        assert await api.error_code(CONVERSATIONS, token=token) == "FORBIDDEN"
    assert await api.error_code(CONVERSATIONS) == "UNAUTHENTICATED"
    worker_view = await api.data(MY_CONVERSATION, token=team.worker_token)
    assert worker_view["myConversation"] is None and worker_view["me"]["unreadMessages"] == 0
    staff_view = await api.data(MY_CONVERSATION, token=team.staff_token)
    assert staff_view["myConversation"] is None
    assert await api.error_code(MY_CONVERSATION) == "UNAUTHENTICATED"


async def test_someone_elses_unread_count_is_not_shown(api, settings):
    team = await new_team(api, settings)
    await send(api, team.client_token, "Bonjour")
    client_account = (await api.data("query { me { id } }", token=team.client_token))["me"]["id"]
    seen = await api.data(
        "query Node($id: ID!) { node(id: $id) { ... on Account { unreadMessages } } }",
        {"id": client_account},
        token=team.staff_token,
    )
    assert seen["node"] == {"unreadMessages": None}


async def test_live_messages_reach_only_the_two_sides(api, settings):
    team = await new_team(api, settings)
    other_agency = await new_team(api, settings)
    neighbour_token, _ = await new_client(api, team)
    watchers = {
        name: await subscribe(api, token, EVENTS)
        for name, token in (
            ("client", team.client_token),
            ("staff", team.staff_token),
            ("neighbour", neighbour_token),
            ("other agency", other_agency.staff_token),
            ("worker", team.worker_token),
        )
    }
    sent = await send(api, team.client_token, "Privé")
    for name in ("client", "staff"):
        ws, op = watchers[name]
        assert (await next_event(ws, op))["message"]["id"] == sent["message"]["id"]
    for name in ("neighbour", "other agency", "worker"):
        ws, _ = watchers[name]
        assert await nothing_more(ws), name
    for ws, _ in watchers.values():
        await ws.close()

    anonymous = await WsClient.connect(api)
    await anonymous.ack()
    await anonymous.subscribe(EVENTS)
    assert await anonymous.closed_with() == 4403


async def test_a_subscriber_resumes_with_since_and_misses_nothing(api, settings):
    team = await new_team(api, settings)
    ws, op = await subscribe(api, team.client_token, EVENTS)
    first = await send(api, team.client_token, "Un")
    cursor = (await next_event(ws, op))["cursor"]
    await ws.close()
    conversation_id = first["message"]["conversation"]["id"]
    await send(api, team.staff_token, "Deux", conversationId=conversation_id)
    await send(api, team.client_token, "Trois")

    ws = await WsClient.connect(api, token=team.client_token)
    await ws.ack()
    op = await ws.subscribe(EVENTS, {"since": cursor})
    bodies = [(await next_event(ws, op))["message"]["body"] for _ in range(2)]
    assert bodies == ["Deux", "Trois"]
    await send(api, team.staff_token, "Quatre", conversationId=conversation_id)
    assert (await next_event(ws, op))["message"]["body"] == "Quatre"
    assert await nothing_more(ws)
    await ws.close()
