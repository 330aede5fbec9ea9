"""The password asked again before a sensitive change, counted with sign-in failures:
a stolen session must not be a free password oracle (as in `change_password`)."""

from __future__ import annotations

from models.accounts import Account
from resolvers.runtime import RequestMeta, Runtime
from resolvers.sessions import MAX_PASSWORD_INPUT, check_throttle, record_failure, throttle_keys


async def confirm_password(rt: Runtime, account: Account, password: str, meta: RequestMeta) -> bool:
    email_key, address_key = throttle_keys(rt, account.email, meta)
    await check_throttle(rt, email_key, address_key)
    if await rt.passwords.verify(account.password_hash, password[:MAX_PASSWORD_INPUT]):
        return True
    await record_failure(rt, account, email_key, address_key, meta)
    return False
