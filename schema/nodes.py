"""The Relay `node(id:)` entry point."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry

from resolvers import guards, nodes
from schema.accounts import Account, Agency, Client, Worker
from schema.common import Node
from schema.context import Info
from schema.ids import from_global_id
from schema.sessions import Session

_FETCHERS: dict[str, Callable[..., Awaitable[Node | None]]] = {}


async def _account(viewer, pk):  # type: ignore[no-untyped-def]
    row = await nodes.account(viewer, pk)
    return Account.from_model(row) if row else None


async def _client(viewer, pk):  # type: ignore[no-untyped-def]
    row = await nodes.client(viewer, pk)
    return Client.from_model(row) if row else None


async def _worker(viewer, pk):  # type: ignore[no-untyped-def]
    row = await nodes.worker(viewer, pk)
    return Worker.from_model(row, row.account) if row else None


async def _agency(viewer, pk):  # type: ignore[no-untyped-def]
    row = await nodes.agency(viewer, pk)
    return Agency.from_model(row) if row else None


async def _session(viewer, pk):  # type: ignore[no-untyped-def]
    row = await nodes.session(viewer, pk)
    return Session.from_model(row, viewer.session_id) if row else None


_FETCHERS.update(Account=_account, Client=_client, Worker=_worker, Agency=_agency, Session=_session)


def register(type_name: str, fetcher: Callable[..., Awaitable[Node | None]]) -> None:
    """Domains add their node types here."""
    _FETCHERS[type_name] = fetcher


@strawberry.type
class NodeQueries:
    @strawberry.field(description="Any object by its global id; null if absent or not yours.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        viewer = guards.signed_in(info.context.viewer)
        type_name, pk = from_global_id(id)
        fetcher = _FETCHERS.get(type_name)
        return await fetcher(viewer, pk) if fetcher else None
