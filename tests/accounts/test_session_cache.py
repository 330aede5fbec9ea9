"""The session cache (services/session_cache.py): a burst reads its session once, and
what ends or changes a session is seen at once, in this process and in every other.

Each test starts servers of its own with a cache far longer than the test, so that
an answer that changes proves an eviction, not an expiry.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from models.accounts.security import Session
from services.clock import utcnow
from services.config import ConfigError, load_settings
from services.session_cache import SessionCache
from services.tokens import digest
from tests import factories
from tests.accounts.test_sessions import LOG_OUT
from tests.accounts.test_sign_up import VERIFY
from tests.client import Api
from tests.factories import eventually, unique
from tests.mailbox import token_in
from tests.messaging.factories import SEND_FULL
from tests.partners.factories import REVOKE, issue_key, new_admin, register
from tests.partners.test_keys import SERVICE_TYPES
from tests.subscriptions.factories import connected
from tests.subscriptions.test_redis_outage import bus_connections, needs_redis

ME = "query Me { me { id } }"
LONG = 600.0  # seconds: longer than any test, so only an eviction changes an answer


@pytest.fixture
async def servers(start, settings) -> AsyncIterator[Callable[..., Awaitable[Any]]]:
    started: list[Any] = []

    async def run(**changes: Any) -> Any:
        running = await start(settings.with_(**changes))
        started.append(running)
        return running

    yield run
    for running in started:
        await running.stop()


async def signed_in(api: Api) -> tuple[str, str]:
    email, _ = await factories.client(api)
    return email, await factories.log_in(api, email)


async def me_code(api: Api, token: str) -> str | None:
    """None when `me` answers, else the error's code."""
    result = await api.gql(ME, token=token)
    if result.get("errors"):
        return str(result["errors"][0]["extensions"]["code"])
    assert result["data"]["me"]["id"]
    return None


async def test_a_session_is_read_once_per_burst_and_a_change_behind_the_app_seen_after(
    servers, home_agency
):
    running = await servers(session_cache_seconds=0.5)
    cache = running.app.state.runtime.sessions
    _, token = await signed_in(running.api)
    assert await me_code(running.api, token) is None
    assert cache.get(digest(token)) is not None
    # Revoked by hand, not through the app: this process holds the row a moment more...
    await Session.filter(token_hash=digest(token)).update(revoked_at=utcnow())
    assert await me_code(running.api, token) is None
    # ...and no longer than SESSION_CACHE_SECONDS.
    await asyncio.sleep(0.6)
    assert await me_code(running.api, token) == "UNAUTHENTICATED"


async def test_off_reads_the_session_every_time(servers, home_agency):
    running = await servers(session_cache_seconds=0)
    _, token = await signed_in(running.api)
    assert await me_code(running.api, token) is None
    await Session.filter(token_hash=digest(token)).update(revoked_at=utcnow())
    assert await me_code(running.api, token) == "UNAUTHENTICATED"
    assert len(running.app.state.runtime.sessions) == 0


async def test_a_sign_out_is_refused_at_once(servers, home_agency):
    running = await servers(session_cache_seconds=LONG)
    _, token = await signed_in(running.api)
    assert await me_code(running.api, token) is None
    assert (await running.api.data(LOG_OUT, token=token))["logOut"]["ok"] is True
    assert await me_code(running.api, token) == "UNAUTHENTICATED"


async def test_a_password_change_ends_the_other_sessions_at_once(servers, home_agency):
    running = await servers(session_cache_seconds=LONG)
    email, token = await signed_in(running.api)
    other = await factories.log_in(running.api, email)
    assert await me_code(running.api, other) is None
    changed = await running.api.data(
        """mutation Change($input: ChangePasswordInput!) {
             changePassword(input: $input) { ok userErrors { code } } }""",
        {"input": {"currentPassword": factories.PASSWORD, "newPassword": "Autre-Secret7!x"}},
        token=token,
    )
    assert changed["changePassword"] == {"ok": True, "userErrors": []}
    assert await me_code(running.api, other) == "UNAUTHENTICATED"
    assert await me_code(running.api, token) is None  # the session that changed it stays


async def send_code(api: Api, token: str) -> list[str]:
    result = await api.data(SEND_FULL, {"input": {"body": "Bonjour"}}, token=token)
    return [e["code"] for e in result["sendMessage"]["userErrors"]]


async def test_an_address_verified_is_carried_by_the_session_at_once(servers, mailbox, home_agency):
    running = await servers(session_cache_seconds=LONG)
    email, token = await signed_in(running.api)
    assert await send_code(running.api, token) == ["EMAIL_NOT_VERIFIED"]
    link = token_in(await mailbox.wait_for(email.lower(), "Confirmez"))
    verified = await running.api.data(VERIFY, {"token": link})
    assert verified["verifyEmail"] == {"account": {"emailVerified": True}, "userErrors": []}
    assert await send_code(running.api, token) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SESSION_CACHE_SECONDS", "-1"),
        ("SESSION_CACHE_SECONDS", "61"),
        ("SESSION_CACHE_SECONDS", "nan"),
        ("SESSION_CACHE_SECONDS", "une seconde"),
        ("SESSION_CACHE_SIZE", "0"),
        ("SESSION_CACHE_SIZE", "10000000"),
        ("SESSION_CACHE_SIZE", "1.5"),
    ],
)
def test_bad_cache_settings_are_refused_by_name(monkeypatch, name, value):
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        load_settings()


def test_the_cache_settings_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.setenv("SESSION_CACHE_SECONDS", "0")
    monkeypatch.setenv("SESSION_CACHE_SIZE", "500")
    read = load_settings()
    assert (read.session_cache_seconds, read.session_cache_size) == (0.0, 500)


async def test_a_row_read_while_a_session_is_revoked_is_not_kept():
    """The read started before a sign-out committed: it may hold the row as it was, so it
    answers its own request (which came first) and is not kept for the next ones."""
    cache = SessionCache(LONG, 10)

    async def read_during_a_revocation() -> list[dict[str, Any]]:
        cache.forget([7])  # the sign-out's eviction, while the statement runs
        return [{"id": 7, "account_id": 70, "revoked_at": None}]

    assert (await cache.read("hash", read_during_a_revocation)) is not None
    assert cache.get("hash") is None

    async def read_quietly() -> list[dict[str, Any]]:
        return [{"id": 7, "account_id": 70, "revoked_at": utcnow()}]

    kept = await cache.read("hash", read_quietly)
    assert kept is not None and kept["revoked_at"] is not None
    assert cache.get("hash") is kept


async def test_tokens_nobody_holds_are_not_kept(servers, home_agency):
    running = await servers(session_cache_seconds=LONG)
    for _ in range(20):
        assert await me_code(running.api, f"pas_{secrets.token_urlsafe(32)}") == "UNAUTHENTICATED"
    assert len(running.app.state.runtime.sessions) == 0


async def partner_key(api: Api, settings: Any) -> tuple[str, str, str]:
    """A partner's key: (the admin's token, the key's global id, its secret)."""
    _, admin = await new_admin(api, settings)
    application = await register(api, admin)
    secret, key = await issue_key(api, admin, application["id"], ["VISITS_READ"])
    return admin, key["id"], secret


async def key_code(api: Api, secret: str) -> str | None:
    result = await api.gql(SERVICE_TYPES, token=secret)
    if result.get("errors"):
        return str(result["errors"][0]["extensions"]["code"])
    assert result["data"]["serviceTypes"]
    return None


async def test_a_partner_key_is_kept_and_refused_at_once_when_revoked(
    servers, settings, home_agency
):
    running = await servers(session_cache_seconds=LONG)
    admin, key_id, secret = await partner_key(running.api, settings)
    assert await key_code(running.api, secret) is None
    assert running.app.state.runtime.keys.get(digest(secret)) is not None
    revoked = await running.api.data(REVOKE, {"input": {"keyId": key_id}}, admin)
    assert revoked["revokePartnerApiKey"]["apiKey"]["active"] is False
    assert await key_code(running.api, secret) == "UNAUTHENTICATED"


async def test_a_sign_out_in_one_process_is_seen_by_the_others(servers, settings, home_agency):
    needs_redis(settings)
    one = await servers(session_cache_seconds=LONG)
    other = await servers(session_cache_seconds=LONG)
    _, token = await signed_in(one.api)
    assert await me_code(other.api, token) is None  # held by the other process now
    # The revocation's message has two listeners there: its sockets and its cache.
    ws = await connected(other.api, token)
    assert (await one.api.data(LOG_OUT, token=token))["logOut"]["ok"] is True
    assert await ws.closed_with() == 4403

    async def refused() -> bool:
        return await me_code(other.api, token) == "UNAUTHENTICATED"

    await eventually(refused, timeout=5)


async def test_a_key_revoked_in_one_process_is_refused_by_the_others(
    servers, settings, home_agency
):
    needs_redis(settings)
    one = await servers(session_cache_seconds=LONG)
    other = await servers(session_cache_seconds=LONG)
    admin, key_id, secret = await partner_key(one.api, settings)
    assert await key_code(other.api, secret) is None  # held by the other process now
    assert (await one.api.data(REVOKE, {"input": {"keyId": key_id}}, admin))["revokePartnerApiKey"][
        "userErrors"
    ] == []

    async def refused() -> bool:
        return await key_code(other.api, secret) == "UNAUTHENTICATED"

    await eventually(refused, timeout=5)


async def test_an_address_verified_in_one_process_is_seen_by_the_others(
    servers, settings, mailbox, home_agency
):
    needs_redis(settings)
    one = await servers(session_cache_seconds=LONG)
    other = await servers(session_cache_seconds=LONG)
    email, token = await signed_in(one.api)
    assert await send_code(other.api, token) == ["EMAIL_NOT_VERIFIED"]
    link = token_in(await mailbox.wait_for(email.lower(), "Confirmez"))
    assert (await one.api.data(VERIFY, {"token": link}))["verifyEmail"]["userErrors"] == []
    cache = other.app.state.runtime.sessions

    async def forgotten() -> bool:
        return cache.get(digest(token)) is None

    await eventually(forgotten, timeout=5)
    assert await send_code(other.api, token) == []


async def test_the_cache_is_forgotten_when_the_bus_may_have_lost_news(
    servers, settings, home_agency
):
    needs_redis(settings)
    from redis import asyncio as aioredis

    namespace = unique(f"{settings.bus_namespace}-sessions")
    running = await servers(session_cache_seconds=LONG, bus_namespace=namespace)
    _, token = await signed_in(running.api)
    assert await me_code(running.api, token) is None
    # Revoked where the bus cannot tell (by hand), then the bus's connection is lost: what
    # it may have missed is unknown, so every session is read again.
    await Session.filter(token_hash=digest(token)).update(revoked_at=utcnow())
    assert await me_code(running.api, token) is None
    connections = await bus_connections(settings, namespace)
    assert connections
    redis = aioredis.Redis.from_url(settings.broadcast_url)
    try:
        for connection in connections:
            await redis.client_kill_filter(_id=connection["id"])
    finally:
        await redis.aclose()

    async def refused() -> bool:
        return await me_code(running.api, token) == "UNAUTHENTICATED"

    await eventually(refused, timeout=10)
