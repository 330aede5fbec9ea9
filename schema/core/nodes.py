"""The Relay `node(id:)` entry point.

Each type a global id may name registers its fetcher here (`register`): graphql-core
answers `node` with it. A type declared as rows (schema/engine/rows.py `RowType`) also
registers the fetch of its row (`register_rows`): the planner (schema/engine/plans.py)
then answers `node(id:)` of that type straight to JSON, with the same rules, when the
whole selection is read from rows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from resolvers.core import guards, nodes
from resolvers.core.runtime import Viewer
from schema.accounts.accounts import CLIENT_ROWS, WORKER_ROWS, Account, Agency, Client, Worker
from schema.accounts.sessions import Session
from schema.core.common import Node
from schema.core.context import Context, Info
from schema.core.ids import from_global_id
from schema.engine import plans
from schema.engine.row_fields import Row
from schema.engine.rows import RowType

# Looks an object up for a viewer; None when it is missing or not theirs.
Fetcher = Callable[[Viewer, int], Awaitable[Node | None]]
# The same, as a row with (at least) `columns`, for the planner.
RowFetcher = Callable[[Viewer, int, tuple[str, ...]], Awaitable[Row | None]]


async def _account(viewer: Viewer, pk: int) -> Account | None:
    record = await nodes.account(viewer, pk)
    return Account.from_record(record) if record else None


async def _client(viewer: Viewer, pk: int) -> Client | None:
    found = await nodes.client(viewer, pk)
    return Client.from_model(*found) if found else None


async def _worker(viewer: Viewer, pk: int) -> Worker | None:
    found = await nodes.worker(viewer, pk)
    return Worker.from_model(*found) if found else None


async def _agency(viewer: Viewer, pk: int) -> Agency | None:
    row = await nodes.agency(viewer, pk)
    return Agency.from_model(row) if row else None


_FETCHERS: dict[str, Fetcher] = {
    "Account": _account,
    "Client": _client,
    "Worker": _worker,
    "Agency": _agency,
}


def register(type_name: str, fetcher: Fetcher) -> None:
    """Domains add their node types here."""
    _FETCHERS[type_name] = fetcher


def register_rows(type_name: str, rows: RowType[Any], fetch: RowFetcher) -> None:
    """`node(id:)` may answer `type_name` from `rows`: `fetch` reads one by primary key with
    the rules of the type's fetcher (None: missing or not the viewer's). A type whose rows
    hold every field (no `given`) needs no other fetcher: graphql-core's builds the object
    from the same fetch."""

    async def one(context: Context, columns: tuple[str, ...], pk: int) -> Row | None:
        return await fetch(guards.signed_in(context.viewer), pk, columns)

    plans.plan_node(type_name, rows, one)
    if rows.given:
        return

    async def fetcher(viewer: Viewer, pk: int) -> Node | None:
        row = await fetch(viewer, pk, rows.columns)
        return None if row is None else rows.build(row)

    register(type_name, fetcher)


register_rows("Client", CLIENT_ROWS, nodes.client_row)
register_rows("Worker", WORKER_ROWS, nodes.worker_row)


@strawberry.type
class NodeQueries:
    @strawberry.field(description="Any object by its global id; null if absent or not yours.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        viewer = guards.signed_in(info.context.viewer)
        type_name, pk = from_global_id(id)
        if type_name == "Session":  # liveness depends on the settings
            row = await nodes.session(info.context.runtime, viewer, pk)
            return Session.from_model(row, viewer.session_id) if row else None
        fetcher = _FETCHERS.get(type_name)
        return await fetcher(viewer, pk) if fetcher else None
