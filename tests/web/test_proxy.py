"""Behind a reverse proxy, forwarded headers are believed only from configured addresses."""

from __future__ import annotations

from models.accounts.people import Account
from models.accounts.security import Session
from tests import factories


async def _network_of_last_session(email: str) -> str:
    account = await Account.get(email=email)
    session = await Session.filter(account_id=account.id).order_by("-id").first()
    assert session is not None
    return session.network


async def test_forwarded_for_is_ignored_from_an_untrusted_peer(api, home_agency):
    email, _ = await factories.client(api)
    await factories.log_in(api, email, headers={"X-Forwarded-For": "203.0.113.9"})
    assert await _network_of_last_session(email) == "127.0.0.0/24"


async def test_forwarded_for_is_used_from_a_trusted_proxy(start, settings, home_agency):
    running = await start(settings.with_(trusted_proxies=("127.0.0.1",)))
    try:
        email, _ = await factories.client(running.api)
        await factories.log_in(running.api, email, headers={"X-Forwarded-For": "203.0.113.9"})
        assert await _network_of_last_session(email) == "203.0.113.0/24"
    finally:
        await running.stop()
