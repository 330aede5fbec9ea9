"""Sign-in throttling: failures hold back even the right password for a while, whatever the
spelling of the e-mail, known or not, and one address guessing across many e-mails."""

from __future__ import annotations

from tests import factories
from tests.accounts.factories import (
    INVALID_CREDENTIALS,
    WRONG_PASSWORD,
    age_failures,
    events,
    fail,
    full_width,
    log_in,
    outbox_count,
    rate_limited,
)
from tests.factories import unique
from tests.mailbox import body_of


async def test_five_failures_hold_back_even_the_right_password_for_a_while(api, home_agency):
    email, _ = await factories.client(api)
    await fail(api, email, 4)
    assert (await log_in(api, email))["token"]  # four failures: still let in, counter reset

    await fail(api, email, 5)
    limited = await rate_limited(api, email)
    assert 0 < limited["retryAfterSeconds"] <= 15 * 60
    # Ten minutes later, five more to wait.
    await age_failures(10)
    assert 290 <= (await rate_limited(api, email))["retryAfterSeconds"] <= 300
    # Once the window has passed, the owner gets in: no permanent lock-out.
    await age_failures(15.1)
    assert (await log_in(api, email))["token"]


async def test_an_unknown_email_is_throttled_like_a_known_one(api, home_agency):
    known, _ = await factories.client(api)
    unknown = f"{unique('nobody')}@example.com"
    await fail(api, known, 5)
    await fail(api, unknown, 5)
    known_limit = await rate_limited(api, known)
    unknown_limit = await rate_limited(api, unknown)
    assert known_limit.keys() == unknown_limit.keys() == {"code", "retryAfterSeconds"}


async def test_spelling_the_email_differently_does_not_dodge_the_throttle(api, home_agency):
    email, _ = await factories.client(api)
    local, domain = email.split("@")
    spellings = [
        email.upper(),
        f"{local}@{full_width(domain)}",
        f"  {email}  ",
        f"{local}@{full_width(domain.upper())}",
        email,
    ]
    for spelling in spellings:
        assert await log_in(api, spelling, WRONG_PASSWORD) == INVALID_CREDENTIALS
    await rate_limited(api, email)
    await rate_limited(api, f"{local}@{full_width(domain)}")


async def test_one_address_guessing_across_many_emails_is_throttled(api, home_agency):
    email, _ = await factories.client(api)
    for _ in range(30):
        await fail(api, f"{unique('guess')}@example.com", 1)
    # The owner has no failure of their own, but shares the address.
    assert 890 <= (await rate_limited(api, email))["retryAfterSeconds"] <= 900
    await age_failures(10)
    assert 290 <= (await rate_limited(api, email))["retryAfterSeconds"] <= 300
    await age_failures(16)
    assert (await log_in(api, email))["token"]


async def test_the_fifth_failure_warns_the_owner_once(api, mailbox, home_agency):
    email, _ = await factories.client(api)
    await fail(api, email, 4)
    assert await outbox_count(email, "failed_login_burst") == 0
    await fail(api, email, 1)

    warning = await mailbox.wait_for(email, "Tentatives de connexion échouées")
    assert "5 tentatives" in body_of(warning)
    await rate_limited(api, email)
    assert await outbox_count(email, "failed_login_burst") == 1

    # Later, the owner signs in and finds the burst in their security history.
    await age_failures(16)
    token = await factories.log_in(api, email)
    kinds = [event["kind"] for event in await events(api, token)]
    assert kinds.count("FAILED_LOGIN_BURST") == 1
    assert kinds.count("LOGIN_FAILED") == 5
