"""What every subscription does before its first event: read `since`, check the caller.

Each `…Events(since:)` field reads its cursor (a bad one is BAD_USER_INPUT), closes an
anonymous websocket with 4403 (CONTRACT.md), then follows resolvers.core.live, which
replays what the viewer may see after the cursor and goes on live.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from models.enums import EventType
from resolvers.core import guards, live
from schema.core.context import Info
from schema.core.ids import after_pk
from subscriptions.events import EventRecord


async def require_socket_viewer(info: Info) -> None:
    """Contract: a subscription that needs a viewer closes an anonymous socket with 4403."""
    context = info.context
    if context.maybe_viewer is None and context.websocket is not None:
        await context.websocket.close(code=4403, reason="Authentication required")
    guards.signed_in(context.viewer)


async def viewer_events(
    info: Info, since: str | None, types: frozenset[EventType]
) -> AsyncIterator[EventRecord]:
    """The events of `types` the viewer may see, after `since` or from now."""
    since_id = after_pk(since)
    await require_socket_viewer(info)
    return live.events_for(info.context.runtime, info.context.viewer, since_id, types)
