"""Every route of the app: GraphQL, the printed schema, health, the files behind links,
the dashboard and the pages behind e-mailed links."""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from tortoise import connections

from dashboard import DashboardFiles
from pages import PAGES, Page, page_files
from services.config import Settings
from web import files
from web.gate import PostGate
from web.graphql import PassageGraphQL


class PassageApp(Starlette):
    """Starlette, with the GraphQL websocket taken straight to its endpoint.

    CORS, the body limit and the 500 page are about HTTP; around a socket each would
    only be one more frame kept alive for as long as it stays open (thousands of idle
    dashboards and phones). The socket keeps its request id, its log line and the
    origin check.
    """

    websocket_endpoints: dict[str, ASGIApp]
    # A JSON POST to /graphql, most requests, answered past the middlewares by the one
    # frame that does their work (web/gate.py); None: through them.
    post_gate: PostGate | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        gate = self.post_gate
        if gate is not None and gate.takes(scope):
            scope["app"] = self
            await gate(scope, receive, send)
            return
        if scope["type"] == "websocket":
            endpoint = self.websocket_endpoints.get(scope["path"])
            if endpoint is not None:
                scope["app"] = self
                await endpoint(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    checks: dict[str, str] = {}
    try:
        async with asyncio.timeout(3):
            await connections.get("default").execute_query("SELECT 1")
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "unreachable"
    checks["bus"] = "ok" if await request.app.state.runtime.bus.ping() else "unreachable"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )


class SchemaFile:
    """`/schema.graphql`, under the same rule as `__schema` / `__type`
    (see schema/engine/limits.py)."""

    def __init__(self, graphql: PassageGraphQL) -> None:
        self.graphql = graphql
        self.sdl = graphql.schema.as_str() + "\n"

    async def respond(self, request: Request) -> Response:
        refused: tuple[int, str, str] | None = None
        introspection = self.graphql.runtime.settings.introspection
        if introspection == "off":
            refused = (403, "FORBIDDEN", "Schéma non publié.")
        elif introspection == "authenticated":
            context = await self.graphql.get_context(request, None)
            if context.maybe_viewer is None:
                refused = (401, "UNAUTHENTICATED", "Authentification requise.")
        if refused is None:
            return PlainTextResponse(self.sdl, media_type="text/plain; charset=utf-8")
        status, code, message = refused
        return JSONResponse(
            {"errors": [{"message": message, "extensions": {"code": code}}]},
            status_code=status,
            headers={"www-authenticate": "Bearer"} if status == 401 else None,
        )


def routes(settings: Settings, graphql: PassageGraphQL) -> list[BaseRoute]:
    pages = page_files(settings.production)
    return [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/schema.graphql", SchemaFile(graphql).respond),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/calendar/{token}.ics", files.calendar_feed, methods=["GET"]),
        Route("/documents/{kind}/{name}", files.billing_document, methods=["GET"]),
        Route("/attachments/{token}", files.attachment, methods=["GET"]),
        Route("/claim-files/{token}", files.claim_file, methods=["GET"]),
        # Relative, so it stays right behind a proxy that rewrites the scheme.
        Route("/dashboard", lambda _: RedirectResponse("/dashboard/", status_code=308)),
        Mount("/dashboard", app=DashboardFiles(settings.production), name="dashboard"),
        Route("/exports/{export_id:int}.zip", files.data_export, methods=["GET"]),
        Route("/archive/{document_id:int}.pdf", files.archived_document, methods=["GET"]),
        # The pages behind e-mailed links, and their script and style.
        *[Route(path, Page(pages, name), methods=["GET"]) for path, name in PAGES.items()],
        Mount("/pages", app=pages, name="pages"),
    ]
