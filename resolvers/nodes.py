"""`node(id:)`: any object by global id, only if the viewer may see it.

Forbidden and missing look the same (null), so ids cannot be probed.
"""

from __future__ import annotations

from models.accounts import Account, Agency, Client, Worker
from models.security import Session
from resolvers.runtime import Viewer


def _same_agency_staff(viewer: Viewer, agency_id: int | None) -> bool:
    return viewer.is_staff and agency_id is not None and viewer.agency_id == agency_id


async def account(viewer: Viewer, pk: int) -> Account | None:
    row = await Account.get_or_none(id=pk)
    if row is None:
        return None
    if row.id == viewer.account_id or _same_agency_staff(viewer, row.agency_id):  # type: ignore[attr-defined]
        return row
    return None


async def client(viewer: Viewer, pk: int) -> Client | None:
    row = await Client.get_or_none(id=pk).select_related("account")
    if row is None:
        return None
    if row.account.id == viewer.account_id or _same_agency_staff(viewer, row.agency_id):  # type: ignore[attr-defined]
        return row
    return None


async def worker(viewer: Viewer, pk: int) -> Worker | None:
    row = await Worker.get_or_none(id=pk).select_related("account")
    if row is None:
        return None
    if row.account.id == viewer.account_id or _same_agency_staff(viewer, row.agency_id):  # type: ignore[attr-defined]
        return row
    return None


async def agency(viewer: Viewer, pk: int) -> Agency | None:
    return await Agency.get_or_none(id=pk) if viewer.agency_id == pk else None


async def session(viewer: Viewer, pk: int) -> Session | None:
    return await Session.get_or_none(id=pk, account_id=viewer.account_id, revoked_at=None)
