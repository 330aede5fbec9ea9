"""The password asked again before a sensitive change, counted with sign-in failures:
a stolen session must not be a free password oracle (as in `change_password`)."""

from __future__ import annotations

from models.accounts.people import Account
from resolvers.accounts.sessions import (
    MAX_PASSWORD_INPUT,
    check_throttle,
    record_failure,
    throttle_keys,
)
from resolvers.core.runtime import RequestMeta, Runtime


async def confirm_password(rt: Runtime, account: Account, password: str, meta: RequestMeta) -> bool:
    email_key, address_key = throttle_keys(rt, account.email, meta)
    await check_throttle(rt, email_key, address_key)
    if await rt.passwords.verify(account.password_hash, password[:MAX_PASSWORD_INPUT]):
        return True
    await record_failure(rt, account, email_key, address_key, meta)
    return False
