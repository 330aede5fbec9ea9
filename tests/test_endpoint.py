"""The GraphQL endpoint's hardening, through real HTTP: limits, errors, transport, headers.

Besides the session's development server, two more run on the same database: one with
production settings, and one development server with tight limits so that each limit
can be met exactly and then passed by one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query

from models.accounts.people import Account
from models.enums import Role
from services.config import ConfigError, Settings
from tests import factories
from tests.client import Api, WsClient
from tests.conftest import SECRET, RunningServer, unique
from web.middleware import ServerErrors

APP_ORIGIN = "https://app.passage.example"
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


def production(settings: Settings, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "production",
        "introspection": "authenticated",
        "public_url": "https://passage.example",
        "argon2_memory_kib": 19456,
        "argon2_time_cost": 2,
        "allowed_origins": (APP_ORIGIN,),
    }
    return settings.with_(**{**values, **changes}).validate()


@pytest.fixture(scope="module")
async def prod(start, settings) -> AsyncIterator[Api]:
    running: RunningServer = await start(production(settings))
    yield running.api
    await running.stop()


@pytest.fixture(scope="module")
async def tight(start, settings) -> AsyncIterator[Api]:
    running: RunningServer = await start(settings.with_(**TIGHT))
    yield running.api
    await running.stop()


@pytest.fixture
async def staff_token(api, settings, home_agency) -> str:
    email = await factories.staff(settings, home_agency, Role.ADVISOR)
    return await factories.log_in(api, email)


def code_of(result: dict[str, Any]) -> str:
    assert result.get("errors"), result
    return str(result["errors"][0].get("extensions", {}).get("code"))


async def post_raw(api: Api, body: dict[str, Any] | list[Any], **kwargs: Any) -> httpx.Response:
    return await api.http.post("/graphql", json=body, **kwargs)


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

PAGE = "query Page($n: Int) { clients(first: $n) { edges { node { id account { email } } } } }"
ONE = "query One($id: ID!) { node(id: $id) { ... on Client { id account { email } } } }"
WIDE_NODE = """
  id clientNumber createdAt
  account { id email firstName lastName phone role emailVerified passwordAgeDays displayName }
  billingAddress { line1 line2 postalCode city country }
"""  # with `node` itself, 20 fields a client


async def test_a_page_of_100_costs_about_100_nodes(api, staff_token):
    await factories.client(api)  # at least one client in the staff's agency
    page = await api.gql(PAGE, {"n": 100}, token=staff_token)
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

    assert await cost(PAGE, {"n": 100}) == 402
    assert await cost(PAGE, {"n": 10}) == 42
    assert await cost(PAGE) == 2 + 20 * 4  # no `first`: a page of 20
    with_default = PAGE.replace("$n: Int)", "$n: Int = 50)")
    assert await cost(with_default) == 202
    assert await cost(with_default, {"n": 5}) == 22


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


async def test_pages_over_100_are_refused(api, staff_token):
    result = await api.gql(PAGE, {"n": 101}, token=staff_token)
    assert code_of(result) == "BAD_USER_INPUT"
    assert result["data"] is None
    assert (await api.gql(PAGE, {"n": 100}, token=staff_token)).get("errors") is None


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


# --- Errors -----------------------------------------------------------------------------


async def test_domain_errors_keep_their_code_in_production(prod, api, staff_token):
    anonymous = await prod.gql("{ clients(first: 5) { edges { node { id } } } }")
    assert anonymous["errors"][0]["message"] == "Authentification requise."
    assert code_of(anonymous) == "UNAUTHENTICATED"

    bad_id = await prod.gql('{ node(id: "not-an-id") { id } }', token=staff_token)
    assert bad_id["errors"][0]["message"] == "Identifiant invalide."
    assert code_of(bad_id) == "BAD_USER_INPUT"

    assert code_of(await prod.gql("{ me { id } }", token="forged")) == "UNAUTHENTICATED"
    assert code_of(await prod.gql("{ me { id ")) == "GRAPHQL_PARSE_FAILED"
    assert code_of(await prod.gql("{ nope }")) == "GRAPHQL_VALIDATION_FAILED"
    # Refused by graphql-core while executing: a variable of the wrong type.
    assert code_of(await prod.gql(PAGE, {"n": "many"}, token=staff_token)) == "BAD_USER_INPUT"
    unknown = await post_raw(prod, {"query": "query A { __typename }", "operationName": "B"})
    assert (unknown.status_code, unknown.text) == (400, 'Unknown operation named "B".')


@pytest.mark.parametrize(
    "query",
    [
        "{ mee { id } }",  # field
        "{ clients(fist: 1) { pageInfo { hasNextPage } } }",  # argument
        "query ($x: Strin) { __typename }",  # type
        "{ me { rol } }",  # field on a nested type
    ],
)
async def test_no_suggestions_in_production(prod, api, query):
    development = await api.gql(query)
    assert any("Did you mean" in error["message"] for error in development["errors"])

    result = await prod.gql(query)
    assert code_of(result) == "GRAPHQL_VALIDATION_FAILED"
    assert all("Did you mean" not in error["message"] for error in result["errors"]), result


async def test_no_suggestions_for_variable_values_in_production(prod, api):
    # Coerced at execution time, not by validation.
    query = "mutation ($input: SignUpInput!) { signUp(input: $input) { userErrors { code } } }"
    variables = {"input": {**factories.sign_up_input(), "emial": "x@example.com"}}
    variables["input"].pop("email")
    assert "Did you mean" in json.dumps(await api.gql(query, variables))
    result = await prod.gql(query, variables)
    assert result["errors"], result
    assert "Did you mean" not in json.dumps(result)


# --- Introspection ----------------------------------------------------------------------


async def test_introspection_is_public_in_development(api):
    full = await api.gql(get_introspection_query(descriptions=True))
    assert not full.get("errors"), full["errors"]
    assert full["data"]["__schema"]["queryType"]["name"] == "Query"
    assert full["extensions"]["cost"]["requestedQueryCost"] == 0
    assert (await api.data('{ __type(name: "Client") { name } }'))["__type"] == {"name": "Client"}


async def test_introspection_cannot_recurse_without_bound(api):
    deep = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
    result = await api.gql(deep)
    assert code_of(result) == "GRAPHQL_VALIDATION_FAILED"
    assert "introspection depth" in result["errors"][0]["message"]


@pytest.mark.parametrize(
    "query", ["{ __schema { queryType { name } } }", '{ __type(name: "Client") { name } }']
)
async def test_introspection_needs_a_signed_in_caller_in_production(prod, staff_token, query):
    anonymous = await prod.gql(query)
    assert code_of(anonymous) == "UNAUTHENTICATED"
    assert anonymous["data"] is None
    assert code_of(await prod.gql(query, token="forged")) == "UNAUTHENTICATED"

    signed_in = await prod.gql(query, token=staff_token)
    assert not signed_in.get("errors"), signed_in
    # __typename is not introspection.
    assert await prod.data("{ __typename }") == {"__typename": "Query"}


async def test_schema_file_needs_a_signed_in_caller_in_production(prod, api, staff_token):
    anonymous = await prod.http.get("/schema.graphql")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

    forged = await prod.http.get("/schema.graphql", headers={"authorization": "Bearer forged"})
    assert forged.status_code == 401

    signed_in = await prod.http.get(
        "/schema.graphql", headers={"authorization": f"Bearer {staff_token}"}
    )
    assert signed_in.status_code == 200
    assert signed_in.text == (await api.http.get("/schema.graphql")).text


async def test_introspection_off_refuses_everyone(start, settings, staff_token):
    running = await start(production(settings, introspection="off"))
    try:
        api = running.api
        result = await api.gql("{ __schema { queryType { name } } }", token=staff_token)
        assert code_of(result) == "FORBIDDEN"
        sdl = await api.http.get(
            "/schema.graphql", headers={"authorization": f"Bearer {staff_token}"}
        )
        assert sdl.status_code == 403
        assert sdl.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    finally:
        await running.stop()


# --- Transport --------------------------------------------------------------------------


async def test_array_batching_is_refused(api, prod):
    for server in (api, prod):
        response = await post_raw(server, [{"query": "{ __typename }"}])
        assert response.status_code == 400
        assert "Batching is not enabled" in response.text


async def test_graphiql_in_development_only(api, prod):
    page = await api.http.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "graphiql" in page.text.lower()

    hidden = await prod.http.get("/graphql", headers={"accept": "text/html"})
    assert hidden.status_code == 404
    assert "graphiql" not in hidden.text.lower()


async def test_queries_over_get_in_development_only(api, prod):
    params = {"query": "{ __typename }"}
    development = await api.http.get("/graphql", params=params)
    assert development.status_code == 200
    assert development.json()["data"] == {"__typename": "Query"}

    production_ = await prod.http.get("/graphql", params=params)
    assert production_.status_code == 400
    assert "data" not in production_.text


async def test_mutations_over_get_are_always_refused(api, prod, staff_token):
    headers = {"authorization": f"Bearer {staff_token}"}
    for server in (api, prod):
        response = await server.http.get(
            "/graphql", params={"query": "mutation { logOut { ok } }"}, headers=headers
        )
        assert response.status_code == 400
        assert "mutations are not allowed" in response.text
    # The session was not ended.
    assert (await api.data("{ me { id } }", token=staff_token))["me"] is not None


# --- Headers, health and CORS -----------------------------------------------------------

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


async def test_production_responses_carry_security_headers(prod):
    responses = [
        await post_raw(prod, {"query": "{ __typename }"}),
        await prod.http.get("/healthz"),
        await prod.http.get("/no-such-page"),
        await prod.http.post(
            "/graphql", content=b"x" * (300 * 1024), headers={"content-type": "application/json"}
        ),
    ]
    assert [r.status_code for r in responses] == [200, 200, 404, 413]
    for response in responses:
        assert response.headers["strict-transport-security"].startswith("max-age=")
        assert "includeSubDomains" in response.headers["strict-transport-security"]
        assert "default-src 'none'" in response.headers["content-security-policy"]
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value
        assert "server" not in response.headers


async def test_development_responses_have_no_hsts(api):
    response = await api.http.get("/healthz")
    assert "strict-transport-security" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_request_id_is_echoed_or_generated(api, prod):
    for server in (api, prod):
        sent = f"req-{unique('id')}-0123456789"
        echoed = await server.http.get("/healthz", headers={"x-request-id": sent})
        assert echoed.headers["x-request-id"] == sent

        malformed = await server.http.get(
            "/healthz", headers={"x-request-id": "bad id with spaces!"}
        )
        generated = malformed.headers["x-request-id"]
        assert generated != "bad id with spaces!"
        assert len(generated) == 16
        int(generated, 16)

        first = (await server.http.get("/healthz")).headers["x-request-id"]
        second = (await post_raw(server, {"query": "{ __typename }"})).headers["x-request-id"]
        assert first != second


async def test_health_and_readiness(api, prod):
    for server in (api, prod):
        health = await server.http.get("/healthz")
        assert (health.status_code, health.json()) == (200, {"status": "ok"})
        ready = await server.http.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ready", "checks": {"database": "ok", "bus": "ok"}}


def preflight_headers(origin: str) -> dict[str, str]:
    return {
        "origin": origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
    }


async def test_cors_only_for_allowed_origins(prod, api):
    allowed = await prod.http.options("/graphql", headers=preflight_headers(APP_ORIGIN))
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()

    for server, origin in [(prod, "https://evil.example"), (api, APP_ORIGIN)]:
        refused = await server.http.options("/graphql", headers=preflight_headers(origin))
        assert refused.status_code == 400
        assert "access-control-allow-origin" not in refused.headers

    simple = await post_raw(prod, {"query": "{ __typename }"}, headers={"origin": APP_ORIGIN})
    assert simple.headers["access-control-allow-origin"] == APP_ORIGIN
    assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()
    other = await post_raw(
        prod, {"query": "{ __typename }"}, headers={"origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in other.headers

    # A browser can read the 413 too.
    too_big = await prod.http.post(
        "/graphql",
        content=b"x" * (300 * 1024),
        headers={"content-type": "application/json", "origin": APP_ORIGIN},
    )
    assert too_big.status_code == 413
    assert too_big.headers["access-control-allow-origin"] == APP_ORIGIN


# --- Unhandled errors at the HTTP layer ---------------------------------------------------


async def test_an_unhandled_error_answers_json_with_the_request_id(prod, caplog):
    # Strawberry's view fails on a JSON body that is not an object (a bare string).
    with caplog.at_level(logging.ERROR, logger="passage.http"):
        response = await post_raw(prod, "just a string")  # type: ignore[arg-type]
    request_id = response.headers["x-request-id"]
    assert response.status_code in {400, 500}
    assert "strict-transport-security" in response.headers
    assert "Traceback" not in response.text
    assert "AttributeError" not in response.text
    if response.status_code == 500:
        assert response.json() == {
            "errors": [
                {
                    "message": "Erreur inattendue.",
                    "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
                }
            ]
        }
        [record] = [r for r in caplog.records if r.getMessage() == "unhandled error"]
        assert record.fields["request_id"] == request_id


async def test_server_errors_middleware_answers_only_before_the_response_starts():
    async def fails_early(scope, receive, send):
        raise KeyError("boom")

    async def fails_late(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise KeyError("boom")

    early = httpx.AsyncClient(transport=httpx.ASGITransport(ServerErrors(fails_early)))
    response = await early.get("http://test/")
    assert response.status_code == 500
    assert response.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "boom" not in response.text

    late = httpx.AsyncClient(transport=httpx.ASGITransport(ServerErrors(fails_late)))
    with pytest.raises(KeyError):
        await late.get("http://test/")


# --- Production settings ----------------------------------------------------------------

SAFE = {
    "environment": "production",
    "secret_key": SECRET,
    "public_url": "https://passage.example",
    "allowed_origins": (APP_ORIGIN,),
    "argon2_memory_kib": 19456,
    "argon2_time_cost": 2,
}


def test_production_settings_accept_safe_values():
    settings = Settings(**SAFE).validate()  # type: ignore[arg-type]
    assert settings.production


@pytest.mark.parametrize(
    ("change", "mentions"),
    [
        ({"secret_key": ""}, "SECRET_KEY"),
        ({"secret_key": "x" * 31}, "SECRET_KEY"),
        ({"secret_key": "changeme"}, "SECRET_KEY"),
        ({"allowed_origins": (APP_ORIGIN, "http://app.passage.example")}, "ALLOWED_ORIGINS"),
        ({"public_url": "http://passage.example"}, "PUBLIC_URL"),
        ({"argon2_memory_kib": 19455}, "argon2"),
        ({"argon2_time_cost": 1}, "argon2"),
        ({"introspection": "everyone"}, "INTROSPECTION"),
        ({"environment": "prod"}, "ENVIRONMENT"),
    ],
)
def test_production_settings_refuse_unsafe_values(change, mentions):
    with pytest.raises(ConfigError, match=mentions):
        Settings(**{**SAFE, **change}).validate()  # type: ignore[arg-type]


def test_development_accepts_the_test_costs(settings):
    assert settings.validate() is settings
    assert not settings.production
