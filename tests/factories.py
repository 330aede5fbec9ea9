"""Small factories that build data through the public API, with overrides."""

from __future__ import annotations

from typing import Any

from app import build_runtime
from models.enums import Role
from resolvers.staff import create_agency, create_user
from schema.ids import to_global_id
from services.config import Settings
from tests.client import Api
from tests.conftest import PASSWORD, unique

SIGN_UP = """
mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) {
    account { id email emailVerified role }
    userErrors { field message code }
  }
}
"""

LOG_IN = """
mutation LogIn($email: String!, $password: String!) {
  logIn(input: { email: $email, password: $password }) {
    token
    account { id role }
    userErrors { field message code }
  }
}
"""

# Three-digit prefixes, so a whole run never runs out. None under a prefix that other
# fixtures serve: 75 (home agency), 92-94 (demo), 09 (self-service), 97 (overseas),
# and no 99, which starts no French postal code.
_RESERVED = ("75", "92", "93", "94", "09", "97", "99")
_prefixes = (f"{p:03d}" for p in range(100, 1000) if f"{p:03d}"[:2] not in _RESERVED)


def new_prefix() -> str:
    """A postal prefix no other agency of the run serves."""
    return next(_prefixes)


def postal_code(prefix: str) -> str:
    """A postal code that an agency serving `prefix` (two or three digits) serves."""
    return f"{prefix}100"[:5]


def sign_up_input(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "firstName": "Jeanne",
        "lastName": "Dupont",
        "email": f"{unique('client')}@example.com",
        "phone": "06 12 34 56 78",
        "password": PASSWORD,
        "billingAddress": {
            "line1": "12 rue de Charonne",
            "postalCode": "75011",
            "city": "Paris",
        },
    }
    values.update(overrides)
    return values


async def agency(settings: Settings, prefixes: list[str] | None = None, name: str = "") -> int:
    """A new agency; by default it serves a postal prefix of its own."""
    prefix = prefixes or [next(_prefixes)]
    created = await create_agency(name or unique("Agence "), prefix)
    return created.id


async def staff(
    settings: Settings, agency_id: int, role: Role = Role.ADMIN, email: str | None = None
) -> str:
    """An account created as `passage create-user` does; returns its e-mail."""
    email = email or f"{unique(role.value.lower())}@example.com"
    await create_user(
        build_runtime(settings),
        agency_id,
        role,
        email,
        PASSWORD,
        "Claire",
        "Martin",
        employee_number=unique("M") if role is Role.WORKER else None,
    )
    return email


async def log_in(
    api: Api, email: str, password: str = PASSWORD, headers: dict[str, str] | None = None
) -> str:
    result = await api.data(LOG_IN, {"email": email, "password": password}, headers=headers)
    token = result["logIn"]["token"]
    assert token, result
    return str(token)


async def client(api: Api, **overrides: Any) -> tuple[str, dict[str, Any]]:
    """Signs a client up (postal code 75011 by default); returns (email, account)."""
    data = sign_up_input(**overrides)
    result = await api.data(SIGN_UP, {"input": data})
    payload = result["signUp"]
    assert payload["userErrors"] == [], payload
    return data["email"], payload["account"]


def agency_gid(agency_id: int) -> str:
    return to_global_id("Agency", agency_id)
