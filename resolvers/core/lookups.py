"""Batch reads behind the per-request DataLoaders: one query per batch of keys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from models.accounts.people import Account, Agency, Client, Worker
from models.enums import Role
from resolvers.core.prepared import PreparedRows, every_field, get_many, rows_by_ids
from resolvers.core.runtime import Viewer


async def agencies_by_ids(ids: Sequence[int]) -> list[Agency | None]:
    rows = {row.id: row for row in await get_many(Agency, ids)}
    return [rows.get(i) for i in ids]


async def agency_rows(ids: Sequence[int], columns: Sequence[str]) -> dict[int, dict[str, Any]]:
    """Agencies by id as rows of `columns` (and `id`): what `agencies_by_ids` reads, for
    planned queries (schema/accounts/accounts.py `me { agency }`)."""
    wanted = tuple(dict.fromkeys(("id", *columns)))
    return {row["id"]: row for row in await rows_by_ids(every_field(Agency), ids, wanted)}


async def accounts_by_ids(ids: Sequence[int]) -> list[Account | None]:
    rows = {row.id: row for row in await get_many(Account, ids)}
    return [rows.get(i) for i in ids]


# Read on most requests of a client or a worker: the SQL is written once (prepared.py).
_CLIENT_IDS = PreparedRows(Client, ("id",))
_WORKER_IDS = PreparedRows(Worker, ("id",))
_ZONES = PreparedRows(Agency, ("time_zone",))


DEFAULT_TIME_ZONE = "Europe/Paris"  # the Agency model's default


async def agency_time_zone(agency_id: int) -> str:
    """The agency's IANA time zone name (the default for an agency that is gone)."""
    found = await _ZONES.fetch(
        "of agency", lambda v: Agency.filter(id=v["agency"]), {"agency": agency_id}
    )
    return str(found[0]["time_zone"]) if found else DEFAULT_TIME_ZONE


async def client_id_of(account_id: int) -> int | None:
    """The client record behind a CLIENT account."""
    found = await _CLIENT_IDS.fetch(
        "by account", lambda v: Client.filter(account_id=v["account"]), {"account": account_id}
    )
    return int(found[0]["id"]) if found else None


async def worker_id_of(account_id: int) -> int | None:
    """The worker record behind a WORKER account."""
    found = await _WORKER_IDS.fetch(
        "by account", lambda v: Worker.filter(account_id=v["account"]), {"account": account_id}
    )
    return int(found[0]["id"]) if found else None


# A CLIENT account has its client record and a WORKER its worker record, made with it and
# never given to another account: the session's read carries them (sessions.py), so most
# requests read neither; a viewer made otherwise (a calendar feed) reads them here.


async def client_id_for(viewer: Viewer) -> int | None:
    """The viewer's client record; None for anyone but a household."""
    if viewer.role is not Role.CLIENT:
        return None
    return (
        viewer.client_id if viewer.client_id is not None else await client_id_of(viewer.account_id)
    )


async def worker_id_for(viewer: Viewer) -> int | None:
    """The viewer's worker record; None for anyone but a worker."""
    if viewer.role is not Role.WORKER:
        return None
    return (
        viewer.worker_id if viewer.worker_id is not None else await worker_id_of(viewer.account_id)
    )
