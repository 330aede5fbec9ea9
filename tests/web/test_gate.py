"""web/gate.py against the middleware stack it stands in for: the same requests, over
real HTTP, answered once by the gate and once through the middlewares (the gate taken
off the running app), must get the same status, headers in the same order, and body.

Runs on a production server (its security headers, its CORS origins) and on the
session's development server (no allowed origin).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import RunningServer
from tests.web.factories import APP_ORIGIN, production
from web.gate import PostGate

QUERY = b'{"query": "query Q { __typename }"}'
REQUEST_ID = "test-request-0001"


@pytest.fixture(scope="module")
async def prod_server(start, settings) -> AsyncIterator[RunningServer]:
    running: RunningServer = await start(production(settings))
    yield running
    await running.stop()


def _headers(response: httpx.Response) -> list[tuple[bytes, bytes]]:
    # `date` is the second it was sent in; a request id drawn at random is checked apart.
    kept = []
    for name, value in response.headers.raw:
        if name.lower() == b"date":
            continue
        if name.lower() == b"x-request-id" and value != REQUEST_ID.encode():
            assert len(value) == 16 and int(value, 16) >= 0
            value = b"<drawn>"
        kept.append((name.lower(), value))
    return kept


async def _both(
    running: RunningServer, content: Any = QUERY, **headers: str
) -> tuple[httpx.Response, httpx.Response]:
    """The request answered by the gate, then through the middlewares."""
    app = running.app
    gate = app.post_gate
    assert isinstance(gate, PostGate)
    answers = []
    headers.setdefault("content-type", "application/json")
    for through_gate in (True, False):
        app.post_gate = gate if through_gate else None
        try:
            body = content() if callable(content) else content
            answers.append(await running.api.http.post("/graphql", content=body, headers=headers))
        finally:
            app.post_gate = gate
    return answers[0], answers[1]


def _same(gated: httpx.Response, stacked: httpx.Response) -> None:
    assert gated.status_code == stacked.status_code
    assert _headers(gated) == _headers(stacked)
    assert gated.content == stacked.content


async def _chunks(size: int, count: int) -> AsyncIterator[bytes]:
    for _ in range(count):
        yield b" " * size


CASES: list[dict[str, Any]] = [
    {},
    {"x-request-id": REQUEST_ID},
    {"x-request-id": "bad id with spaces"},
    {"origin": APP_ORIGIN},
    {"origin": "https://elsewhere.example"},
    {"origin": ""},
    {"origin": APP_ORIGIN, "x-request-id": REQUEST_ID},
    {"content-type": "application/json; charset=utf-8"},
    {"authorization": "Bearer not-a-token"},
]


@pytest.mark.parametrize("headers", CASES)
async def test_a_query_is_answered_as_the_middlewares_answer_it(prod_server, server, headers):
    for running in (prod_server, server):
        gated, stacked = await _both(running, **headers)
        assert gated.status_code == 200
        _same(gated, stacked)


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b'[{"query": "{ __typename }"}]',  # a batch: strawberry's own view
        b'{"query": 12}',
        b'"just a string"',
        b'{"query": "mutation { nothing }"}',
        b'{"query": "subscription { interventionEvents { cursor } }"}',
        b"",
    ],
)
async def test_other_bodies_are_answered_as_the_middlewares_answer_them(prod_server, content):
    gated, stacked = await _both(
        prod_server, content, origin=APP_ORIGIN, **{"x-request-id": REQUEST_ID}
    )
    _same(gated, stacked)


async def test_a_body_over_the_limit_is_refused_alike(prod_server):
    limit = prod_server.app.post_gate.max_body_bytes
    declared, declared_stack = await _both(prod_server, b" " * (limit + 1), origin=APP_ORIGIN)
    assert declared.status_code == 413
    _same(declared, declared_stack)
    # No length declared: the body is counted as it comes.
    streamed, streamed_stack = await _both(
        prod_server, lambda: _chunks(64 * 1024, limit // (64 * 1024) + 2), origin=APP_ORIGIN
    )
    assert streamed.status_code == 413
    assert "content-length" not in streamed.request.headers
    _same(streamed, streamed_stack)


async def test_an_unhandled_error_is_answered_and_logged_alike(prod_server, monkeypatch, caplog):
    view = prod_server.app.post_gate.view

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(view, "get_context", broken)
    with caplog.at_level(logging.INFO, logger="passage.http"):
        gated, stacked = await _both(prod_server, **{"x-request-id": REQUEST_ID})
    assert gated.status_code == 500
    assert gated.json()["errors"][0]["extensions"]["requestId"] == REQUEST_ID
    _same(gated, stacked)
    errors = [r for r in caplog.records if r.getMessage() == "unhandled error"]
    assert len(errors) == 2
    assert errors[0].fields == errors[1].fields == {"path": "/graphql", "request_id": REQUEST_ID}
    lines = [r.fields for r in caplog.records if r.getMessage() == "request"]
    assert [{k: v for k, v in f.items() if k != "duration_ms"} for f in lines[-2:]] == [
        {"kind": "http", "method": "POST", "path": "/graphql", "status": 500}
    ] * 2


async def test_the_gate_takes_only_a_json_post_to_graphql(prod_server):
    gate = prod_server.app.post_gate
    base = {"type": "http", "method": "POST", "path": "/graphql", "root_path": ""}
    json_body = [(b"content-type", b"application/json")]
    assert gate.takes({**base, "headers": json_body})
    assert not gate.takes({**base, "headers": [(b"content-type", b"multipart/form-data")]})
    assert not gate.takes({**base, "method": "GET", "headers": json_body})
    assert not gate.takes({**base, "path": "/graphql/", "headers": json_body})
    assert not gate.takes({**base, "root_path": "/api", "headers": json_body})
    assert not gate.takes({**base, "headers": [*json_body, (b"accept", b"multipart/mixed")]})
    assert not gate.takes({**base, "type": "websocket", "headers": json_body})


async def test_cors_headers_are_kept_for_a_bounded_number_of_origins(prod_server):
    gate = prod_server.app.post_gate
    origins = [f"https://site-{n}.example" for n in range(100)]
    answers = await asyncio.gather(
        *(
            prod_server.api.http.post(
                "/graphql", content=QUERY, headers={"content-type": "application/json", "origin": o}
            )
            for o in origins
        )
    )
    assert all(
        a.status_code == 200 and "access-control-allow-origin" not in a.headers for a in answers
    )
    assert len(gate._cors_headers) <= 64


async def test_an_http_exception_is_answered_as_starlette_answers_it(prod_server, monkeypatch):
    # Nothing of ours raises Starlette's HTTPException on this path; if a library did, the
    # stack's exception layer would answer with its status and text: so does the gate.
    from starlette.exceptions import HTTPException

    view = prod_server.app.post_gate.view

    async def refused(*args: Any, **kwargs: Any) -> Any:
        raise HTTPException(418, "Théière", headers={"Retry-After": "1"})

    monkeypatch.setattr(view, "get_context", refused)
    gated, stacked = await _both(prod_server, **{"x-request-id": REQUEST_ID})
    assert gated.status_code == 418 and gated.headers["retry-after"] == "1"
    _same(gated, stacked)
