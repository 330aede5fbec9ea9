"""Composition root: settings, lifespan (ORM, bus, background loops) and routes."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Mapping
from datetime import timedelta
from typing import Any, cast

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.schema import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    Message,
)
from strawberry.types.unset import UNSET, UnsetType
from tortoise import connections

from dashboard import DashboardFiles
from models.db import close_db, init_db
from pages import PAGES, Page, page_files
from resolvers import (
    anomalies,
    attachments,
    callbacks,
    certificate_publication,
    claims_read,
    digests,
    documents,
    feeds,
    lateness,
    plans,
    reply_promise,
    sessions,
)
from resolvers import passwords as password_rules
from resolvers.errors import Unauthenticated
from resolvers.partners import keys as partner_keys
from resolvers.partners import webhook_delivery
from resolvers.privacy import archive as legal_archive
from resolvers.privacy import exports as data_exports
from resolvers.privacy import retention
from resolvers.runtime import RequestMeta, Runtime, Viewer
from resolvers.urssaf import polling as urssaf_polling
from schema import build_schema
from schema.context import Context
from services.asgi import BodyLimit, RequestLog, SecurityHeaders, ServerErrors, SocketGate
from services.config import Settings, load_settings
from services.mailer import Mailer, transport_for
from services.passwords import PasswordService
from services.request_json import frame_problem, read_json
from services.sms import gateway_for
from services.urssaf.client import Credentials, UrssafClient
from subscriptions import events
from subscriptions.bus import SESSIONS_CHANNEL, Bus
from subscriptions.hub import Hub

log = logging.getLogger("passage.app")

# Close code for a websocket whose session ended (graphql-transport-ws "Forbidden").
SESSION_ENDED = 4403


def socket_owner(viewer: Viewer) -> int:
    """What a socket is filed under: its session, or (negated) its partner API key."""
    return -viewer.api_key_id if viewer.api_key_id is not None else viewer.session_id


class OpenSockets:
    """The websockets each session (or partner key, by negative id) has open here.

    A socket is added once its session is checked and removed when its handler
    ends, whatever the reason, so the map only ever holds open sockets.
    """

    def __init__(self) -> None:
        self._by_session: dict[int, set[WebSocket]] = {}

    def __len__(self) -> int:
        return sum(len(sockets) for sockets in self._by_session.values())

    def add(self, session_id: int, websocket: WebSocket) -> None:
        self._by_session.setdefault(session_id, set()).add(websocket)

    def discard(self, session_id: int, websocket: WebSocket) -> None:
        sockets = self._by_session.get(session_id)
        if sockets is None:
            return
        sockets.discard(websocket)
        if not sockets:
            del self._by_session[session_id]

    def session_ids(self) -> list[int]:
        return list(self._by_session)

    async def close(self, session_id: int) -> None:
        for websocket in list(self._by_session.pop(session_id, ())):
            with contextlib.suppress(Exception):  # already closing: nothing left to do
                await websocket.close(code=SESSION_ENDED, reason="Session ended")


class _PerOperationSchema:
    """The schema as the websocket handler sees it: each operation gets its own loaders.

    strawberry hands every operation of a connection the one context made at the
    handshake; DataLoaders in it would serve stale rows, and keep them, for as
    long as the socket stays open.
    """

    def __init__(self, schema: BaseSchema) -> None:
        self.schema = schema

    async def stream(self, query: str | None, *, context_value: Context, **kwargs: Any) -> Any:
        fresh = dataclasses.replace(context_value, _loaders=None, extensions={})
        return await self.schema.stream(query, context_value=fresh, **kwargs)


class PassageTransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws, with per-operation loaders and the socket forgotten on close."""

    def __init__(self, *, schema: BaseSchema, **kwargs: Any) -> None:
        super().__init__(schema=cast(BaseSchema, _PerOperationSchema(schema)), **kwargs)

    async def handle_message(self, message: Message) -> None:
        problem = frame_problem(message)
        if problem is not None:
            await self.handle_invalid_message(problem)  # closes with 4400
            return
        await super().handle_message(message)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        # The timeout task was cancelled: not kept for the socket's life.
        self.connection_init_timeout_task = None

    async def shutdown(self) -> None:
        try:
            await super().shutdown()
        finally:
            viewer = self.context.maybe_viewer
            if viewer is not None:
                cast(PassageGraphQL, self.view).sockets.discard(
                    socket_owner(viewer), self.context.websocket
                )


class _TextFrames(ASGIWebSocketAdapter):
    """graphql-transport-ws speaks in text frames; the view encodes JSON to bytes."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class PassageGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = PassageTransportWS
    websocket_adapter_class = _TextFrames

    def decode_json(self, data: str | bytes) -> object:
        # Malformed bodies and frames: 400 over HTTP, close 4400 on a socket.
        return read_json(data)

    def encode_json(self, data: object) -> bytes:
        # orjson writes a page of 50 visits in 10 µs where the standard library took 260,
        # with the same compact output (UTF-8 rather than \u escapes). Request bodies are
        # still read by the standard library, which keeps every integer exact (orjson
        # reads integers past 64 bits as floats).
        return orjson.dumps(data)

    def __init__(self, runtime: Runtime, sockets: OpenSockets, **kwargs: Any) -> None:
        super().__init__(build_schema(runtime.settings), **kwargs)
        self.runtime = runtime
        self.sockets = sockets

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        client = request.client
        meta = RequestMeta(
            address=client.host if client else "",
            user_agent=request.headers.get("user-agent", "")[:512],
        )
        context = Context(runtime=self.runtime, meta=meta)
        if isinstance(request, WebSocket):
            context.websocket = request
            return context
        try:
            context.maybe_viewer = await sessions.viewer_from_token(
                self.runtime, request.headers.get("authorization"), meta
            )
        except Unauthenticated:
            context.bad_token = True
        return context

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params = context.connection_params or {}
        authorization = params.get("authorization") or params.get("Authorization")
        if authorization is None:
            return UNSET  # type: ignore[no-any-return]  # anonymous: fields needing a viewer say so
        if not isinstance(authorization, str):
            raise ConnectionRejectionError()
        try:
            viewer = await sessions.viewer_from_token(self.runtime, authorization, context.meta)
        except Unauthenticated:
            raise ConnectionRejectionError() from None
        if viewer is None:
            return UNSET  # type: ignore[no-any-return]
        context.maybe_viewer = viewer
        self.sockets.add(socket_owner(viewer), context.websocket)
        # A revocation published between the lookup and `add` found no socket to close:
        # look again now that it is registered (the row is revoked before the publish).
        if viewer.api_key_id is not None:
            live = bool(await partner_keys.live_keys([viewer.api_key_id]))
        else:
            live = await sessions.session_is_live(self.runtime, viewer.session_id)
        if not live:
            raise ConnectionRejectionError()
        return UNSET  # type: ignore[no-any-return]


class PassageApp(Starlette):
    """Starlette, with the GraphQL websocket taken straight to its endpoint.

    CORS, the body limit and the 500 page are about HTTP; around a socket each would
    only be one more frame kept alive for as long as it stays open (thousands of idle
    dashboards and phones). The socket keeps its request id, its log line and the
    origin check.
    """

    websocket_endpoints: dict[str, ASGIApp]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            endpoint = self.websocket_endpoints.get(scope["path"])
            if endpoint is not None:
                scope["app"] = self
                await endpoint(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def build_runtime(settings: Settings) -> Runtime:
    bus = Bus(settings.broadcast_url, settings.bus_namespace)
    return Runtime(
        settings=settings,
        passwords=PasswordService(
            memory_kib=settings.argon2_memory_kib,
            time_cost=settings.argon2_time_cost,
            parallelism=settings.argon2_parallelism,
            concurrency=settings.hash_concurrency,
        ),
        mailer=Mailer(
            transport_for(settings.email_url, development=not settings.production),
            settings.email_from,
            settings.outbox_poll_seconds,
            sms=gateway_for(settings.sms_url),
            retry_base_seconds=settings.outbox_retry_base_seconds,
        ),
        bus=bus,
        hub=Hub(bus, settings.subscriber_queue_size),
        urssaf=UrssafClient(
            Credentials(
                settings.urssaf_url, settings.urssaf_client_id, settings.urssaf_client_secret
            ),
            timeout_seconds=settings.urssaf_timeout_seconds,
        ),
    )


async def _sweep_sessions(runtime: Runtime, sockets: OpenSockets) -> None:
    """Closes websockets whose session expired while they were open; ages passwords."""
    while True:
        await asyncio.sleep(runtime.settings.session_sweep_seconds)
        try:
            open_ids = sockets.session_ids()
            live = await sessions.live_sessions(runtime, [i for i in open_ids if i > 0])
            live |= {-k for k in await partner_keys.live_keys([-i for i in open_ids if i < 0])}
            for session_id in open_ids:
                if session_id not in live:
                    await sockets.close(session_id)
            await password_rules.notify_aged_passwords(runtime)
        except Exception:
            log.exception("session sweep failed")


def create_app(settings: Settings | None = None, *, manage_db: bool = True) -> Starlette:
    """The ASGI app. `manage_db=False` when the caller already set up the ORM (tests)."""
    settings = settings or load_settings()
    runtime = build_runtime(settings)
    sockets = OpenSockets()
    graphql = PassageGraphQL(
        runtime,
        sockets,
        graphql_ide=None if settings.production else "graphiql",
        allow_queries_via_get=not settings.production,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout_seconds),
        max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
        allowed_origins=settings.allowed_origins,
    )
    sdl = graphql.schema.as_str() + "\n"
    pages = page_files(settings.production)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_db:
            await init_db(settings.database_url)
        await runtime.bus.connect()

        async def on_revoked(message: str) -> None:
            if message.removeprefix("-").isdigit():  # a session, or (negated) a partner key
                await sockets.close(int(message))

        runtime.bus.listen(SESSIONS_CHANNEL, on_revoked)
        tasks = [
            asyncio.create_task(runtime.mailer.run(), name="mailer"),
            asyncio.create_task(lateness.run(runtime), name="lateness"),
            asyncio.create_task(plans.run(runtime), name="plans"),
            asyncio.create_task(reply_promise.run(runtime), name="overdue-conversations"),
            asyncio.create_task(callbacks.run(runtime), name="overdue-callbacks"),
            asyncio.create_task(anomalies.run(runtime), name="missing-check-outs"),
            asyncio.create_task(digests.run(runtime), name="digests"),
            asyncio.create_task(certificate_publication.run(runtime), name="tax-certificates"),
            asyncio.create_task(
                events.run_relay(runtime.bus, settings.event_relay_seconds), name="event-relay"
            ),
            asyncio.create_task(_sweep_sessions(runtime, sockets), name="session-sweep"),
            asyncio.create_task(data_exports.run(runtime), name="data-exports"),
            asyncio.create_task(retention.run(runtime), name="retention"),
            asyncio.create_task(urssaf_polling.run(runtime), name="urssaf"),
            asyncio.create_task(webhook_delivery.run(runtime), name="webhooks"),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await runtime.hub.close()
            await runtime.urssaf.aclose()
            await runtime.bus.disconnect()
            if manage_db:
                await close_db()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(connections.get("default").execute_query("SELECT 1"), 3)
            checks["database"] = "ok"
        except Exception:
            checks["database"] = "unreachable"
        checks["bus"] = "ok" if await runtime.bus.ping() else "unreachable"
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "unavailable", "checks": checks},
            status_code=200 if ready else 503,
        )

    async def calendar_feed(request: Request) -> Response:
        body = await feeds.render(request.path_params["token"])
        if body is None:
            return PlainTextResponse("Lien inconnu ou révoqué.", status_code=404)
        return Response(
            body,
            media_type="text/calendar; charset=utf-8",
            headers={
                "cache-control": "private, max-age=300",
                "content-disposition": 'inline; filename="passage.ics"',
            },
        )

    async def billing_document(request: Request) -> Response:
        rendered = await documents.render(
            settings,
            request.url.path,
            request.query_params.get("expires", ""),
            request.query_params.get("signature", ""),
        )
        if rendered is None:
            return PlainTextResponse("Lien invalide ou expiré.", status_code=403)
        return private_file(rendered.body, rendered.media_type, attached(rendered.filename))

    async def attachment(request: Request) -> Response:
        found = await attachments.download(settings.secret_key, request.path_params["token"])
        if found is None:
            return PlainTextResponse("Lien expiré ou non autorisé.", status_code=404)
        return uploaded_file(found.data, found.content_type, found.filename)

    async def data_export(request: Request) -> Response:
        archive = await data_exports.download(
            settings,
            request.path_params["export_id"],
            request.query_params.get("expires", ""),
            request.query_params.get("signature", ""),
        )
        if archive is None:
            return PlainTextResponse("Lien invalide ou expiré.", status_code=403)
        return private_file(archive, "application/zip", attached("mes-donnees-passage.zip"))

    async def archived_document(request: Request) -> Response:
        found = await legal_archive.download(
            settings,
            request.path_params["document_id"],
            request.query_params.get("expires", ""),
            request.query_params.get("signature", ""),
        )
        if found is None:
            return PlainTextResponse("Lien invalide ou expiré.", status_code=403)
        return private_file(bytes(found.content), "application/pdf", attached(found.filename))

    async def claim_file(request: Request) -> Response:
        found = await claims_read.download_file(settings.secret_key, request.path_params["token"])
        if found is None:
            return PlainTextResponse("Lien expiré ou non autorisé.", status_code=404)
        return uploaded_file(found.data, found.content_type, found.filename)

    async def schema_sdl(request: Request) -> Response:
        # Same rule as `__schema` / `__type` (see schema/limits.py).
        refused: tuple[int, str, str] | None = None
        if settings.introspection == "off":
            refused = (403, "FORBIDDEN", "Schéma non publié.")
        elif settings.introspection == "authenticated":
            context = await graphql.get_context(request, None)
            if context.maybe_viewer is None:
                refused = (401, "UNAUTHENTICATED", "Authentification requise.")
        if refused is None:
            return PlainTextResponse(sdl, media_type="text/plain; charset=utf-8")
        status, code, message = refused
        return JSONResponse(
            {"errors": [{"message": message, "extensions": {"code": code}}]},
            status_code=status,
            headers={"www-authenticate": "Bearer"} if status == 401 else None,
        )

    app = PassageApp(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/schema.graphql", schema_sdl),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/calendar/{token}.ics", calendar_feed, methods=["GET"]),
            Route("/documents/{kind}/{name}", billing_document, methods=["GET"]),
            Route("/attachments/{token}", attachment, methods=["GET"]),
            Route("/claim-files/{token}", claim_file, methods=["GET"]),
            # Relative, so it stays right behind a proxy that rewrites the scheme.
            Route("/dashboard", lambda _: RedirectResponse("/dashboard/", status_code=308)),
            Mount("/dashboard", app=DashboardFiles(settings.production), name="dashboard"),
            Route("/exports/{export_id:int}.zip", data_export, methods=["GET"]),
            Route("/archive/{document_id:int}.pdf", archived_document, methods=["GET"]),
            # The pages behind e-mailed links, and their script and style.
            *[Route(path, Page(pages, name), methods=["GET"]) for path, name in PAGES.items()],
            Mount("/pages", app=pages, name="pages"),
        ],
        # Outermost first. CORS wraps the last two so a browser can read their 500 and 413 too.
        middleware=[
            Middleware(RequestLog),
            Middleware(SecurityHeaders, production=settings.production),
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.allowed_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["authorization", "content-type", "x-request-id"],
                expose_headers=["x-request-id"],
                max_age=600,
            ),
            Middleware(ServerErrors),
            Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
        ],
        lifespan=lifespan,
    )
    app.websocket_endpoints = {"/graphql": SocketGate(graphql, production=settings.production)}
    app.state.runtime = runtime
    app.state.sockets = sockets
    app.state.planner = cast(Any, graphql.schema).planner
    return app


def attached(filename: str) -> str:
    return f'attachment; filename="{filename}"'


def private_file(
    body: bytes, media_type: str, disposition: str, extra: dict[str, str] | None = None
) -> Response:
    """A file behind a signed link: never cached by a proxy, never sniffed as another type."""
    headers = {
        "cache-control": "private, no-store",
        "content-disposition": disposition,
        "x-content-type-options": "nosniff",
        **(extra or {}),
    }
    return Response(body, media_type=media_type, headers=headers)


def uploaded_file(body: bytes, media_type: str, filename: str) -> Response:
    """A file a person uploaded (message or claim attachment): sandboxed if opened inline."""
    return private_file(
        body,
        media_type,
        attachments.content_disposition(filename),
        {"content-security-policy": "default-src 'none'; sandbox"},
    )


def server_config(app: Starlette, settings: Settings, host: str, port: int, **tls: Any) -> Any:
    """uvicorn settings shared by `passage serve`, the tests and the benchmarks."""
    import uvicorn

    from services.sockets import LeanWebSocketProtocol

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        ws=LeanWebSocketProtocol,
        # Per-message deflate nearly doubled memory per idle websocket (see DESIGN.md).
        ws_per_message_deflate=False,
        ws_max_size=settings.max_ws_message_bytes,
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=",".join(settings.trusted_proxies) or None,
        server_header=False,
        log_config=None,
        lifespan="on",
        # A stop drains open requests and sockets for at most this long, then cancels them:
        # a connection that never closes must not keep a deploy (or a test run) waiting.
        timeout_graceful_shutdown=10,
        **tls,
    )
