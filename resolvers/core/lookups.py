"""Batch reads behind the per-request DataLoaders: one query per batch of keys."""

from __future__ import annotations

from collections.abc import Sequence

from models.accounts.people import Account, Agency, Client, Worker


async def agencies_by_ids(ids: Sequence[int]) -> list[Agency | None]:
    rows = {row.id: row for row in await Agency.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def accounts_by_ids(ids: Sequence[int]) -> list[Account | None]:
    rows = {row.id: row for row in await Account.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def client_id_of(account_id: int) -> int | None:
    """The client record behind a CLIENT account."""
    found = await Client.filter(account_id=account_id).values_list("id", flat=True)
    return int(found[0]) if found else None  # type: ignore[call-overload]


async def worker_id_of(account_id: int) -> int | None:
    """The worker record behind a WORKER account."""
    found = await Worker.filter(account_id=account_id).values_list("id", flat=True)
    return int(found[0]) if found else None  # type: ignore[call-overload]
