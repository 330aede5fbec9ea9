"""Messages between a household and its agency: both ways, live, read state, history."""

from __future__ import annotations

from typing import Any

from models.messaging import Message
from schema.core.ids import to_global_id
from tests.factories import schedule, setup_agency
from tests.mailbox import body_of
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
    verify,
)


async def test_a_client_and_its_agency_talk_both_ways_live(api, settings, mailbox):
    team = await new_team(api, settings)
    client_ws, client_op = await subscribe(api, team.client_token, EVENTS)
    staff_ws, staff_op = await subscribe(api, team.staff_token)

    # The client writes without a conversation id: the conversation opens (docs/CONTRACT.md).
    body = "Bonjour,\n<b>pas de HTML</b> & le code du portail change : 4521."
    result = await api.data(SEND, {"input": {"body": body}}, token=team.client_token)
    payload = result["sendMessage"]
    assert payload["userErrors"] == []
    message = payload["message"]
    assert message["body"] == body  # stored and returned exactly as written
    me = await api.data("query { me { id } }", token=team.client_token)
    assert message["author"]["id"] == me["me"]["id"]
    assert message["conversation"]["responseDueAt"] is not None
    conversation_id = message["conversation"]["id"]

    live = await next_event(client_ws, client_op)
    assert live["message"] == {"id": message["id"], "body": body}
    staff_live = await next_event(staff_ws, staff_op)
    assert staff_live["type"] == "MESSAGE_SENT"
    assert staff_live["message"]["fromAgency"] is False
    assert staff_live["conversation"]["id"] == conversation_id

    # A second client message joins the same conversation and keeps the first promise.
    again = await send(api, team.client_token, "Et aussi : merci !")
    assert again["message"]["conversation"]["id"] == conversation_id
    assert (
        again["message"]["conversation"]["responseDueAt"]
        == message["conversation"]["responseDueAt"]
    )
    await next_event(client_ws, client_op)
    await next_event(staff_ws, staff_op)

    # The advisor answers: the promise is kept, the client is told by e-mail without the text.
    reply = await send(api, team.staff_token, "Bien noté, merci.", conversationId=conversation_id)
    assert reply["userErrors"] == []
    assert reply["message"]["fromAgency"] is True
    assert reply["message"]["author"]["fromAgency"] is True
    assert reply["message"]["conversation"]["waitingSince"] is None
    assert reply["message"]["conversation"]["responseDueAt"] is None
    live = await next_event(client_ws, client_op)
    assert live["message"]["body"] == "Bien noté, merci."
    await next_event(staff_ws, staff_op)

    account = await verify(team.client_id)
    email = await mailbox.wait_for(account.email, "répondu")
    parts = [str(part.get_content()) for part in email.walk() if not part.is_multipart()]
    assert "Bien noté" not in str(email["Subject"])
    assert parts and not any("Bien noté" in part for part in parts)
    assert "http://passage.test/messages" in body_of(email)
    assert await nothing_more(client_ws)
    for ws in (client_ws, staff_ws):
        await ws.close()


async def test_read_state_and_unread_counts_on_both_sides(api, settings):
    team = await new_team(api, settings)
    first = await send(api, team.client_token, "Un")
    await send(api, team.client_token, "Deux")
    assert first["message"]["readByClientAt"] is not None  # one's own message is read
    assert first["message"]["readByAgencyAt"] is None
    conversation_id = first["message"]["conversation"]["id"]

    staff_view = await api.data(CONVERSATIONS, token=team.staff_token)
    assert staff_view["me"]["unreadMessages"] == 2
    [edge] = staff_view["conversations"]["edges"]
    assert edge["node"]["unreadCount"] == 2 and edge["node"]["client"]["id"] == team.client_id

    read = await api.data(
        MARK_READ, {"input": {"conversationId": conversation_id}}, token=team.staff_token
    )
    assert read["markConversationRead"]["conversation"]["unreadCount"] == 0
    staff_view = await api.data(CONVERSATIONS, token=team.staff_token)
    assert staff_view["me"]["unreadMessages"] == 0

    await send(api, team.staff_token, "Réponse", conversationId=conversation_id)
    mine = await api.data(MY_CONVERSATION, token=team.client_token)
    assert mine["me"]["unreadMessages"] == 1
    assert mine["myConversation"]["unreadCount"] == 1
    newest = mine["myConversation"]["messages"]["edges"][0]["node"]
    assert newest["fromAgency"] and newest["readByClientAt"] is None
    assert all(e["node"]["readByAgencyAt"] for e in mine["myConversation"]["messages"]["edges"])

    # A client marks its own conversation read without naming it.
    read = await api.data(MARK_READ, {"input": {}}, token=team.client_token)
    assert read["markConversationRead"]["userErrors"] == []
    mine = await api.data(MY_CONVERSATION, token=team.client_token)
    assert mine["me"]["unreadMessages"] == 0
    assert mine["myConversation"]["messages"]["edges"][0]["node"]["readByClientAt"]


async def test_history_pages_go_back_in_time(api, settings):
    team = await new_team(api, settings)
    bodies = [f"Message {i}" for i in range(7)]
    for body in bodies:
        await send(api, team.client_token, body)
    seen, after = [], None
    for _ in range(10):
        page = (
            await api.data(MY_CONVERSATION, {"first": 3, "after": after}, token=team.client_token)
        )["myConversation"]["messages"]
        seen += [edge["node"]["body"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == list(reversed(bodies))
    code = await api.error_code(MY_CONVERSATION, {"first": 101}, token=team.client_token)
    assert code == "BAD_USER_INPUT"


async def test_staff_list_conversations_by_latest_activity(api, settings):
    team = await new_team(api, settings)
    other_token, other_client = await new_client(api, team)
    await send(api, team.client_token, "Premier")
    await send(api, other_token, "Second")
    listed = await api.data(CONVERSATIONS, {"first": 1}, token=team.staff_token)
    page = listed["conversations"]
    assert [e["node"]["client"]["id"] for e in page["edges"]] == [other_client]
    assert page["pageInfo"]["hasNextPage"]
    rest = await api.data(
        CONVERSATIONS, {"first": 5, "after": page["pageInfo"]["endCursor"]}, token=team.staff_token
    )
    assert [e["node"]["client"]["id"] for e in rest["conversations"]["edges"]] == [team.client_id]


async def test_a_message_may_point_at_one_of_the_clients_visits(api, settings, home_agency):
    team = await setup_agency(api, settings, home_agency)
    await verify(team.client_id)
    neighbour = await setup_agency(api, settings, home_agency)
    visit = (await schedule(api, team, hours_from_now=20))["intervention"]
    theirs = (await schedule(api, neighbour, hours_from_now=20))["intervention"]
    linked = await send(
        api, team.client_token, "À propos de ce passage", interventionId=visit["id"]
    )
    assert linked["message"]["intervention"] == {"id": visit["id"]}
    refused = await send(api, team.client_token, "Et celui-ci ?", interventionId=theirs["id"])
    assert [e["code"] for e in refused["userErrors"]] == ["NOT_FOUND"]


async def test_bad_input_is_refused_with_clear_codes(api, settings):
    team = await new_team(api, settings)
    unverified_token, _ = await new_client(api, team, verified=False)

    async def codes(token: str, body: str, **extra: Any) -> list[str]:
        result = await send(api, token, body, **extra)
        assert result["message"] is None
        return [e["code"] for e in result["userErrors"]]

    assert await codes(team.client_token, "   \n ") == ["EMPTY_BODY"]
    assert await codes(team.client_token, "x" * 4001) == ["TOO_LONG"]
    # A NUL is refused at the edge, for every field (schema/engine/edge.py).
    nul = await api.error_code(SEND, {"input": {"body": "nul\x00"}}, token=team.client_token)
    assert nul == "BAD_USER_INPUT"
    assert await codes(unverified_token, "Bonjour") == ["EMAIL_NOT_VERIFIED"]
    assert await codes(team.staff_token, "Bonjour") == ["REQUIRED"]
    missing = to_global_id("Conversation", 2_000_000_000)
    assert await codes(team.staff_token, "Bonjour", conversationId=missing) == ["NOT_FOUND"]
    ok = await send(api, team.client_token, "x" * 4000)
    assert ok["userErrors"] == [] and len(ok["message"]["body"]) == 4000
    code = await api.error_code(
        SEND, {"input": {"body": "x", "conversationId": "not-an-id"}}, token=team.client_token
    )
    assert code == "BAD_USER_INPUT"
    wrong_type = await api.error_code(
        SEND, {"input": {"body": "x", "conversationId": team.client_id}}, token=team.client_token
    )
    assert wrong_type == "BAD_USER_INPUT"
    assert await Message.filter(body__startswith="nul").count() == 0


async def test_sending_is_rate_limited_per_account(api, settings, start):
    limited = await start(settings.with_(message_sends_per_minute=3))
    try:
        team = await new_team(limited.api, settings)
        for i in range(3):
            assert (await send(limited.api, team.client_token, f"n°{i}"))["userErrors"] == []
        result = await limited.api.gql(SEND, {"input": {"body": "encore"}}, team.client_token)
        assert result["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        # The agency's own limit is its own.
        conversation = (await api.data(MY_CONVERSATION, token=team.client_token))["myConversation"]
        reply = await send(limited.api, team.staff_token, "ok", conversationId=conversation["id"])
        assert reply["userErrors"] == []
    finally:
        await limited.stop()


INBOX = """
query Inbox {
  conversations(first: 50) {
    edges { node {
      id unreadCount premium assignedToMe overdue responseDueAt client { id }
      lastMessage { id body fromAgency author { id displayName } attachments { id } }
    } }
  }
}
"""


async def test_the_inbox_costs_the_same_for_2_and_12_conversations(api, settings):
    import logging

    from tests.factories import QueryCounter, unique

    teams = {}
    for size in (2, 12):
        team = await new_team(api, settings)
        await send(api, team.client_token, "Bonjour")
        for _ in range(size - 1):
            token, _ = await new_client(api, team)
            await send(api, token, "Bonjour")
        teams[size] = team
    counter = QueryCounter()
    db_log = logging.getLogger("tortoise.db_client")
    previous = db_log.level
    db_log.setLevel(logging.DEBUG)
    db_log.addHandler(counter)
    counts = {}
    try:
        for size, team in teams.items():
            request_id = unique("inbox-")
            result = await api.data(
                INBOX, token=team.staff_token, headers={"X-Request-ID": request_id}
            )
            edges = result["conversations"]["edges"]
            assert len(edges) == size
            assert all(e["node"]["lastMessage"]["body"] == "Bonjour" for e in edges)
            assert all(e["node"]["unreadCount"] == 1 for e in edges)
            counts[size] = counter.beyond_the_kept(request_id)
    finally:
        db_log.removeHandler(counter)
        db_log.setLevel(previous)
    assert counts[2] == counts[12]


async def test_read_receipts_are_live_for_both_sides(api, settings):
    team = await new_team(api, settings)
    sent = await send(api, team.client_token, "Lu ?")
    conversation_id = sent["message"]["conversation"]["id"]
    client_ws, client_op = await subscribe(api, team.client_token)
    read = {"input": {"conversationId": conversation_id}}
    await api.data(MARK_READ, read, token=team.staff_token)
    receipt = await next_event(client_ws, client_op)
    assert receipt["type"] == "CONVERSATION_READ"
    assert receipt["message"] is None and receipt["conversation"]["id"] == conversation_id
    # Nothing left unread: no receipt.
    await api.data(MARK_READ, read, token=team.staff_token)
    assert await nothing_more(client_ws)
    await client_ws.close()
