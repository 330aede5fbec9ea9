"""Composition root: settings, runtime, the web app with its routes and middleware, and
its lifespan (ORM, event bus, scheduled jobs). Nothing imports this module but the
command line and the tests, which serve what it builds."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, cast

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

import jobs
from models.db import close_db, init_db
from resolvers.accounts import sessions
from resolvers.core.runtime import Runtime, build_runtime
from services.config import Settings, load_settings
from web.gate import PostGate
from web.graphql import graphql_view
from web.interpreter import collector_policy
from web.middleware import BodyLimit, RequestLog, SecurityHeaders, ServerErrors, SocketGate
from web.open_sockets import OpenSockets
from web.routes import PassageApp, routes


def cors_options(settings: Settings) -> dict[str, Any]:
    return {
        "allow_origins": list(settings.allowed_origins),
        "allow_methods": ["GET", "POST"],
        "allow_headers": ["authorization", "content-type", "x-request-id"],
        "expose_headers": ["x-request-id"],
        "max_age": 600,
    }


def middleware(settings: Settings) -> list[Middleware]:
    # Outermost first. CORS wraps the last two so a browser can read their 500 and 413 too.
    return [
        Middleware(RequestLog),
        Middleware(SecurityHeaders, production=settings.production),
        Middleware(CORSMiddleware, **cors_options(settings)),
        Middleware(ServerErrors),
        Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
    ]


def lifespan(
    runtime: Runtime, sockets: OpenSockets, throttle: Any, *, manage_db: bool
) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """ORM, event bus and every scheduled job, for as long as the app serves."""

    @contextlib.asynccontextmanager
    async def serving(app: Starlette) -> AsyncIterator[None]:
        if manage_db:
            await init_db(runtime.settings.database_url, serving=True)
        await runtime.bus.connect()
        sockets.follow_revocations(runtime.bus)
        sessions.follow_changes(runtime)
        try:
            async with jobs.running(runtime, sockets), collector_policy():
                yield
        finally:
            await runtime.hub.close()
            await runtime.urssaf.aclose()
            if throttle is not None:
                await throttle.close()  # cost buckets (schema/engine/throttle.py)
            await runtime.bus.disconnect()
            if manage_db:
                await close_db()

    return serving


def create_app(settings: Settings | None = None, *, manage_db: bool = True) -> Starlette:
    """The ASGI app. `manage_db=False` when the caller already set up the ORM (tests)."""
    settings = settings or load_settings()
    runtime = build_runtime(settings)
    sockets = OpenSockets()
    graphql = graphql_view(runtime, sockets)
    throttle = cast(Any, graphql.schema).throttle
    app = PassageApp(
        routes=routes(settings, graphql),
        middleware=middleware(settings),
        lifespan=lifespan(runtime, sockets, throttle, manage_db=manage_db),
    )
    app.websocket_endpoints = {"/graphql": SocketGate(graphql, production=settings.production)}
    app.post_gate = PostGate(
        graphql, cors_options(settings), settings.production, settings.max_body_bytes
    )
    app.state.runtime = runtime
    app.state.sockets = sockets
    app.state.planner = cast(Any, graphql.schema).planner
    return app
