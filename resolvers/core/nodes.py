"""`node(id:)`: any object by global id, only if the viewer may see it.

Forbidden and missing look the same (null), so ids cannot be probed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from tortoise.models import Model

from models.accounts.people import Account, Agency, Client, Worker
from models.accounts.security import Session
from resolvers.accounts.signup import AccountRecord, get_record
from resolvers.core import guards
from resolvers.core.prepared import PreparedRows, every_field, loaded, row_by_id
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


P = TypeVar("P", Client, Worker)
_PEOPLE: dict[type[Model], PreparedRows] = {}


def _with_account(model: type[Model]) -> PreparedRows:
    """Every field of `model` and of its account, in one statement (fields known once
    Tortoise has set its models up: built on first use)."""
    rows = _PEOPLE.get(model)
    if rows is None:
        account = (f"account__{name}" for name in every_field(Account).fields)
        rows = _PEOPLE[model] = PreparedRows(model, (*every_field(model).fields, *account))
    return rows


async def _person(viewer: Viewer, model: type[P], pk: int) -> tuple[P, Account] | None:
    """A client or worker with its account: the viewer's own, or for staff of its agency."""
    row = await _person_row(viewer, model, pk, _with_account(model).fields)
    if row is None:
        return None
    own = loaded(model, row, every_field(model).fields)
    return own, loaded(Account, row, every_field(Account).fields, prefix="account__")


async def _person_row(
    viewer: Viewer, model: type[Model], pk: int, columns: tuple[str, ...]
) -> dict[str, Any] | None:
    """A client's or worker's `columns` (its fields, and its account's as `account__…`),
    the viewer's own or for staff of its agency, in one statement that reads only those
    and what the rule needs: the planner's rows leave the account out, its password hash
    with it; graphql-core's objects (`_person`) read every column."""
    rule = ("account_id", "agency_id", "account__id")
    row = await row_by_id(model, pk, (*rule, *columns), _with_account(model))
    if row is None or row["account__id"] is None:
        return None
    if row["account_id"] != viewer.account_id and not _same_agency_staff(viewer, row["agency_id"]):
        return None
    return row


async def client_row(viewer: Viewer, pk: int, columns: tuple[str, ...]) -> dict[str, Any] | None:
    return await _person_row(viewer, Client, pk, columns)


async def worker_row(viewer: Viewer, pk: int, columns: tuple[str, ...]) -> dict[str, Any] | None:
    return await _person_row(viewer, Worker, pk, columns)


HouseholdRow = Callable[[Viewer, int, tuple[str, ...]], Awaitable[dict[str, Any] | None]]


def household_rows(model: type[Model]) -> HouseholdRow:
    """Reads a household's own record of `model` (which has `agency_id` and `client_id`)
    by id, as a row with the columns asked for, if `guards.sees_household_row`; else None:
    `node(id:)`'s planned fetch of conversations and change requests."""

    async def visible_row(
        viewer: Viewer, pk: int, columns: tuple[str, ...]
    ) -> dict[str, Any] | None:
        row = await row_by_id(model, pk, ("agency_id", "client_id", *columns))
        if row is None:
            return None
        seen = await guards.sees_household_row(viewer, row["agency_id"], row["client_id"])
        return row if seen else None

    return visible_row


async def client(viewer: Viewer, pk: int) -> tuple[Client, Account] | None:
    return await _person(viewer, Client, pk)


async def worker(viewer: Viewer, pk: int) -> tuple[Worker, Account] | None:
    return await _person(viewer, Worker, pk)


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
