"""The GraphQL endpoint's limits through real HTTP: depth, aliases, tokens, operations, body
size and the query budget (cost), each met exactly and then passed by one.

Besides the session's development server, one more runs on the same database: a development
server with tight limits, so that each limit can be met exactly.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from models.accounts.people import Account
from tests import factories
from tests.client import Api, WsClient
from tests.conftest import RunningServer
from tests.factories import CLIENTS_PAGE, post_raw
from tests.web.factories import code_of

TIGHT = {
    "max_query_depth": 4,
    "max_aliases": 3,
    "max_tokens": 100,
    "max_operations": 2,
    "max_query_cost": 30,
    "max_body_bytes": 4096,
    # One field asked 99 times: the token limit is the one met here.
    "max_field_pairs": 10_000,
}


@pytest.fixture(scope="module")
async def tight(start, settings) -> AsyncIterator[Api]:
    running: RunningServer = await start(settings.with_(**TIGHT))
    yield running.api
    await running.stop()


# --- Limits: each one met exactly, then passed by one -------------------------------------


async def test_token_limit(tight):
    at_limit = "{ " + "__typename " * 98 + "}"  # braces + 98 names = 100 tokens
    assert (await tight.data(at_limit)) == {"__typename": "Query"}

    result = await tight.gql("{ " + "__typename " * 99 + "}")
    assert code_of(result) == "TOO_MANY_TOKENS"
    assert result["data"] is None
    assert "100 tokens" in result["errors"][0]["message"]


async def test_depth_limit(tight, staff_token):
    four = "{ clients(first: 1) { edges { node { id } } } }"
    assert "clients" in await tight.data(four, token=staff_token)

    five = "{ clients(first: 1) { edges { node { account { id } } } } }"
    result = await tight.gql(five, token=staff_token)
    assert code_of(result) == "QUERY_TOO_DEEP"
    assert result["errors"][0]["extensions"] == {
        "code": "QUERY_TOO_DEEP",
        "depth": 5,
        "maxDepth": 4,
    }
    assert result["data"] is None

    # Fragments do not hide depth.
    hidden = """
    { clients(first: 1) { ...Page } }
    fragment Page on ClientConnection { edges { node { account { id } } } }
    """
    assert code_of(await tight.gql(hidden, token=staff_token)) == "QUERY_TOO_DEEP"


async def test_alias_limit(tight):
    three = "{ a: me { id } b: me { id } c: me { id } }"
    assert await tight.data(three) == {"a": None, "b": None, "c": None}

    result = await tight.gql("{ a: me { id } b: me { id } c: me { id } d: me { id } }")
    assert code_of(result) == "TOO_MANY_ALIASES"
    assert result["errors"][0]["extensions"]["aliases"] == 4

    # An alias inside a fragment counts once per spread.
    spread = "{ ...Mine ...Mine ...Mine ...Mine } fragment Mine on Query { mine: me { id } }"
    assert code_of(await tight.gql(spread)) == "TOO_MANY_ALIASES"


async def test_operation_limit_per_request(tight):
    two = "query A { __typename } query B { __typename }"
    response = await post_raw(tight, {"query": two, "operationName": "B"})
    assert response.json() == {
        "data": {"__typename": "Query"},
        "extensions": {"cost": {"requestedQueryCost": 0, "actualQueryCost": 0, "maxQueryCost": 30}},
    }

    three = two + " query C { __typename }"
    result = (await post_raw(tight, {"query": three, "operationName": "C"})).json()
    assert code_of(result) == "TOO_MANY_OPERATIONS"
    assert result["data"] is None


async def test_costly_mutation_is_refused_before_any_resolver_runs(tight, home_agency):
    costly = """
    mutation SignUp($input: SignUpInput!) {
      signUp(input: $input) { account { id email } userErrors { field message code } }
    }
    """  # 5 fields + 3 in a list (x10) = 35 > 30
    data = factories.sign_up_input()
    result = await tight.gql(costly, {"input": data})
    assert code_of(result) == "QUERY_TOO_COSTLY"
    assert result["data"] is None
    assert result["extensions"] == {
        "cost": {"requestedQueryCost": 35, "actualQueryCost": None, "maxQueryCost": 30}
    }
    assert not await Account.filter(email=data["email"]).exists()

    cheap = """
    mutation SignUp($input: SignUpInput!) {
      signUp(input: $input) { account { id } userErrors { code } }
    }
    """  # 4 fields + 1 in a list = 14
    result = await tight.gql(cheap, {"input": data})
    assert result["data"]["signUp"]["userErrors"] == [], result
    assert result["extensions"]["cost"]["requestedQueryCost"] == 14
    assert await Account.filter(email=data["email"]).exists()


async def test_request_body_limit(tight):
    def body_of_size(size: int) -> bytes:
        base = json.dumps({"query": "{ __typename }"})
        padded = json.dumps({"query": "{ __typename }" + " " * (size - len(base))})
        assert len(padded) == size
        return padded.encode()

    headers = {"content-type": "application/json"}
    ok = await tight.http.post("/graphql", content=body_of_size(4096), headers=headers)
    assert ok.status_code == 200
    assert ok.json()["data"] == {"__typename": "Query"}

    refused = await tight.http.post("/graphql", content=body_of_size(4097), headers=headers)
    assert refused.status_code == 413
    assert refused.headers["content-type"] == "application/json"
    assert refused.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"

    # Without a Content-Length (chunked), the body is counted as it arrives.
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b" " * 1000

    streamed = await tight.http.post("/graphql", content=chunks(), headers=headers)
    assert "content-length" not in streamed.request.headers
    assert streamed.status_code == 413
    assert streamed.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_limits_apply_over_websockets_too(tight):
    ws = await WsClient.connect(tight)
    await ws.ack()
    op_id = await ws.subscribe("{ a: me { id } b: me { id } c: me { id } d: me { id } }")
    message = await ws.receive()
    assert message["id"] == op_id
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "TOO_MANY_ALIASES"
    # The socket stays usable.
    assert (await ws.execute("{ __typename }"))["payload"]["data"] == {"__typename": "Query"}
    await ws.close()


# --- Cost -------------------------------------------------------------------------------

ONE = "query One($id: ID!) { node(id: $id) { ... on Client { id account { email } } } }"
WIDE_NODE = """
  id clientNumber createdAt
  account { id email firstName lastName phone role emailVerified passwordAgeDays displayName }
  billingAddress { line1 line2 postalCode city country }
"""  # with `node` itself, 20 fields a client


async def test_a_page_of_100_costs_about_100_nodes(api, staff_token):
    await factories.client(api)  # at least one client in the staff's agency
    page = await api.gql(CLIENTS_PAGE, {"n": 100}, token=staff_token)
    assert not page.get("errors"), page
    node_id = page["data"]["clients"]["edges"][0]["node"]["id"]
    one = await api.gql(ONE, {"id": node_id}, token=staff_token)
    assert not one.get("errors"), one
    assert one["data"]["node"]["id"] == node_id

    single = one["extensions"]["cost"]["requestedQueryCost"]
    hundred = page["extensions"]["cost"]["requestedQueryCost"]
    assert single == 4
    assert hundred == 2 + 100 * 4
    assert 90 <= hundred / single <= 110


async def test_cost_follows_variables_and_their_defaults(api, staff_token):
    async def cost(query: str, variables: dict[str, Any] | None = None) -> int:
        result = await api.gql(query, variables, token=staff_token)
        assert not result.get("errors"), result
        return int(result["extensions"]["cost"]["requestedQueryCost"])

    assert await cost(CLIENTS_PAGE, {"n": 100}) == 402
    assert await cost(CLIENTS_PAGE, {"n": 10}) == 42
    assert await cost(CLIENTS_PAGE) == 2 + 20 * 4  # no `first`: a page of 20
    with_default = CLIENTS_PAGE.replace("$n: Int)", "$n: Int = 50)")
    assert await cost(with_default) == 202
    assert await cost(with_default, {"n": 5}) == 22
    # Estimates are kept per document and values of the page sizes: asked again, each value
    # still gives its own (a null is the default page).
    assert await cost(CLIENTS_PAGE, {"n": 100}) == 402
    assert await cost(CLIENTS_PAGE, {"n": None}) == 82
    assert await cost(with_default) == 202
    assert await cost(with_default, {"n": 10}) == 42


async def test_query_over_the_cost_limit_is_refused(api, staff_token):
    def pages(count: int) -> str:
        fields = " ".join(
            f"p{i}: clients(first: $n) {{ edges {{ node {{ {WIDE_NODE} }} }} }}"
            for i in range(count)
        )
        return f"query Pages($n: Int!) {{ {fields} }}"

    # Two pages of 100 wide clients: 2 x (2 + 100 x 20) = 4004 <= 5000.
    two = await api.gql(pages(2), {"n": 100}, token=staff_token)
    assert not two.get("errors"), two
    assert two["extensions"]["cost"]["requestedQueryCost"] == 4004
    assert two["extensions"]["cost"]["maxQueryCost"] == 5000

    three = await api.gql(pages(3), {"n": 100}, token=staff_token)
    assert code_of(three) == "QUERY_TOO_COSTLY"
    assert three["data"] is None
    assert three["errors"][0]["extensions"] == {
        "code": "QUERY_TOO_COSTLY",
        "cost": 6006,
        "maxCost": 5000,
    }
    # The same document with smaller pages passes: the variables count.
    smaller = await api.gql(pages(3), {"n": 80}, token=staff_token)
    assert not smaller.get("errors"), smaller
    assert smaller["extensions"]["cost"]["requestedQueryCost"] == 3 * (2 + 80 * 20)
    again = await api.gql(pages(3), {"n": 100}, token=staff_token)
    assert again["errors"][0]["extensions"]["cost"] == 6006, again


async def test_pages_over_100_are_refused(api, staff_token):
    result = await api.gql(CLIENTS_PAGE, {"n": 101}, token=staff_token)
    assert code_of(result) == "BAD_USER_INPUT"
    assert result["data"] is None
    assert (await api.gql(CLIENTS_PAGE, {"n": 100}, token=staff_token)).get("errors") is None


@pytest.mark.parametrize(
    ("alias", "code"), [("", "TOO_MANY_REPEATED_FIELDS"), ("a: ", "TOO_MANY_ALIASES")]
)
async def test_fragment_spread_bombs_are_refused(api, alias, code):
    # 2^40 expansions of one field in ~1 KB; each fragment is walked once.
    levels = 40
    fragments = "\n".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    )
    document = f"{{ ...F0 }}\n{fragments}\nfragment F{levels} on Query {{ {alias}me {{ id }} }}"
    result = await api.gql(document)
    assert code_of(result) == code
    assert result["data"] is None


async def test_a_document_found_valid_is_still_checked_for_each_request_s_variables(
    api, staff_token
):
    """Its shape and validation are looked at once; its variables and cost every time."""
    fields = " ".join(
        f"p{i}: clients(first: $n, after: $at) {{ edges {{ node {{ {WIDE_NODE} }} }} }}"
        for i in range(3)
    )
    pages = f"query Pages($n: Int!, $at: String) {{ __typename @skip(if: false) {fields} }}"
    passed = await api.gql(pages, {"n": 10}, token=staff_token)
    assert not passed.get("errors"), passed
    costly = await api.gql(pages, {"n": 100}, token=staff_token)
    assert code_of(costly) == "QUERY_TOO_COSTLY" and costly["data"] is None
    unstorable = await api.gql(pages, {"n": 10, "at": "a\x00b"}, token=staff_token)
    assert code_of(unstorable) == "BAD_USER_INPUT" and unstorable["data"] is None
    again = await api.gql(pages, {"n": 10}, token=staff_token)
    assert not again.get("errors") and again["extensions"]["cost"]["requestedQueryCost"] == 3 * (
        2 + 10 * 20
    )
