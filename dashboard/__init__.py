"""The /dashboard page: its static files (here, as package data) and the ASGI app serving them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from starlette.responses import PlainTextResponse
from starlette.staticfiles import StaticFiles

DASHBOARD_DIR = Path(__file__).resolve().parent
SERVED_SUFFIXES = (".html", ".css", ".js", ".svg")
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


class DashboardFiles:
    """The static dashboard, with a CSP of its own in every environment.

    Scripts, styles and images come from this origin only (no inline code, no eval);
    fetch and the websocket reach this origin only. 'self' covers ws:/wss: in CSP 3
    browsers; the explicit ws(s)://host is for the older ones. The page itself holds no
    data: everything it shows comes from /graphql after sign-in.
    """

    def __init__(self, production: bool, directory: Path = DASHBOARD_DIR) -> None:
        self.files = StaticFiles(directory=directory, html=True)
        # Production pages are served over HTTPS, whatever a proxy told us.
        self.production = production

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        name = scope.get("path", "").rsplit("/", 1)[-1]
        if name and not name.endswith(SERVED_SUFFIXES):  # not the package's .py files
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            return
        host = dict(scope.get("headers", ())).get(b"host", b"").decode("latin-1")
        socket = ""
        if _HOST.match(host):
            secure = self.production or scope.get("scheme") == "https"
            socket = f" {'wss' if secure else 'ws'}://{host}"
        csp = (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            f"connect-src 'self'{socket}; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'"
        )

        async def send_with_policy(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"content-security-policy", csp.encode()),
                    # Revalidated each time (ETag): a deploy reaches open tablets on reload.
                    (b"cache-control", b"no-cache"),
                ]
            await send(message)

        await self.files(scope, receive, send_with_policy)
