"""Sign-up tells nobody whether an address has an account, and cannot be run in bulk."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from models.accounts.people import Account
from models.accounts.security import LoginAttempt
from schema.core.ids import from_global_id
from tests import factories
from tests.client import Api
from tests.conftest import RunningServer
from tests.mailbox import body_of


def _shape(value: object) -> object:
    """Keys and value types, not the values themselves."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(item) for item in value]
    return type(value).__name__


@pytest.fixture(scope="module")
async def strict(start, settings) -> AsyncIterator[Api]:
    running: RunningServer = await start(
        settings.with_(signup_max_per_address=4, signup_max_per_email=2)
    )
    yield running.api
    await running.stop()


async def test_a_taken_address_is_answered_like_a_new_one(api, mailbox, home_agency):
    taken, _ = await factories.client(api)
    new = factories.sign_up_input()
    fresh = await api.gql(factories.SIGN_UP, {"input": new})
    again = await api.gql(factories.SIGN_UP, {"input": factories.sign_up_input(email=taken)})
    assert _shape(again) == _shape(fresh)
    account, expected = again["data"]["signUp"]["account"], fresh["data"]["signUp"]["account"]
    assert (account["email"], account["emailVerified"], account["role"]) == (
        taken,
        expected["emailVerified"],
        expected["role"],
    )
    kind, _ = from_global_id(account["id"])
    assert kind == "Account"
    # Nothing was created, the owner alone is told, and the stand-in id is nobody's.
    assert await Account.filter(email=taken).count() == 1
    warning = await mailbox.wait_for(taken, "Tentative d'inscription")
    assert "déjà un compte" in body_of(warning)
    assert not await Account.filter(id=from_global_id(account["id"])[1], email=taken).exists()


async def test_sign_ups_are_throttled_per_network_address(strict, home_agency):
    await _reset(strict)
    for _ in range(4):
        result = await strict.gql(factories.SIGN_UP, {"input": factories.sign_up_input()})
        assert not result.get("errors"), result
    result = await strict.gql(factories.SIGN_UP, {"input": factories.sign_up_input()})
    assert result["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_sign_ups_are_throttled_per_email_address_taken_or_not(strict, home_agency):
    await _reset(strict)
    taken, _ = await factories.client(strict)
    result = await strict.gql(factories.SIGN_UP, {"input": factories.sign_up_input(email=taken)})
    assert not result.get("errors"), result
    result = await strict.gql(factories.SIGN_UP, {"input": factories.sign_up_input(email=taken)})
    assert result["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_an_address_signed_up_again_and_again_is_throttled(api, home_agency):
    # The run: 30 sign-ups in a row for one address, none refused. Default settings.
    taken, _ = await factories.client(api)
    codes = []
    for _ in range(30):
        result = await api.gql(factories.SIGN_UP, {"input": factories.sign_up_input(email=taken)})
        codes.append(result["errors"][0]["extensions"]["code"] if result.get("errors") else None)
        if codes[-1] is not None:
            break
    assert codes[-1] == "RATE_LIMITED" and len(codes) <= 5, codes


async def _reset(api: Api) -> None:
    await LoginAttempt.all().delete()
