"""Batch reads behind the per-request DataLoaders: one query per batch of keys."""

from __future__ import annotations

from collections.abc import Sequence

from models.accounts import Account, Agency


async def agencies_by_ids(ids: Sequence[int]) -> list[Agency | None]:
    rows = {row.id: row for row in await Agency.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]


async def accounts_by_ids(ids: Sequence[int]) -> list[Account | None]:
    rows = {row.id: row for row in await Account.filter(id__in=list(ids))}
    return [rows.get(i) for i in ids]
