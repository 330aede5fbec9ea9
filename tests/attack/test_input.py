"""Inputs no column or encoding can hold: refused at the edge with a clean error, never a 500.

Bodies and frames that are not what the protocol says are answered 400 over HTTP and
closed with 4400 on a websocket.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import websockets

from models.enums import Role
from tests import factories
from tests.client import WS_PROTOCOL, WsClient
from tests.factories import office
from tests.households.factories import DECLARE
from tests.web.factories import code_of

UNSTORABLE = ["a\x00b", "a\ud800b", "\udfff"]
SLUG = "query Slug($slug: String!) { helpArticle(slug: $slug) { id } }"
LOG_IN = """
mutation LogIn($email: String!) {
  logIn(input: { email: $email, password: "x" }) { token userErrors { code } }
}
"""
RATINGS = "query R($max: Int) { ratings(maxScore: $max) { edges { node { id } } } }"
REQUEST_EXTRA = """
mutation Ask($code: String!) {
  requestChange(input: { kind: EXTRA_VISIT, serviceTypeCode: $code }) {
    userErrors { field code }
  }
}
"""


def _body(payload: dict[str, Any]) -> bytes:
    # json.dumps writes lone surrogates as \\ud800 escapes: valid JSON, as an attacker sends it.
    return json.dumps(payload).encode()


async def _post(api, payload: dict[str, Any], token: str | None = None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return await api.http.post("/graphql", content=_body(payload), headers=headers)


@pytest.fixture(scope="module")
async def team(server, settings, mailbox):
    return await office(server.api, settings, mailbox)


@pytest.mark.parametrize("text", UNSTORABLE)
@pytest.mark.parametrize("query", [SLUG, LOG_IN])
async def test_unstorable_text_in_variables_is_refused_cleanly(api, query, text):
    name = "slug" if "Slug" in query else "email"
    response = await _post(api, {"query": query, "variables": {name: text}})
    assert response.status_code in {200, 400}, response.text
    if response.status_code == 200:
        assert code_of(response.json()) == "BAD_USER_INPUT"


@pytest.mark.parametrize("literal", ["a\\u0000b", "\\u0000"])
async def test_unstorable_text_written_in_the_document_is_refused(api, literal):
    result = await api.gql(f'{{ helpArticle(slug: "{literal}") {{ id }} }}')
    assert code_of(result) == "BAD_USER_INPUT"


async def test_a_surrogate_in_a_signed_in_mutation_is_refused(api, team):
    response = await _post(
        api,
        {
            "query": DECLARE,
            "variables": {"input": {"from": "2031-03-03", "to": "2031-03-04", "note": "\ud800"}},
        },
        team.client,
    )
    assert response.status_code == 400


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
async def test_dates_past_the_calendar_are_user_errors(api, team, day):
    result = await api.data(
        DECLARE, {"input": {"from": day, "to": day, "note": ""}}, token=team.client
    )
    errors = result["declareAbsence"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [
        (["from"], "OUT_OF_RANGE"),
        (["to"], "OUT_OF_RANGE"),
    ]


async def test_numbers_and_codes_past_their_column_are_never_internal_errors(
    api, settings, home_agency, team
):
    advisor = await factories.log_in(
        api, await factories.staff(settings, home_agency, Role.ADVISOR)
    )
    result = await api.gql(RATINGS, {"max": 2147483647}, token=advisor)
    assert all(e["extensions"]["code"] != "INTERNAL_SERVER_ERROR" for e in result.get("errors", []))
    result = await api.gql(REQUEST_EXTRA, {"code": "X" * 41}, token=team.client)
    assert all(e["extensions"]["code"] != "INTERNAL_SERVER_ERROR" for e in result.get("errors", []))


@pytest.mark.parametrize(
    "body",
    [
        b"null",
        b"12",
        b'"x"',
        b"true",
        b'{"query": "\xff"}',
        b"[" * 5000 + b"]" * 5000,
        b'{"query": "{ __typename }", "variables": ' + b'{"a": ' * 100 + b"1" + b"}" * 101,
    ],
)
async def test_malformed_bodies_are_answered_400(api, body):
    response = await api.http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400, response.text


async def _closed_with(api, frame: str, *, init: dict[str, Any] | None = None) -> int | None:
    protocols: Any = [WS_PROTOCOL]
    async with websockets.connect(api.ws_url(), subprotocols=protocols) as connection:
        client = WsClient(connection)
        if init is None:
            await client.send({"type": "connection_init", "payload": {}})
            await client.ack()
        await connection.send(frame)
        return await client.closed_with()


@pytest.mark.parametrize(
    "frame",
    [
        "null",
        "12",
        "[1]",
        '{"type": "subscribe", "id": "1", "payload": null}',
        '{"type": "subscribe", "id": "1", "payload": [1]}',
        '{"type": "subscribe", "id": 7, "payload": {"query": "{ __typename }"}}',
        "[" * 3000 + "]" * 3000,
        '{"type": "subscribe", "id": "1", "payload": {"query": "{ __typename }", '
        '"variables": "x"}}',
    ],
)
async def test_malformed_frames_close_the_socket_with_4400(api, frame):
    assert await _closed_with(api, frame) == 4400


async def test_a_surrogate_in_the_authorization_closes_with_4400(api):
    frame = '{"type": "connection_init", "payload": {"authorization": "Bearer \\ud800"}}'
    assert await _closed_with(api, frame, init={}) == 4400


async def test_the_socket_still_answers_after_a_refused_frame_on_another_socket(api):
    assert await _closed_with(api, "null") == 4400
    client = await WsClient.connect(api)
    await client.ack()
    message = await client.execute("{ __typename }")
    assert message["payload"]["data"] == {"__typename": "Query"}
    await client.close()
