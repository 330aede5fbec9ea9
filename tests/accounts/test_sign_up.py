"""Signing up, verifying the e-mail address, and what `me` shows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.accounts.people import Account, Client
from models.accounts.security import OneTimeToken
from services.tokens import digest
from tests import factories
from tests.factories import PASSWORD, unique
from tests.mailbox import body_of, token_in

ME = """
query Me {
  me { id email role firstName lastName emailVerified phone
       passwordAgeDays passwordChangeRecommended
       client { id } worker { id } agency { id name } }
}
"""

VERIFY = """
mutation VerifyEmail($token: String!) {
  verifyEmail(token: $token) { account { emailVerified } userErrors { field message code } }
}
"""

RESEND = "mutation { resendVerificationEmail { ok userErrors { code } } }"


async def test_sign_up_attaches_client_to_agency_and_sends_single_use_link(
    api, mailbox, home_agency
):
    email, account = await factories.client(api, email=f"{unique('Marie.')}@Example.com")
    assert account["email"] == email.lower()
    assert account["role"] == "CLIENT"
    assert account["emailVerified"] is False

    message = await mailbox.wait_for(email.lower(), "Confirmez")
    token = token_in(message)
    assert "24 heures" in body_of(message)
    # Only the digest is stored.
    assert await OneTimeToken.filter(token_hash=digest(token)).exists()
    assert not await OneTimeToken.filter(token_hash=token).exists()

    client = await Client.get(account__email=email.lower()).select_related("agency")
    assert client.agency.id == home_agency
    assert client.client_number.startswith("C")

    verified = await api.data(VERIFY, {"token": token})
    assert verified["verifyEmail"] == {"account": {"emailVerified": True}, "userErrors": []}
    again = await api.data(VERIFY, {"token": token})
    assert again["verifyEmail"]["userErrors"][0]["code"] == "INVALID_TOKEN"


async def test_me_shows_the_signed_in_account(api, home_agency):
    email, account = await factories.client(api, phone="+33 6 98 76 54 32")
    token = await factories.log_in(api, email)
    me = (await api.data(ME, token=token))["me"]
    assert me["id"] == account["id"]
    assert me["phone"] == "+33698765432"
    assert me["client"]["id"]
    assert me["worker"] is None
    assert me["agency"]["name"] == "Agence Paris Test"
    assert me["passwordAgeDays"] == 0
    assert me["passwordChangeRecommended"] is False
    assert (await api.data(ME))["me"] is None


@pytest.mark.parametrize(
    ("override", "field", "code"),
    [
        ({"email": "not-an-email"}, ["email"], "INVALID_EMAIL"),
        ({"phone": "12"}, ["phone"], "INVALID_PHONE"),
        ({"firstName": "R2D2"}, ["firstName"], "INVALID_NAME"),
        ({"lastName": "x" * 101}, ["lastName"], "INVALID_NAME"),
        ({"password": "short1!"}, ["password"], "PASSWORD_TOO_SHORT"),
        ({"password": "Password123456!"}, ["password"], "PASSWORD_TOO_COMMON"),
        ({"password": "NoDigitsHere!!xx"}, ["password"], "PASSWORD_NEEDS_DIGIT"),
        ({"password": "NoSpecials12345x"}, ["password"], "PASSWORD_NEEDS_SPECIAL"),
        (
            {"billingAddress": {"line1": "1 rue X", "postalCode": "7501", "city": "Paris"}},
            ["billingAddress", "postalCode"],
            "INVALID_POSTAL_CODE",
        ),
        (
            {"billingAddress": {"line1": "1 rue X", "postalCode": "05000", "city": "Gap"}},
            ["billingAddress", "postalCode"],
            "NO_AGENCY_FOR_POSTAL_CODE",
        ),
        (
            {"billingAddress": {"line1": "", "postalCode": "75011", "city": "Paris"}},
            ["billingAddress", "line1"],
            "INVALID_ADDRESS",
        ),
        (
            {
                "billingAddress": {
                    "line1": "1 rue X",
                    "postalCode": "75011",
                    "city": "Paris",
                    "country": "BE",
                }
            },
            ["billingAddress", "country"],
            "UNSUPPORTED_COUNTRY",
        ),
    ],
)
async def test_sign_up_rejects_bad_input_field_by_field(api, home_agency, override, field, code):
    result = await api.data(factories.SIGN_UP, {"input": factories.sign_up_input(**override)})
    payload = result["signUp"]
    assert payload["account"] is None
    assert {"field": field, "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in payload["userErrors"]
    ]


async def test_sign_up_with_a_taken_email_reveals_nothing_and_tells_the_owner(
    api, mailbox, home_agency
):
    email, _ = await factories.client(api)
    result = await api.data(
        factories.SIGN_UP, {"input": factories.sign_up_input(email=email.upper())}
    )
    account = result["signUp"]["account"]  # shaped like a new one: tests/attack/test_sign_up.py
    assert (account["email"], account["emailVerified"]) == (email, False)
    assert result["signUp"]["userErrors"] == []
    warning = await mailbox.wait_for(email, "Tentative d'inscription")
    assert "déjà un compte" in body_of(warning)
    assert await Account.filter(email=email).count() == 1


async def test_expired_verification_link_is_refused(api, mailbox, home_agency):
    email, _ = await factories.client(api)
    token = token_in(await mailbox.wait_for(email, "Confirmez"))
    row = await OneTimeToken.get(token_hash=digest(token))
    row.expires_at = row.created_at - timedelta(seconds=1)
    await row.save()
    result = await api.data(VERIFY, {"token": token})
    assert result["verifyEmail"]["userErrors"][0]["code"] == "INVALID_TOKEN"
    assert (await api.data(VERIFY, {"token": "garbage"}))["verifyEmail"]["account"] is None


async def test_verification_can_be_resent_but_is_throttled(api, mailbox, home_agency):
    email, _ = await factories.client(api)
    token = await factories.log_in(api, email)
    assert await api.error_code(RESEND, token=token) == "RATE_LIMITED"  # sign-up mail is < 60 s old
    # A minute later the user may ask again.
    for row in await OneTimeToken.filter(account__email=email):
        row.created_at -= timedelta(seconds=61)
        await row.save()
    assert (await api.data(RESEND, token=token))["resendVerificationEmail"]["ok"] is True
    second = await mailbox.wait_for(email, "Confirmez", count=2)
    assert (await api.data(VERIFY, {"token": token_in(second)}))["verifyEmail"]["userErrors"] == []
    result = await api.data(RESEND, token=token)
    assert result["resendVerificationEmail"]["userErrors"][0]["code"] == "ALREADY_VERIFIED"
    assert await api.error_code(RESEND) == "UNAUTHENTICATED"


async def test_password_is_never_stored_in_clear(api, home_agency):
    email, _ = await factories.client(api)
    account = await Account.get(email=email)
    assert PASSWORD not in account.password_hash
    assert account.password_hash.startswith("$argon2id$")
