"""What front ends send most, a POST of one JSON document, answered in one pass.

strawberry's HTTP view handles every shape of request (GET, multipart uploads, batches,
streamed answers, the IDE) through adapters and response objects made per request;
on a signed-in `{ __typename }` that generic layer cost as much CPU as the execution
itself. A POST whose body is one JSON object and which asks for no stream is answered
here instead, by the same view's own steps in the same order: its context (the session
read), `execute_single` (the same operation types allowed, the same 400s),
`process_result` and `encode_json`. Every other request, and any body this path would
not answer exactly as strawberry does (a batch, a `query` that is not text), goes to
strawberry's view with the body replayed. The schema's extensions, limits and cost run
inside `schema.execute` either way.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from cross_web import HTTPException
from starlette.requests import Request
from strawberry.http import GraphQLRequestData

from web.middleware import Message, Receive, Scope, Send, respond

if TYPE_CHECKING:
    from web.graphql import PassageGraphQL

# Accept values asking for a streamed answer (multipart/mixed, server-sent events):
# strawberry's view decides those.
_STREAMED = (b"multipart/mixed", b"text/event-stream")
# The members strawberry's view reads, with the types it accepts for each (else a 400).
_MEMBERS = {"query": str, "variables": dict, "extensions": dict}


def takes(scope: Scope) -> bool:
    """A POST with a JSON body that asks for no stream."""
    if scope["method"] != "POST":
        return False
    json_body = False
    for key, value in scope["headers"]:
        if key == b"content-type":
            json_body = value.partition(b";")[0].strip().lower() == b"application/json"
        elif key == b"accept" and any(kind in value.lower() for kind in _STREAMED):
            return False
    return json_body


async def answer(
    view: PassageGraphQL, scope: Scope, body: bytes, receive: Receive, send: Send
) -> None:
    """Answers the request whose whole `body` was read (`receive` then gives a disconnect)."""
    try:
        data = view.decode_json(body)
    except json.JSONDecodeError:
        await _plain(send, 400, "Unable to parse request body as JSON")
        return
    if not _single(data):
        await view.generic(scope, _replay(body, receive), send)
        return
    assert isinstance(data, dict)
    request = Request(scope, _replay(body, receive))
    sub_response = await view.get_sub_response(request)
    context = await view.get_context(request, sub_response)
    request_data = GraphQLRequestData(
        query=data.get("query"),
        variables=data.get("variables"),
        operation_name=data.get("operationName"),
        extensions=data.get("extensions"),
        protocol="http",
    )
    try:
        result = await view.execute_single(
            request, view.request_adapter_class(request), sub_response, context, None, request_data
        )
    except HTTPException as exc:
        await _plain(send, exc.status_code, exc.reason)
        return
    processed = await view.process_result(request, result)
    await respond(
        send,
        sub_response.status_code or 200,
        b"application/json",
        view.encode_json(processed),
        sub_response.headers.raw,
    )


def _single(data: object) -> bool:
    """One operation whose members have the types strawberry's view accepts."""
    if not isinstance(data, dict):
        return False  # a batch: strawberry's view refuses or runs it
    for name, kind in _MEMBERS.items():
        value = data.get(name)
        if value is not None and not isinstance(value, kind):
            return False
    return True


async def read_body(receive: Receive, limit: int | None = None) -> bytes | None:
    """The whole body, or None once it is over `limit` bytes (BodyLimit, web/middleware.py,
    bounds it for a request through the middlewares; web/gate.py passes the limit)."""
    chunks = []
    received = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        received += len(chunk)
        if limit is not None and received > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, then: Receive) -> Receive:
    """A receive that gives `body` first, as the request's whole body, then what `then`
    gives (a disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return await then()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _plain(send: Send, status: int, reason: str) -> None:
    """What strawberry's view answers an HTTPException with: its reason as plain text."""
    await respond(send, status, b"text/plain; charset=utf-8", reason.encode())
