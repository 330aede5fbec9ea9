"""The personal data audit trail: exports, rectifications, erasures, staff opening a file."""

from __future__ import annotations

from models.enums import PrivacyAction
from models.privacy import PrivacyAudit
from resolvers.core import guards
from resolvers.core.errors import BadInput
from resolvers.core.runtime import Viewer
from services.clock import utcnow

MAX_PAGE = 100


async def record(
    action: PrivacyAction,
    *,
    agency_id: int | None,
    client_id: int | None = None,
    subject_account_id: int | None = None,
    actor_account_id: int | None = None,
    detail: str = "",
) -> None:
    await PrivacyAudit.create(
        action=action,
        at=utcnow(),
        agency_id=agency_id,
        client_id=client_id,
        subject_account_id=subject_account_id,
        actor_account_id=actor_account_id,
        detail=detail[:200],
    )


async def trail(
    viewer: Viewer | None, client_id: int | None, first: int, before_id: int | None
) -> list[PrivacyAudit]:
    """Newest first, the viewer's agency only (ADMIN)."""
    viewer = guards.admin(viewer)
    if not 1 <= first <= MAX_PAGE:
        raise BadInput(f"first: 1 à {MAX_PAGE}.")
    query = PrivacyAudit.filter(agency_id=viewer.agency_id)
    if client_id is not None:
        query = query.filter(client_id=client_id)
    if before_id is not None:
        query = query.filter(id__lt=before_id)
    return list(await query.order_by("-id").limit(first))
