"""Weak passwords with one extra letter, a repeated one, or the account's own domain."""

from __future__ import annotations

import pytest

from services.passwords import check_policy
from tests import factories


def codes(password: str, **account: str) -> list[str]:
    names = (account.get("first", "Jeanne"), account.get("last", "Dupont"))
    email = account.get("email", "jeanne@example.com")
    return [p.code for p in check_policy(password, personal=names, email=email)]


@pytest.mark.parametrize(
    "password",
    ["Password123!x", "xPassword123!", "Motdepasse123!z", "P4ssw0rd-2024x", "ZAzerty-2024!"],
)
def test_a_common_password_with_a_letter_added_is_too_common(password):
    assert "PASSWORD_TOO_COMMON" in codes(password)


@pytest.mark.parametrize("password", ["aaaaaaaaaaa1!", "qqqqqqqqqqqq7?", "Azertyuiop-12!"])
def test_repeats_and_sequences_are_refused(password):
    assert {"PASSWORD_TOO_COMMON", "PASSWORD_TOO_GUESSABLE"} & set(codes(password))


@pytest.mark.parametrize(
    "password", ["Passage-Menage1!", "passage-menage.fr1!", "Dupont-Jeanne-7!", "JEANNE-Dupont9!"]
)
def test_the_accounts_names_and_email_parts_are_personal(password):
    found = codes(password, email="contact@passage-menage.fr")
    assert "PASSWORD_CONTAINS_PERSONAL_DATA" in found


@pytest.mark.parametrize(
    "password", ["Cheval-Agrafe7-Correct", "Ma maison a 3 volets bleus", "Vrai-Mot2Passe!"]
)
def test_strong_passphrases_still_pass(password):
    assert codes(password) == []


async def test_sign_up_refuses_the_email_domain_as_password(api, home_agency):
    data = factories.sign_up_input(email="jeanne@passage-menage.fr", password="passage-menage1!")
    result = await api.data(factories.SIGN_UP, {"input": data})
    assert "PASSWORD_CONTAINS_PERSONAL_DATA" in [e["code"] for e in result["signUp"]["userErrors"]]


@pytest.mark.parametrize(
    "password", ["Password123!x", "xPassword123!", "Motdepasse123!z", "aaaaaaaaaaa1!"]
)
async def test_sign_up_refuses_the_weak_passwords_of_the_issue(api, home_agency, password):
    result = await api.data(
        factories.SIGN_UP, {"input": factories.sign_up_input(password=password)}
    )
    payload = result["signUp"]
    assert payload["account"] is None
    assert {e["field"][0] for e in payload["userErrors"]} == {"password"}, payload
