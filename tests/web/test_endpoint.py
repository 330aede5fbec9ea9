"""The GraphQL endpoint's hardening, through real HTTP: errors, introspection, transport, headers.

Besides the session's development server, one more runs on the same database with
production settings.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from graphql import get_introspection_query

from tests import factories
from tests.client import Api
from tests.conftest import RunningServer
from tests.factories import CLIENTS_PAGE, post_raw, unique
from tests.web.factories import APP_ORIGIN, code_of, production
from web.middleware import ServerErrors


@pytest.fixture(scope="module")
async def prod(start, settings) -> AsyncIterator[Api]:
    running: RunningServer = await start(production(settings))
    yield running.api
    await running.stop()


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
    assert (
        code_of(await prod.gql(CLIENTS_PAGE, {"n": "many"}, token=staff_token)) == "BAD_USER_INPUT"
    )
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


# Bodies a POST may carry, each answered by web/json_post.py and by strawberry's own view
# (reached here with an `accept` asking for a stream, which this server has none of).
LANE_BODIES: list[bytes] = [
    b'{"query": "{ __typename }"}',
    b'{"query": "query A { __typename } query B { serviceTypes { code } }", "operationName": "B"}',
    b'{"query": "query A { __typename }", "operationName": "Nope"}',
    b'{"query": "{ nope }"}',
    b'{"query": "{ __typename"}',
    b'{"query": "query($n: Int!) { __typename }", "variables": {"n": "x"}}',
    b'{"query": "mutation { signOut { ok } }"}',
    b'{"query": "subscription { interventionEvents { cursor } }"}',
    b'{"query": 1}',
    b'{"query": "{ __typename }", "variables": [1]}',
    b'{"query": "{ __typename }", "extensions": "x"}',
    b'{"variables": {}}',
    b"{}",
    b'{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "' + b"0" * 64 + b'"}}}',
    b'[{"query": "{ __typename }"}]',
    b"[]",
    b'{"query": "{ __typename }"',
    b"null",
    b'"text"',
    b"\xff\xfe",
]


@pytest.mark.parametrize("index", range(len(LANE_BODIES)))
async def test_a_json_post_is_answered_as_strawberry_answers_it(api, prod, staff_token, index):
    body = LANE_BODIES[index]
    for server in (api, prod):
        answers = []
        for extra in ({}, {"accept": "multipart/mixed"}):
            for token in (None, staff_token):
                headers = {"content-type": "application/json", **extra}
                if token:
                    headers["authorization"] = f"Bearer {token}"
                response = await server.http.post("/graphql", content=body, headers=headers)
                answers.append(
                    (
                        response.status_code,
                        response.headers["content-type"],
                        response.headers.get("retry-after"),
                        response.text,
                    )
                )
        assert answers[:2] == answers[2:], body


async def test_a_subscription_over_http_is_refused_with_400(api, staff_token):
    # Served over the websocket only; over HTTP graphql-core ran it as a query and failed.
    for method in ("POST", "GET"):
        body = {"query": "subscription { interventionEvents { cursor } }"}
        if method == "POST":
            response = await api.http.post(
                "/graphql", json=body, headers={"authorization": f"Bearer {staff_token}"}
            )
        else:
            response = await api.http.get("/graphql", params=body)
        assert response.status_code == 400, response.text
        assert response.text == f"subscriptions are not allowed when using {method}"
