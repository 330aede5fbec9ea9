"""The Relay `node(id:)` entry point."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry

from resolvers.core import guards, nodes
from resolvers.core.runtime import Viewer
from schema.accounts.accounts import Account, Agency, Client, Worker
from schema.accounts.sessions import Session
from schema.core.common import Node
from schema.core.context import Info
from schema.core.ids import from_global_id

# Looks an object up for a viewer; None when it is missing or not theirs.
Fetcher = Callable[[Viewer, int], Awaitable[Node | None]]


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
