"""`node(id:)`: any object by global id, only if the viewer may see it.

Forbidden and missing look the same (null), so ids cannot be probed.
"""

from __future__ import annotations

from datetime import timedelta

from models.accounts.people import Account, Agency, Client, Worker
from models.accounts.security import Session
from resolvers.accounts.signup import AccountRecord, get_record
from resolvers.core.prepared import get_by_id
from resolvers.core.runtime import Runtime, Viewer
from services.clock import utcnow


def _same_agency_staff(viewer: Viewer, agency_id: int | None) -> bool:
    return viewer.is_staff and agency_id is not None and viewer.agency_id == agency_id


async def account(viewer: Viewer, pk: int) -> AccountRecord | None:
    row = await Account.get_or_none(id=pk)
    if row is None:
        return None
    if row.id == viewer.account_id or _same_agency_staff(viewer, row.agency_id):
        return await get_record(row.id)
    return None


async def client(viewer: Viewer, pk: int) -> tuple[Client, Account] | None:
    row = await get_by_id(Client, pk)
    if row is None:
        return None
    if row.account_id == viewer.account_id or _same_agency_staff(viewer, row.agency_id):
        account = await get_by_id(Account, row.account_id)
        return None if account is None else (row, account)
    return None


async def worker(viewer: Viewer, pk: int) -> tuple[Worker, Account] | None:
    row = await get_by_id(Worker, pk)
    if row is None:
        return None
    if row.account_id == viewer.account_id or _same_agency_staff(viewer, row.agency_id):
        account = await get_by_id(Account, row.account_id)
        return None if account is None else (row, account)
    return None


async def agency(viewer: Viewer, pk: int) -> Agency | None:
    """Everyone attached to an agency (staff, workers, clients) may read it."""
    if viewer.agency_id != pk:
        return None
    return await Agency.get_or_none(id=pk)


async def session(rt: Runtime, viewer: Viewer, pk: int) -> Session | None:
    """The viewer's own live sessions, as `sessions` lists them."""
    now = utcnow()
    idle_limit = timedelta(minutes=rt.settings.session_idle_minutes)
    return await Session.get_or_none(
        id=pk,
        account_id=viewer.account_id,
        revoked_at=None,
        expires_at__gt=now,
        last_seen_at__gt=now - idle_limit,
    )
