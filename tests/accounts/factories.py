"""What accounts tests share: signing in and failing to, the throttle's clock, the outbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from models.accounts.security import LoginAttempt
from models.notifications import OutboundMessage
from services.clock import utcnow
from tests import factories
from tests.client import Api
from tests.factories import PASSWORD

LOG_IN = factories.LOG_IN

SECURITY_EVENTS = """
query SecurityEvents($first: Int, $after: String) {
  securityEvents(first: $first, after: $after) {
    edges { cursor node { id kind occurredAt device network } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}
"""


async def outbox_count(recipient: str, kind: str) -> int:
    return await OutboundMessage.filter(recipient=recipient, kind=kind).count()


WRONG_PASSWORD = "Pas-le-Bon-9876!"

INVALID_CREDENTIALS = {
    "token": None,
    "account": None,
    "userErrors": [
        {
            "field": None,
            "message": "E-mail ou mot de passe incorrect.",
            "code": "INVALID_CREDENTIALS",
        }
    ],
}


async def log_in(
    api: Api, email: str, password: str = PASSWORD, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    result = await api.data(LOG_IN, {"email": email, "password": password}, headers=headers)
    return dict(result["logIn"])


async def rate_limited(api: Api, email: str, password: str = PASSWORD) -> dict[str, Any]:
    """The `extensions` of a sign-in refused for too many failures."""
    result = await api.gql(LOG_IN, {"email": email, "password": password})
    assert result["data"] is None, result
    [error] = result["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED", result
    return dict(error["extensions"])


async def fail(api: Api, email: str, times: int) -> None:
    for _ in range(times):
        assert await log_in(api, email, WRONG_PASSWORD) == INVALID_CREDENTIALS


async def age_failures(minutes: float) -> None:
    await LoginAttempt.all().update(created_at=utcnow() - timedelta(minutes=minutes))


def full_width(text: str) -> str:
    """The domain in full-width letters: the same address once normalised."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalpha() else c for c in text)


async def events(api: Api, token: str, first: int = 50) -> list[dict[str, Any]]:
    result = await api.data(SECURITY_EVENTS, {"first": first}, token=token)
    return [edge["node"] for edge in result["securityEvents"]["edges"]]
