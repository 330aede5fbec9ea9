"""What keeps sign-up from telling whether an address has an account.

A taken address used to answer `account: null` where a new one answered `account { id }`,
and 30 sign-ups in a row went through: anyone could list who is a client of the agency.
Now a taken address is answered with an account shaped exactly like a new one (its id
drawn from the same sequence, then given back), its owner is told by e-mail, and
sign-ups are throttled per e-mail address and per network address, both kept as keyed
digests like failed sign-ins (resolvers/accounts/sessions.py).
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from models.accounts.people import Account, Agency
from models.accounts.security import LoginAttempt
from models.enums import Role
from resolvers.accounts.sessions import check_throttle
from resolvers.core.runtime import RequestMeta, Runtime
from services.clock import utcnow
from services.tokens import keyed_digest, new_token


class _Discarded(Exception):
    def __init__(self, account: Account) -> None:
        super().__init__()
        self.account = account


async def throttle(rt: Runtime, normalized_email: str, meta: RequestMeta) -> None:
    """Raises RateLimited past the sign-ups allowed in the window; otherwise counts this one."""
    secret = rt.settings.secret_key
    email_key = keyed_digest(secret, "signup-email:" + normalized_email)
    address_key = keyed_digest(secret, "signup-addr:" + meta.address)
    await check_throttle(
        rt,
        email_key,
        address_key,
        per_email=rt.settings.signup_max_per_email,
        per_address=rt.settings.signup_max_per_address,
    )
    await LoginAttempt.create(email_key=email_key, address_key=address_key, created_at=utcnow())


async def stand_in(person: dict[str, str], agency: Agency) -> Account:
    """An account like the one a new address gets, never kept: its row is rolled back."""
    try:
        async with in_transaction():
            account = await Account.create(
                email=f"{new_token('standin')}@stand-in.invalid",
                password_hash="!",
                role=Role.CLIENT,
                first_name=person["firstName"],
                last_name=person["lastName"],
                phone=person["phone"],
                agency=agency,
                password_changed_at=utcnow(),
            )
            raise _Discarded(account)
    except _Discarded as discarded:
        account = discarded.account
    account.email = person["email"]
    return account
