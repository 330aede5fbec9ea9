"""Who may do what: one place for the role checks every use case starts with."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from models.accounts.people import Account
from models.enums import Role
from resolvers.core.errors import Forbidden, Unauthenticated
from resolvers.core.lookups import client_id_for, client_id_of
from resolvers.core.runtime import Viewer


def signed_in(viewer: Viewer | None) -> Viewer:
    if viewer is None:
        raise Unauthenticated()
    return viewer


def household(viewer: Viewer | None) -> Viewer:
    """A CLIENT account: the household itself."""
    viewer = signed_in(viewer)
    if viewer.role is not Role.CLIENT:
        raise Forbidden("Réservé aux clients.")
    return viewer


async def sees_household_row(viewer: Viewer, agency_id: int, client_id: int) -> bool:
    """A household's own row, seen by the household and by staff of its agency only."""
    return await _sees(
        viewer.role, viewer.agency_id, agency_id, client_id, lambda: client_id_for(viewer)
    )


async def account_sees_household_row(account: Account, agency_id: int, client_id: int) -> bool:
    """The same rule for the account behind a signed link, which comes without a session."""
    return await _sees(
        account.role, account.agency_id, agency_id, client_id, lambda: client_id_of(account.id)
    )


async def _sees(
    role: Role,
    own_agency_id: int | None,
    agency_id: int,
    client_id: int,
    own_client: Callable[[], Awaitable[int | None]],
) -> bool:
    if role.is_staff:
        return agency_id == own_agency_id
    if role is Role.CLIENT:
        return client_id == await own_client()
    return False


def staff(viewer: Viewer | None) -> Viewer:
    """ADVISOR or ADMIN, always of one agency."""
    viewer = signed_in(viewer)
    if not viewer.is_staff or viewer.agency_id is None:
        raise Forbidden("Réservé au personnel de l'agence.")
    return viewer


def admin(viewer: Viewer | None) -> Viewer:
    viewer = staff(viewer)
    if viewer.role is not Role.ADMIN:
        raise Forbidden("Réservé aux administrateurs de l'agence.")
    return viewer
