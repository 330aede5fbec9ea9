"""Signing in and out, new devices, the device list and token expiry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from models.accounts.people import Account
from models.accounts.security import Session
from models.enums import AccountStatus
from schema.core.ids import to_global_id
from services.clock import utcnow
from services.tokens import digest
from tests import factories
from tests.accounts.factories import (
    INVALID_CREDENTIALS,
    SECURITY_EVENTS,
    WRONG_PASSWORD,
    events,
    fail,
    log_in,
    outbox_count,
)
from tests.factories import unique
from tests.mailbox import body_of

LOG_OUT = "mutation LogOut { logOut { ok } }"

ME = "query Me { me { id email role } }"

SESSIONS = """
query Sessions {
  sessions { id device network current createdAt lastSeenAt expiresAt }
}
"""

REVOKE_SESSION = """
mutation RevokeSession($id: ID!) { revokeSession(id: $id) { ok } }
"""


# Lean enough for the cost limit to let a page of 101 reach the page-size check.
SECURITY_EVENT_KINDS = """
query SecurityEventKinds($first: Int, $after: String) {
  securityEvents(first: $first, after: $after) { edges { node { kind } } }
}
"""

FIREFOX = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}
IPHONE = {
    "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
}


# --- Signing in -------------------------------------------------------------------------


async def test_log_in_returns_a_token_for_the_account(api, home_agency):
    email, account = await factories.client(api)
    payload = await log_in(api, email)
    assert payload["userErrors"] == []
    assert payload["account"] == {"id": account["id"], "role": "CLIENT"}
    token = payload["token"]
    assert token.startswith("pas_")
    assert len(token) > 40

    me = (await api.data(ME, token=token))["me"]
    assert me == {"id": account["id"], "email": email, "role": "CLIENT"}
    # Only the SHA-256 digest is stored: a copy of the database signs nobody in.
    assert await Session.filter(token_hash=digest(token)).exists()
    assert not await Session.filter(token_hash=token).exists()


async def test_wrong_password_and_unknown_email_get_the_same_answer(api, home_agency):
    email, _ = await factories.client(api)
    wrong_password = await log_in(api, email, WRONG_PASSWORD)
    unknown_email = await log_in(api, f"{unique('nobody')}@example.com")
    not_an_email = await log_in(api, "not an e-mail", "")
    assert wrong_password == unknown_email == not_an_email == INVALID_CREDENTIALS


async def test_email_is_case_insensitive(api, home_agency):
    email, account = await factories.client(api)
    payload = await log_in(api, f"  {email.upper()} ")
    assert payload["token"]
    assert payload["account"]["id"] == account["id"]


async def test_disabled_account_cannot_sign_in(api, home_agency):
    email, _ = await factories.client(api)
    token = await factories.log_in(api, email)
    await Account.filter(email=email).update(status=AccountStatus.DISABLED)
    factories.sessions_changed()

    assert await log_in(api, email) == INVALID_CREDENTIALS
    assert await api.error_code(ME, token=token) == "UNAUTHENTICATED"

    await Account.filter(email=email).update(status=AccountStatus.ACTIVE)
    factories.sessions_changed()
    assert (await log_in(api, email))["token"]


# --- New devices and the security history -------------------------------------------------


async def test_sign_in_from_a_new_device_is_noticed(api, mailbox, home_agency):
    email, _ = await factories.client(api)
    await factories.log_in(api, email)  # the first device: nothing to notice
    await factories.log_in(api, email)  # the same device again
    assert await outbox_count(email, "new_device") == 0

    token = await factories.log_in(api, email, headers=FIREFOX)
    notice = await mailbox.wait_for(email, "Nouvelle connexion")
    assert "Firefox sur Linux" in body_of(notice)
    assert "127.0.0.0/24" in body_of(notice)
    await factories.log_in(api, email, headers=FIREFOX)  # now a known device
    assert await outbox_count(email, "new_device") == 1

    new_devices = [e for e in await events(api, token) if e["kind"] == "NEW_DEVICE_SIGN_IN"]
    assert len(new_devices) == 1
    # The history shows a device and a network, never the full address.
    assert new_devices[0]["device"] == "Firefox sur Linux"
    assert new_devices[0]["network"] == "127.0.0.0/24"


async def test_security_events_are_paged_newest_first(api, home_agency):
    email, _ = await factories.client(api)
    await fail(api, email, 2)
    token = await factories.log_in(api, email)
    await factories.log_in(api, email)
    everything = await events(api, token)
    kinds = [event["kind"] for event in everything]
    assert kinds == [
        "LOGIN_SUCCEEDED",
        "LOGIN_SUCCEEDED",
        "LOGIN_FAILED",
        "LOGIN_FAILED",
        "SIGN_UP",
    ]

    seen: list[dict[str, Any]] = []
    sizes, had_previous = [], []
    after = None
    while True:
        result = await api.data(SECURITY_EVENTS, {"first": 2, "after": after}, token=token)
        page = result["securityEvents"]
        seen += [edge["node"] for edge in page["edges"]]
        sizes.append(len(page["edges"]))
        had_previous.append(page["pageInfo"]["hasPreviousPage"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == everything
    assert sizes == [2, 2, 1]
    assert had_previous == [False, True, True]

    other_email, _ = await factories.client(api)
    other_token = await factories.log_in(api, other_email)
    other_ids = {event["id"] for event in await events(api, other_token)}
    assert not other_ids & {event["id"] for event in everything}


@pytest.mark.parametrize(
    "variables", [{"first": 101}, {"first": -1}, {"after": "garbage"}, {"after": "Y3Vyc29y"}]
)
async def test_security_events_refuse_bad_paging(api, home_agency, variables):
    email, _ = await factories.client(api)
    token = await factories.log_in(api, email)
    assert await api.error_code(SECURITY_EVENT_KINDS, variables, token=token) == "BAD_USER_INPUT"
    assert await api.data(SECURITY_EVENT_KINDS, {"first": 100}, token=token)


async def test_security_events_need_a_signed_in_viewer(api):
    assert await api.error_code(SECURITY_EVENTS) == "UNAUTHENTICATED"
    assert await api.error_code(SESSIONS) == "UNAUTHENTICATED"


# --- Sessions ------------------------------------------------------------------------------


async def test_sessions_list_each_device_and_mark_the_current_one(api, home_agency):
    email, _ = await factories.client(api)
    laptop = await factories.log_in(api, email, headers=FIREFOX)
    phone = await factories.log_in(api, email, headers=IPHONE)

    from_laptop = (await api.data(SESSIONS, token=laptop))["sessions"]
    assert sorted((s["device"], s["current"]) for s in from_laptop) == [
        ("Firefox sur Linux", True),
        ("Mobile Safari sur iOS", False),
    ]
    assert {s["network"] for s in from_laptop} == {"127.0.0.0/24"}
    from_phone = (await api.data(SESSIONS, token=phone))["sessions"]
    [current] = [s for s in from_phone if s["current"]]
    assert current["device"] == "Mobile Safari sur iOS"


async def test_revoking_another_device_signs_it_out(api, home_agency):
    email, _ = await factories.client(api)
    laptop = await factories.log_in(api, email, headers=FIREFOX)
    phone = await factories.log_in(api, email, headers=IPHONE)
    [phone_session] = [
        s for s in (await api.data(SESSIONS, token=laptop))["sessions"] if not s["current"]
    ]

    result = await api.data(REVOKE_SESSION, {"id": phone_session["id"]}, token=laptop)
    assert result["revokeSession"] == {"ok": True}
    assert await api.error_code(ME, token=phone) == "UNAUTHENTICATED"
    assert (await api.data(ME, token=laptop))["me"]["email"] == email
    assert [s["current"] for s in (await api.data(SESSIONS, token=laptop))["sessions"]] == [True]
    # Gone is gone.
    assert (
        await api.error_code(REVOKE_SESSION, {"id": phone_session["id"]}, token=laptop)
        == "NOT_FOUND"
    )


async def test_nobody_can_revoke_someone_elses_session(api, home_agency):
    victim_email, victim_account = await factories.client(api)
    victim = await factories.log_in(api, victim_email)
    [victim_session] = (await api.data(SESSIONS, token=victim))["sessions"]
    intruder_email, _ = await factories.client(api)
    intruder = await factories.log_in(api, intruder_email)

    variables = {"id": victim_session["id"]}
    assert await api.error_code(REVOKE_SESSION, variables, token=intruder) == "NOT_FOUND"
    assert (await api.data(ME, token=victim))["me"]["email"] == victim_email
    assert await api.error_code(REVOKE_SESSION, variables) == "UNAUTHENTICATED"
    for bad_id in ("not-an-id", victim_account["id"]):
        assert (
            await api.error_code(REVOKE_SESSION, {"id": bad_id}, token=intruder) == "BAD_USER_INPUT"
        )
    for missing in (0, 2**31 - 1):
        variables = {"id": to_global_id("Session", missing)}
        assert await api.error_code(REVOKE_SESSION, variables, token=intruder) == "NOT_FOUND"


async def test_log_out_ends_the_current_session_only(api, home_agency):
    email, _ = await factories.client(api)
    leaving = await factories.log_in(api, email)
    staying = await factories.log_in(api, email)

    assert (await api.data(LOG_OUT, token=leaving))["logOut"] == {"ok": True}
    assert await api.error_code(ME, token=leaving) == "UNAUTHENTICATED"
    assert await api.error_code(LOG_OUT, token=leaving) == "UNAUTHENTICATED"
    assert (await api.data(ME, token=staying))["me"]["email"] == email
    assert (await api.data(LOG_OUT))["logOut"] == {"ok": False}


# --- Token expiry ----------------------------------------------------------------------------


async def test_an_idle_session_expires(api, settings, home_agency):
    email, _ = await factories.client(api)
    idle = await factories.log_in(api, email, headers=IPHONE)
    active = await factories.log_in(api, email, headers=FIREFOX)
    idle_limit = timedelta(minutes=settings.session_idle_minutes)
    await Session.filter(token_hash=digest(idle)).update(
        last_seen_at=utcnow() - idle_limit - timedelta(minutes=1)
    )
    factories.sessions_changed()
    assert await api.error_code(ME, token=idle) == "UNAUTHENTICATED"
    devices = [s["device"] for s in (await api.data(SESSIONS, token=active))["sessions"]]
    assert devices == ["Firefox sur Linux"]


async def test_using_a_session_keeps_it_alive(api, settings, home_agency):
    email, _ = await factories.client(api)
    token = await factories.log_in(api, email)
    almost_idle = utcnow() - timedelta(minutes=settings.session_idle_minutes - 60)
    await Session.filter(token_hash=digest(token)).update(last_seen_at=almost_idle)
    factories.sessions_changed()

    assert (await api.data(ME, token=token))["me"]["email"] == email
    session = await Session.get(token_hash=digest(token))
    assert utcnow() - session.last_seen_at < timedelta(minutes=1)


async def test_a_session_ends_at_its_absolute_expiry(api, settings, home_agency):
    email, _ = await factories.client(api)
    token = await factories.log_in(api, email)
    session = await Session.get(token_hash=digest(token))
    assert session.expires_at - session.created_at == timedelta(days=settings.session_absolute_days)

    await Session.filter(id=session.id).update(expires_at=utcnow() - timedelta(seconds=1))
    factories.sessions_changed()
    assert await api.error_code(ME, token=token) == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer garbage",
        "Bearer pas_" + "A" * 43,
        "Basic dXNlcjpwYXNzd29yZA==",
        "Token pas_abc",
        "Bearer",
        "Bearer " + "x" * 300,
    ],
)
async def test_bad_authorization_headers_are_refused(api, authorization):
    result = await api.gql(ME, headers={"Authorization": authorization})
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", result


async def test_the_bearer_scheme_is_case_insensitive(api, home_agency):
    email, _ = await factories.client(api)
    token = await factories.log_in(api, email)
    result = await api.data(ME, headers={"Authorization": f"bearer {token}"})
    assert result["me"]["email"] == email
    assert (await api.data(ME))["me"] is None  # no header at all: simply anonymous
