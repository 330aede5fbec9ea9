"""uvicorn settings shared by `passage serve`, the tests and the benchmarks."""

from __future__ import annotations

from typing import Any

import uvicorn
from starlette.applications import Starlette

from services.config import Settings
from web.http_protocol import LeanHttpProtocol
from web.ws_protocol import LeanWebSocketProtocol


def server_config(
    app: Starlette, settings: Settings, host: str, port: int, **tls: Any
) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        # A response's head and body in one write (web/http_protocol.py).
        http=LeanHttpProtocol,
        ws=LeanWebSocketProtocol,
        # Per-message deflate nearly doubled memory per idle websocket (see DESIGN.md).
        ws_per_message_deflate=False,
        ws_max_size=settings.max_ws_message_bytes,
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=",".join(settings.trusted_proxies) or None,
        server_header=False,
        log_config=None,
        # RequestLog (web/middleware.py) logs every request with its id; uvicorn's access
        # line would repeat it, and still formats its arguments for a logger turned off.
        access_log=False,
        lifespan="on",
        # A stop drains open requests and sockets for at most this long, then cancels them:
        # a connection that never closes must not keep a deploy (or a test run) waiting.
        timeout_graceful_shutdown=10,
        **tls,
    )
