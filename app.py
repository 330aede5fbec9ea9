"""Composition root: settings, lifespan (ORM, bus, background loops) and routes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType
from tortoise import connections

from models.db import close_db, init_db
from resolvers import passwords as password_rules
from resolvers import sessions
from resolvers.errors import Unauthenticated
from resolvers.runtime import RequestMeta, Runtime
from schema import build_schema
from schema.context import Context
from services.asgi import BodyLimit, RequestLog, SecurityHeaders
from services.config import Settings, load_settings
from services.mailer import Mailer, transport_for
from services.passwords import PasswordService
from subscriptions.bus import SESSIONS_CHANNEL, Bus

log = logging.getLogger("passage.app")

# Close code for a websocket whose session ended (graphql-transport-ws "Forbidden").
SESSION_ENDED = 4403
SESSION_SWEEP_SECONDS = 30.0


class OpenSockets:
    """The websockets each session has open in this process."""

    def __init__(self) -> None:
        self._by_session: dict[int, weakref.WeakSet[WebSocket]] = defaultdict(weakref.WeakSet)

    def add(self, session_id: int, websocket: WebSocket) -> None:
        self._by_session[session_id].add(websocket)

    def session_ids(self) -> list[int]:
        return [sid for sid, sockets in list(self._by_session.items()) if len(sockets)]

    async def close(self, session_id: int) -> None:
        for websocket in list(self._by_session.pop(session_id, ())):
            with contextlib.suppress(Exception):
                await websocket.close(code=SESSION_ENDED, reason="Session ended")


class PassageGraphQL(GraphQL[Context, None]):
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
                self.runtime, request.headers.get("authorization")
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
            viewer = await sessions.viewer_from_token(self.runtime, authorization)
        except Unauthenticated:
            raise ConnectionRejectionError() from None
        context.maybe_viewer = viewer
        if viewer is not None and context.websocket is not None:
            self.sockets.add(viewer.session_id, context.websocket)
        return UNSET  # type: ignore[no-any-return]


def build_runtime(settings: Settings) -> Runtime:
    return Runtime(
        settings=settings,
        passwords=PasswordService(
            memory_kib=settings.argon2_memory_kib,
            time_cost=settings.argon2_time_cost,
            parallelism=settings.argon2_parallelism,
            concurrency=settings.hash_concurrency,
        ),
        mailer=Mailer(
            transport_for(settings.email_url), settings.email_from, settings.outbox_poll_seconds
        ),
        bus=Bus(settings.broadcast_url, settings.bus_namespace),
    )


async def _sweep_sessions(runtime: Runtime, sockets: OpenSockets) -> None:
    """Closes websockets whose session expired while they were open; ages passwords."""
    while True:
        await asyncio.sleep(SESSION_SWEEP_SECONDS)
        try:
            for session_id in sockets.session_ids():
                if not await sessions.session_is_live(runtime, session_id):
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

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_db:
            await init_db(settings.database_url)
        await runtime.bus.connect()

        async def on_revoked(message: str) -> None:
            if message.isdigit():
                await sockets.close(int(message))

        runtime.bus.listen(SESSIONS_CHANNEL, on_revoked)
        tasks = [
            asyncio.create_task(runtime.mailer.run(), name="mailer"),
            asyncio.create_task(_sweep_sessions(runtime, sockets), name="session-sweep"),
        ]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
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

    async def schema_sdl(request: Request) -> Response:
        if settings.introspection != "public":
            context = await graphql.get_context(request, None)
            if context.maybe_viewer is None or settings.introspection == "off":
                return JSONResponse(
                    {
                        "errors": [
                            {
                                "message": "Authentification requise.",
                                "extensions": {"code": "UNAUTHENTICATED"},
                            }
                        ]
                    },
                    status_code=401,
                )
        return PlainTextResponse(sdl, media_type="text/plain; charset=utf-8")

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/schema.graphql", schema_sdl),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        middleware=[
            Middleware(RequestLog),
            Middleware(SecurityHeaders, production=settings.production),
            Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.allowed_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["authorization", "content-type", "x-request-id"],
                max_age=600,
            ),
        ],
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.sockets = sockets
    return app


def server_config(app: Starlette, settings: Settings, host: str, port: int, **tls: Any) -> Any:
    """uvicorn settings shared by `passage serve`, the tests and the benchmarks."""
    import uvicorn

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        # Per-message deflate nearly doubled memory per idle websocket (see DESIGN.md).
        ws_per_message_deflate=False,
        ws_max_size=settings.max_ws_message_bytes,
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=",".join(settings.trusted_proxies) or None,
        server_header=False,
        log_config=None,
        lifespan="on",
        **tls,
    )
