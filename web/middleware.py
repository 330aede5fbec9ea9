"""Plain ASGI middleware: request ids and logging, body limits, security headers, 500s.

Written against the ASGI spec alone, so they wrap any app and carry no framework.
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from services.logs import request_id_var

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("passage.http")
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def request_id_for(scope: Scope) -> str:
    """The caller's X-Request-ID when well formed, else a new one: 16 hex digits.

    An id ties a response to its log lines; it guards nothing, so it is drawn from the
    `random` module (seeded from the system's randomness, and again in a forked child),
    not from the system's randomness on every request (`secrets`): that system call was
    4 % of a signed-in `{ __typename }`'s CPU."""
    incoming = _header(scope, b"x-request-id")
    if incoming and REQUEST_ID_RE.match(incoming):
        return incoming
    return f"{random.getrandbits(64):016x}"


def log_request(kind: str, method: str, path: str, status: int, started: float) -> None:
    """A request's log line, once it is answered (or has failed)."""
    if not log.isEnabledFor(logging.INFO):
        return  # not even its fields made
    log.info(
        "request",
        extra={
            "fields": {
                "kind": kind,
                "method": method,
                "path": path,
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            }
        },
    )


class RequestLog:
    """Gives each request an id (kept from X-Request-ID when well formed) and logs it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        request_id = request_id_for(scope)
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            elif message["type"] == "websocket.accept":
                status = 101
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log_request(
                scope["type"], scope.get("method", "GET"), scope.get("path", ""), status, started
            )
            request_id_var.reset(token)


async def respond(
    send: Send,
    status: int,
    content_type: bytes,
    body: bytes,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """A whole response in two messages: its start (type, length, `headers`) and its body."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                *(headers or ()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _json_error(send: Send, status: int, code: str, message: str, **extra: str) -> None:
    error = {"message": message, "extensions": {"code": code, **extra}}
    await respond(send, status, b"application/json", json.dumps({"errors": [error]}).encode())


def declared_over(declared: str | None, max_bytes: int) -> bool:
    """A `Content-Length` past `max_bytes`, or not a number."""
    return declared is not None and (not declared.isdigit() or int(declared) > max_bytes)


async def body_too_large(send: Send, max_bytes: int) -> None:
    await _json_error(send, 413, "PAYLOAD_TOO_LARGE", f"Request body over {max_bytes} bytes.")


class BodyLimit:
    """Refuses request bodies over `max_bytes`, declared or streamed (413)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared_over(declared, self.max_bytes):
            await body_too_large(send, self.max_bytes)
            return
        received = 0
        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counted_receive, guarded_send)
        except _TooLarge:
            if not started:
                await body_too_large(send, self.max_bytes)


class _TooLarge(Exception):
    pass


def log_unhandled(scope: Scope) -> None:
    """Logs the exception being handled, with the request's path and id."""
    log.exception(
        "unhandled error",
        extra={"fields": {"path": scope.get("path", ""), "request_id": request_id_var.get()}},
    )


async def server_error(send: Send) -> None:
    """The JSON 500, naming the request id."""
    await _json_error(
        send, 500, "INTERNAL_SERVER_ERROR", "Erreur inattendue.", requestId=request_id_var.get()
    )


class ServerErrors:
    """Answers an exception nothing else handled with a JSON 500 and logs it with the request id.

    Starlette's own handler sits outside every middleware: its plain-text 500 carried
    no request id and no security headers, and its log line no request id.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked_send)
        except Exception:
            log_unhandled(scope)
            if started:
                raise  # too late for an answer: the server drops the connection
            await server_error(send)


def security_headers(production: bool) -> list[tuple[bytes, bytes]]:
    """What every response carries unless the app set it."""
    headers = [
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"geolocation=(), camera=(), microphone=()"),
        # Answers are per viewer: no shared cache may keep them (a route may say otherwise).
        (b"cache-control", b"no-store"),
    ]
    if production:
        headers += [
            (b"strict-transport-security", b"max-age=63072000; includeSubDomains"),
            (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
        ]
    return headers


class SecurityHeaders:
    """Headers every response carries unless the app set them; HSTS and a strict CSP in production.

    In production a websocket handshake from a plain-HTTP page is refused: its
    token would have crossed the network in clear.
    """

    def __init__(self, app: ASGIApp, production: bool) -> None:
        self.app = app
        self.production = production
        self.headers = security_headers(production)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and self.production:
            origin = _header(scope, b"origin")
            if origin is not None and not origin.startswith("https://"):
                await send({"type": "websocket.close", "code": 1008})
                return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {key.lower() for key, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SocketGate:
    """What a websocket keeps of the middlewares, in one frame for its whole life: the
    origin check of `SecurityHeaders` and the request id and log line of `RequestLog`."""

    def __init__(self, app: ASGIApp, production: bool) -> None:
        self.app = app
        self.production = production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.production:
            origin = _header(scope, b"origin")
            if origin is not None and not origin.startswith("https://"):
                await send({"type": "websocket.close", "code": 1008})
                return
        request_id = request_id_for(scope)
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 0

        async def tracked_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "websocket.accept":
                status = 101
            await send(message)

        try:
            await self.app(scope, receive, tracked_send)
        finally:
            log_request("websocket", "GET", scope.get("path", ""), status, started)
            request_id_var.reset(token)
