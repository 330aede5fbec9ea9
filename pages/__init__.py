"""The reference pages behind e-mailed links (verify e-mail, reset password, sign in,
confirm or cancel a deletion, download an export): static, build-free, served with the
dashboard's strict CSP. An agency with its own front end sets FRONTEND_URL instead."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dashboard import DashboardFiles

PAGES_DIR = Path(__file__).resolve().parent
# The path in the e-mails, and the file behind it.
PAGES = {
    "/verify-email": "verify-email.html",
    "/reset-password": "reset-password.html",
    "/login": "login.html",
    "/account-deletion": "account-deletion.html",
    "/data-export": "data-export.html",
}


class Page:
    """One page at its e-mailed path; its script and style come from /pages/."""

    def __init__(self, files: DashboardFiles, filename: str) -> None:
        self.files = files
        self.filename = filename

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.files({**scope, "path": f"/{self.filename}"}, receive, send)


def page_files(production: bool) -> DashboardFiles:
    return DashboardFiles(production, directory=PAGES_DIR)
