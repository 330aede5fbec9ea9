"""What the middlewares do for a JSON POST to /graphql, in one frame and one send.

Most requests are a POST of one JSON document to /graphql. Through the middleware stack
each crossed seven layers (the request log, the security headers, CORS, the 500 answer,
Starlette's exception layer and router, the body limit), each with its own call and its
own wrapper around `send`; on a signed-in `{ __typename }` that was a fifth of the CPU.
`PostGate` does for such a request what those layers do, in the same order, and answers
it with `web/json_post.py`; every other request (another path or method, a form, a
stream, a proxy's root path) goes through the stack as before.

What it keeps of each layer:

- `RequestLog`: the request id (kept from `X-Request-ID` when well formed), its response
  header, its log line;
- `SecurityHeaders`: the headers every response carries unless the app set them;
- `CORSMiddleware`: the headers Starlette's would add for the request's `Origin`,
  worked out by Starlette's own middleware once per origin and kept (a bounded cache);
- `ServerErrors`: an exception answered with a JSON 500 naming the request id, and logged;
- `BodyLimit`: a body over the limit, declared or streamed, answered with 413.

`tests/web/test_gate.py` sends the same requests through both ways and compares
status, headers and body.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from cachetools import LRUCache
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import PlainTextResponse

from services.logs import request_id_var
from web import json_post
from web.middleware import (
    Message,
    Receive,
    Scope,
    Send,
    body_too_large,
    declared_over,
    log_request,
    log_unhandled,
    request_id_for,
    security_headers,
    server_error,
)

if TYPE_CHECKING:
    from web.graphql import PassageGraphQL

PATH = "/graphql"
# The headers a JSON answer of the app carries as a rule (web/middleware.py `respond`).
_PLAIN = frozenset({b"content-type", b"content-length"})
# Distinct `Origin` values whose CORS headers are kept: a browser sends its page's own.
ORIGINS_KEPT = 64


class PostGate:
    """The middlewares' work for a JSON POST to /graphql (see the module's docstring)."""

    def __init__(
        self,
        view: PassageGraphQL,
        cors: dict[str, Any],
        production: bool,
        max_body_bytes: int,
    ) -> None:
        self.view = view
        self.cors = CORSMiddleware(_unused, **cors)
        self.security = security_headers(production)
        self.security_names = frozenset(name for name, _ in self.security)
        self.max_body_bytes = max_body_bytes
        # By `Origin` (None: none sent; "" is an origin sent empty).
        self._cors_headers: LRUCache[str | None, list[tuple[bytes, bytes]]] = LRUCache(ORIGINS_KEPT)
        # What follows the app's headers when it set only `_PLAIN` ones: CORS's, then the
        # security headers (none of which is one of those), by `Origin`.
        assert self.security_names.isdisjoint(_PLAIN)
        self._plain_tails: LRUCache[str | None, list[tuple[bytes, bytes]]] = LRUCache(ORIGINS_KEPT)

    @staticmethod
    def takes(scope: Scope) -> bool:
        return (
            scope["type"] == "http"
            and scope["path"] == PATH
            and not scope.get("root_path")
            and json_post.takes(scope)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id_value = request_id_for(scope)
        token = request_id_var.set(request_id_value)
        started = time.perf_counter()
        origin: str | None = None
        declared: str | None = None
        for key, value in scope["headers"]:  # the first of each, as the middlewares read
            if key == b"origin" and origin is None:
                origin = value.decode("latin-1")
            elif key == b"content-length" and declared is None:
                declared = value.decode("latin-1")
        status = 0
        sent_start = False

        async def gated_send(message: Message) -> None:
            nonlocal status, sent_start
            if message["type"] == "http.response.start":
                sent_start = True
                status = message["status"]
                message["headers"] = await self._headers(
                    list(message.get("headers", ())), origin, request_id_value
                )
            await send(message)

        try:
            await self._answer(scope, receive, gated_send, declared)
        except HTTPException as exc:  # as Starlette's exception layer answers one
            if sent_start:
                raise
            response = PlainTextResponse(exc.detail, exc.status_code, headers=exc.headers)
            await response(scope, receive, gated_send)
        except Exception:
            log_unhandled(scope)
            if sent_start:
                raise  # too late for an answer: the server drops the connection
            await server_error(gated_send)
        finally:
            log_request("http", "POST", PATH, status, started)
            request_id_var.reset(token)

    async def _answer(
        self, scope: Scope, receive: Receive, send: Send, declared: str | None
    ) -> None:
        limit = self.max_body_bytes
        body = None if declared_over(declared, limit) else await json_post.read_body(receive, limit)
        if body is None:
            await body_too_large(send, limit)
            return
        await json_post.answer(self.view, scope, body, receive, send)

    async def _headers(
        self, headers: list[tuple[bytes, bytes]], origin: str | None, request_id_value: str
    ) -> list[tuple[bytes, bytes]]:
        """The response's headers as the middlewares leave them: CORS's, the security
        headers the app did not set, then the request id."""
        if all(name in _PLAIN for name, _ in headers):  # most answers: kept whole per origin
            try:
                tail = self._plain_tails[origin]
            except KeyError:
                tail = self._plain_tails[origin] = [*await self._cors_for(origin), *self.security]
            return [*headers, *tail, (b"x-request-id", request_id_value.encode())]
        names = {name.lower() for name, _ in headers}
        if any(name == b"vary" or name.startswith(b"access-control-") for name in names):
            headers = await self._cors(headers, origin)  # not kept: the app set its own
        else:
            headers = [*headers, *await self._cors_for(origin)]
        if names.isdisjoint(self.security_names):
            headers.extend(self.security)
        else:
            headers.extend((k, v) for k, v in self.security if k not in names)
        headers.append((b"x-request-id", request_id_value.encode()))
        return headers

    async def _cors_for(self, origin: str | None) -> list[tuple[bytes, bytes]]:
        """The headers CORS adds for `origin` to an answer that set none of its own (kept)."""
        try:  # one look-up: an origin seen before is the rule
            return self._cors_headers[origin]
        except KeyError:
            extra = self._cors_headers[origin] = await self._cors([], origin)
            return extra

    async def _cors(
        self, headers: list[tuple[bytes, bytes]], origin: str | None
    ) -> list[tuple[bytes, bytes]]:
        """What Starlette's CORS middleware makes of `headers` for `origin`."""
        request = Headers(raw=[] if origin is None else [(b"origin", origin.encode("latin-1"))])
        out: list[Message] = []

        async def keep(message: Message) -> None:
            out.append(message)

        start: Message = {"type": "http.response.start", "status": 200, "headers": headers}
        await self.cors.send(start, send=keep, request_headers=request)
        return list(out[0]["headers"])


async def _unused(scope: Scope, receive: Receive, send: Send) -> None:
    raise AssertionError("PostGate calls CORSMiddleware.send only")
