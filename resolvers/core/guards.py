"""Who may do what: one place for the role checks every use case starts with."""

from __future__ import annotations

from models.enums import Role
from resolvers.core.errors import Forbidden, Unauthenticated
from resolvers.core.runtime import Viewer


def signed_in(viewer: Viewer | None) -> Viewer:
    if viewer is None:
        raise Unauthenticated()
    return viewer


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
