"""The GraphQL view: strawberry's ASGI view over HTTP and graphql-transport-ws, with our
JSON reading and writing, per-operation loaders on a socket, and sessions checked."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, cast

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLRequestData
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.schema import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    Message,
)
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType

from resolvers.accounts import sessions
from resolvers.core.errors import Unauthenticated
from resolvers.core.runtime import RequestMeta, Runtime
from resolvers.partners import keys as partner_keys
from schema import build_schema
from schema.core.context import Context
from schema.engine.persisted import hash_requested
from web import json_post
from web.open_sockets import OpenSockets, socket_owner
from web.request_json import frame_problem, read_json


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


def _agent_and_authorization(scope: Scope) -> tuple[str | None, str | None]:
    """The first `User-Agent` and `Authorization` values, as Starlette's `headers.get`
    reads them (names lowercased by the server, values as Latin-1), in one pass."""
    agent = authorization = None
    for name, value in scope["headers"]:
        if name == b"user-agent":
            if agent is None:
                agent = value.decode("latin-1")
        elif name == b"authorization" and authorization is None:
            authorization = value.decode("latin-1")
    return agent, authorization


class SubResponse(Response):
    """What strawberry's `get_sub_response` makes (no status yet, no header), without
    Response's constructor: a body rendered and a length worked out, then deleted, on
    every request."""

    def __init__(self) -> None:  # not super().__init__: its work is what is skipped
        self.status_code = None  # type: ignore[assignment]  # as strawberry's: none set
        self.background = None
        self.body = b""
        self.raw_headers = []


class PassageGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = PassageTransportWS
    websocket_adapter_class = _TextFrames

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and json_post.takes(scope):
            # Most requests come through web/gate.py; these through the middlewares.
            body = await json_post.read_body(receive)  # bounded by BodyLimit
            assert body is not None
            await json_post.answer(self, scope, body, receive, send)
        else:
            await super().__call__(scope, receive, send)

    async def generic(self, scope: Scope, receive: Receive, send: Send) -> None:
        """strawberry's view, for what `web/json_post.py` does not answer itself."""
        await super().__call__(scope, receive, send)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        return SubResponse()

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A GET with a persisted document's hash and no text is a query, not the IDE.
        return "extensions" not in request.query_params and super().should_render_graphql_ide(
            request
        )

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """strawberry's, with two rules of ours. Subscriptions are served over the websocket
        only: over HTTP (no stream transport is served) one is refused with 400, as a
        mutation over GET is, where graphql-core ran it as a query and failed. Queries over
        GET are off in production, except a persisted document sent by its hash: a URL
        that caches and a document that was registered (schema/engine/persisted.py)."""
        method = request_adapter.method
        allowed = OperationType.from_http(method) - {OperationType.SUBSCRIPTION}
        by_hash = request_data.query is None and hash_requested(request_data.extensions) is not None
        if method == "GET" and not self.allow_queries_via_get and not by_hash:
            allowed -= {OperationType.QUERY}
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request_data.extensions,
            )
        except InvalidOperationTypeError as exc:
            raise HTTPException(400, exc.as_http_error_reason(method)) from exc
        except CannotGetOperationTypeError as exc:
            raise HTTPException(400, exc.as_http_error_reason()) from exc
        except MissingQueryError as exc:
            raise HTTPException(400, "No GraphQL query found in the request") from exc

    def decode_json(self, data: str | bytes) -> object:
        # Malformed bodies and frames: 400 over HTTP, close 4400 on a socket.
        return read_json(data)

    def encode_json(self, data: object) -> bytes:
        # orjson writes a page of 50 visits in 10 µs where the standard library took 260,
        # with the same compact output (UTF-8 rather than \u escapes). Request bodies are
        # read by orjson too when it reads them exactly (web/request_json.py).
        return orjson.dumps(data)

    def __init__(self, runtime: Runtime, sockets: OpenSockets, **kwargs: Any) -> None:
        super().__init__(build_schema(runtime.settings), **kwargs)
        self.runtime = runtime
        self.sockets = sockets

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        client = request.scope.get("client")
        agent, authorization = _agent_and_authorization(request.scope)
        meta = RequestMeta(address=client[0] if client else "", user_agent=(agent or "")[:512])
        context = Context(runtime=self.runtime, meta=meta)
        if isinstance(request, WebSocket):
            context.websocket = request
            return context
        context.response = response
        try:
            context.maybe_viewer = await sessions.viewer_from_token(
                self.runtime, authorization, meta
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


def graphql_view(runtime: Runtime, sockets: OpenSockets) -> PassageGraphQL:
    """The view as the settings want it: GraphiQL and queries over GET in development only."""
    settings = runtime.settings
    return PassageGraphQL(
        runtime,
        sockets,
        graphql_ide=None if settings.production else "graphiql",
        allow_queries_via_get=not settings.production,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        connection_init_wait_timeout=timedelta(seconds=settings.ws_init_timeout_seconds),
        max_subscriptions_per_connection=settings.max_subscriptions_per_connection,
        allowed_origins=settings.allowed_origins,
    )
