"""Changing, resetting, upgrading and ageing passwords through the API."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher

from models.accounts.people import Account
from models.accounts.security import LoginAttempt, OneTimeToken
from models.enums import AccountStatus, TokenPurpose
from models.notifications import OutboundMessage
from resolvers.accounts.passwords import RESET_ANSWER_FLOOR, notify_aged_passwords
from services.clock import utcnow
from services.tokens import digest
from tests import factories
from tests.accounts.factories import outbox_count
from tests.client import Api
from tests.factories import PASSWORD, unique
from tests.mailbox import Mailbox, body_of, token_in

ME = "query Me { me { id emailVerified passwordAgeDays passwordChangeRecommended } }"

CHANGE_PASSWORD = """
mutation ChangePassword($input: ChangePasswordInput!) {
  changePassword(input: $input) { ok userErrors { field message code } }
}
"""

REQUEST_PASSWORD_RESET = """
mutation RequestPasswordReset($email: String!) {
  requestPasswordReset(email: $email) { ok userErrors { field message code } }
}
"""

RESET_PASSWORD = """
mutation ResetPassword($input: ResetPasswordInput!) {
  resetPassword(input: $input) { ok userErrors { field message code } }
}
"""

NEW_PASSWORD = "Autre-Secret7!x"
OK = {"ok": True, "userErrors": []}
INVALID_TOKEN = {
    "ok": False,
    "userErrors": [
        {"field": ["token"], "message": "Lien invalide ou expiré.", "code": "INVALID_TOKEN"}
    ],
}


async def change(api: Api, token: str | None, current: str, new: str) -> dict[str, Any]:
    variables = {"input": {"currentPassword": current, "newPassword": new}}
    return dict((await api.data(CHANGE_PASSWORD, variables, token=token))["changePassword"])


async def request_reset(api: Api, email: str) -> dict[str, Any]:
    result = await api.data(REQUEST_PASSWORD_RESET, {"email": email})
    return dict(result["requestPasswordReset"])


async def reset(api: Api, token: str, new: str = NEW_PASSWORD) -> dict[str, Any]:
    result = await api.data(RESET_PASSWORD, {"input": {"token": token, "newPassword": new}})
    return dict(result["resetPassword"])


async def reset_link(api: Api, mailbox: Mailbox, email: str, count: int = 1) -> str:
    assert await request_reset(api, email) == OK
    return token_in(await mailbox.wait_for(email, "Réinitialisation", count=count))


async def signs_in(api: Api, email: str, password: str) -> bool:
    result = await api.data(factories.LOG_IN, {"email": email, "password": password})
    return result["logIn"]["token"] is not None


# --- changePassword ---------------------------------------------------------------------------


async def test_change_password_needs_the_current_one(api, home_agency):
    email, _ = await factories.client(api)
    token = await factories.log_in(api, email)
    result = await change(api, token, "Pas-le-Bon-9876!", NEW_PASSWORD)
    assert result == {
        "ok": False,
        "userErrors": [
            {
                "field": ["currentPassword"],
                "message": "Mot de passe actuel incorrect.",
                "code": "INVALID_PASSWORD",
            }
        ],
    }
    assert await signs_in(api, email, PASSWORD)
    assert not await signs_in(api, email, NEW_PASSWORD)
    anonymous = {"input": {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}}
    assert await api.error_code(CHANGE_PASSWORD, anonymous) == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    ("new", "code"),
    [
        ("Court-1!", "PASSWORD_TOO_SHORT"),
        ("Long-Enough-1!" + "x" * 120, "PASSWORD_TOO_LONG"),
        ("Password123!", "PASSWORD_TOO_COMMON"),
        ("Pas-De-Chiffres!", "PASSWORD_NEEDS_DIGIT"),
        ("SansSpecial12345", "PASSWORD_NEEDS_SPECIAL"),
        ("1234-5678-9012", "PASSWORD_NEEDS_LETTER"),
        ("Dupont-Paris-2024!", "PASSWORD_CONTAINS_PERSONAL_DATA"),
        (PASSWORD, "PASSWORD_REUSED"),
    ],
)
async def test_change_password_refuses_weak_passwords(api, home_agency, new, code):
    email, _ = await factories.client(api)
    token = await factories.log_in(api, email)
    result = await change(api, token, PASSWORD, new)
    assert result["ok"] is False
    assert {"field": ["newPassword"], "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in result["userErrors"]
    ]
    assert await signs_in(api, email, PASSWORD)


async def test_guessing_the_current_password_is_throttled_like_signing_in(
    api, mailbox, home_agency
):
    email, _ = await factories.client(api)
    token = await factories.log_in(api, email)  # say, a session left open on a shared computer
    for _ in range(5):
        result = await change(api, token, "Pas-le-Bon-9876!", NEW_PASSWORD)
        assert result["userErrors"][0]["code"] == "INVALID_PASSWORD"
    await mailbox.wait_for(email, "Tentatives de connexion échouées")

    variables = {"input": {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}}
    assert await api.error_code(CHANGE_PASSWORD, variables, token=token) == "RATE_LIMITED"
    assert await api.error_code(factories.LOG_IN, {"email": email, "password": PASSWORD}) == (
        "RATE_LIMITED"
    )
    await LoginAttempt.all().update(created_at=utcnow() - timedelta(minutes=16))
    assert await change(api, token, PASSWORD, NEW_PASSWORD) == OK


async def test_change_password_signs_out_the_other_devices(api, mailbox, home_agency):
    email, _ = await factories.client(api)
    here = await factories.log_in(api, email)
    elsewhere = await factories.log_in(api, email)

    assert await change(api, here, PASSWORD, NEW_PASSWORD) == OK
    assert await api.error_code(ME, token=elsewhere) == "UNAUTHENTICATED"
    assert (await api.data(ME, token=here))["me"]["passwordAgeDays"] == 0
    notice = await mailbox.wait_for(email, "Votre mot de passe a été modifié")
    assert "autres appareils ont été déconnectés" in body_of(notice)
    assert await signs_in(api, email, NEW_PASSWORD)
    assert not await signs_in(api, email, PASSWORD)


async def test_changing_the_password_voids_pending_reset_links(api, mailbox, home_agency):
    email, _ = await factories.client(api)
    link = await reset_link(api, mailbox, email)
    token = await factories.log_in(api, email)
    assert await change(api, token, PASSWORD, NEW_PASSWORD) == OK
    assert await reset(api, link, "Encore-Un-Autre-8?") == INVALID_TOKEN
    assert await signs_in(api, email, NEW_PASSWORD)


# --- requestPasswordReset ---------------------------------------------------------------------


async def test_reset_request_answers_alike_for_known_and_unknown_emails(api, mailbox, home_agency):
    email, _ = await factories.client(api)
    unknown = f"{unique('nobody')}@example.com"
    assert await request_reset(api, email.upper()) == OK
    assert await request_reset(api, unknown) == OK
    assert await request_reset(api, "pas une adresse") == OK

    message = await mailbox.wait_for(email, "Réinitialisation")
    assert "http://passage.test/reset-password#token=" in body_of(message)
    assert "1 heure" in body_of(message)

    token = token_in(message)
    row = await OneTimeToken.get(token_hash=digest(token))  # stored as a digest only
    assert row.purpose is TokenPurpose.RESET_PASSWORD
    assert not await OneTimeToken.filter(token_hash=token).exists()
    assert await OutboundMessage.filter(recipient=unknown).count() == 0


async def test_reset_request_answers_no_sooner_for_an_unknown_email(api, home_agency):
    """Both answers wait for the same floor, so timing cannot tell who has an account."""
    email, _ = await factories.client(api)
    for address in (email, f"{unique('nobody')}@example.com"):
        started = time.perf_counter()
        assert await request_reset(api, address) == OK
        assert time.perf_counter() - started >= RESET_ANSWER_FLOOR


async def test_disabled_accounts_get_no_reset_email(api, home_agency):
    email, _ = await factories.client(api)
    await Account.filter(email=email).update(status=AccountStatus.DISABLED)
    factories.sessions_changed()
    assert await request_reset(api, email) == OK
    assert await outbox_count(email, "password_reset") == 0


async def test_reset_emails_are_limited_per_hour(api, mailbox, settings, home_agency):
    email, _ = await factories.client(api)
    limit = settings.reset_requests_per_hour
    for _ in range(limit + 2):
        assert await request_reset(api, email) == OK
    await mailbox.wait_for(email, "Réinitialisation", count=limit)
    assert await outbox_count(email, "password_reset") == limit

    # An hour later the user may ask again.
    await OneTimeToken.filter(account__email=email, purpose=TokenPurpose.RESET_PASSWORD).update(
        created_at=utcnow() - timedelta(minutes=61)
    )
    assert await request_reset(api, email) == OK
    await mailbox.wait_for(email, "Réinitialisation", count=limit + 1)
    assert await outbox_count(email, "password_reset") == limit + 1


# --- resetPassword ------------------------------------------------------------------------------


async def test_a_reset_link_sets_a_new_password_once(api, mailbox, home_agency):
    email, _ = await factories.client(api)  # never verified its address
    sessions = [await factories.log_in(api, email) for _ in range(2)]
    link = await reset_link(api, mailbox, email)

    weak = await reset(api, link, "faible")
    assert weak["ok"] is False
    assert {"PASSWORD_TOO_SHORT", "PASSWORD_NEEDS_DIGIT"} <= {e["code"] for e in weak["userErrors"]}
    # The link still works: the user just picks a better password.
    assert await reset(api, link) == OK
    assert await reset(api, link, "Encore-Un-Autre-8?") == INVALID_TOKEN

    for token in sessions:
        assert await api.error_code(ME, token=token) == "UNAUTHENTICATED"
    assert not await signs_in(api, email, PASSWORD)
    token = await factories.log_in(api, email, NEW_PASSWORD)
    me = (await api.data(ME, token=token))["me"]
    assert me["emailVerified"] is True  # following the e-mailed link proved the address
    assert me["passwordAgeDays"] == 0
    await mailbox.wait_for(email, "Votre mot de passe a été modifié")


async def test_a_reset_link_expires_after_an_hour(api, mailbox, home_agency):
    email, _ = await factories.client(api)
    link = await reset_link(api, mailbox, email)
    row = await OneTimeToken.get(token_hash=digest(link))
    assert row.expires_at - row.created_at == timedelta(hours=1)
    row.expires_at = utcnow() - timedelta(seconds=1)
    await row.save()
    assert await reset(api, link) == INVALID_TOKEN
    assert await signs_in(api, email, PASSWORD)


async def test_only_reset_links_reset_passwords(api, mailbox, home_agency):
    email, _ = await factories.client(api)
    verification = token_in(await mailbox.wait_for(email, "Confirmez"))
    for token in (verification, "garbage", "", "rst_" + "A" * 43, "x" * 300):
        assert await reset(api, token) == INVALID_TOKEN
    assert await signs_in(api, email, PASSWORD)


async def test_using_one_reset_link_voids_the_older_ones(api, mailbox, home_agency):
    email, _ = await factories.client(api)
    first = await reset_link(api, mailbox, email)
    second = await reset_link(api, mailbox, email, count=2)
    assert await reset(api, second) == OK
    assert await reset(api, first, "Encore-Un-Autre-8?") == INVALID_TOKEN
    assert await signs_in(api, email, NEW_PASSWORD)


# --- Hash upgrade -----------------------------------------------------------------------------


async def test_signing_in_upgrades_a_hash_made_with_older_parameters(api, home_agency):
    email, _ = await factories.client(api)
    old_hash = PasswordHasher(time_cost=2, memory_cost=2048).hash(PASSWORD)
    await Account.filter(email=email).update(password_hash=old_hash)

    assert not await signs_in(api, email, "Pas-le-Bon-9876!")
    assert (await Account.get(email=email)).password_hash == old_hash  # only with the password

    assert await signs_in(api, email, PASSWORD)
    new_hash = (await Account.get(email=email)).password_hash
    assert new_hash != old_hash
    assert new_hash.startswith("$argon2id$v=19$m=1024,t=1,p=1$")  # the test settings
    assert PasswordHasher().verify(new_hash, PASSWORD)
    assert await signs_in(api, email, PASSWORD)
    assert (await Account.get(email=email)).password_hash == new_hash  # upgraded once


# --- Password age -------------------------------------------------------------------------------


async def test_an_old_password_is_flagged_and_mailed_once_but_never_locks_out(
    api, mailbox, server, home_agency
):
    email, _ = await factories.client(api)
    recent_email, _ = await factories.client(api)
    token = await factories.log_in(api, email)
    await Account.filter(email=email).update(password_changed_at=utcnow() - timedelta(days=200))
    await Account.filter(email=recent_email).update(
        password_changed_at=utcnow() - timedelta(days=181)
    )

    me = (await api.data(ME, token=token))["me"]
    assert (me["passwordAgeDays"], me["passwordChangeRecommended"]) == (200, True)

    runtime = server.app.state.runtime
    await notify_aged_passwords(runtime)
    await notify_aged_passwords(runtime)
    reminder = await mailbox.wait_for(email, "Pensez à renouveler")
    assert "200 jours" in body_of(reminder)
    assert "pas bloqué" in body_of(reminder)
    assert await outbox_count(email, "password_age") == 1
    assert await outbox_count(recent_email, "password_age") == 0

    # Nothing is enforced: the user still signs in, and changing clears the flag.
    token = await factories.log_in(api, email)
    assert await change(api, token, PASSWORD, NEW_PASSWORD) == OK
    me = (await api.data(ME, token=token))["me"]
    assert (me["passwordAgeDays"], me["passwordChangeRecommended"]) == (0, False)
    assert (await Account.get(email=email)).password_age_notified_at is None


async def test_a_password_under_six_months_is_not_flagged(api, home_agency):
    email, _ = await factories.client(api)
    token = await factories.log_in(api, email)
    await Account.filter(email=email).update(password_changed_at=utcnow() - timedelta(days=181))
    me = (await api.data(ME, token=token))["me"]
    assert (me["passwordAgeDays"], me["passwordChangeRecommended"]) == (181, False)
