"""The websockets each session has open in this process, closed when the session ends."""

from __future__ import annotations

import contextlib

from starlette.websockets import WebSocket

from resolvers.core.runtime import Viewer
from subscriptions.bus import SESSIONS_CHANNEL, Bus

# Close code for a websocket whose session ended (graphql-transport-ws "Forbidden").
SESSION_ENDED = 4403


def socket_owner(viewer: Viewer) -> int:
    """What a socket is filed under: its session, or (negated) its partner API key."""
    return -viewer.api_key_id if viewer.api_key_id is not None else viewer.session_id


class OpenSockets:
    """The websockets each session has open in this process.

    A socket is added once its session is checked and removed when its handler
    ends, whatever the reason, so the map only ever holds open sockets.
    """

    def __init__(self) -> None:
        self._by_session: dict[int, set[WebSocket]] = {}

    def __len__(self) -> int:
        return sum(len(sockets) for sockets in self._by_session.values())

    def add(self, session_id: int, websocket: WebSocket) -> None:
        self._by_session.setdefault(session_id, set()).add(websocket)

    def discard(self, session_id: int, websocket: WebSocket) -> None:
        sockets = self._by_session.get(session_id)
        if sockets is None:
            return
        sockets.discard(websocket)
        if not sockets:
            del self._by_session[session_id]

    def session_ids(self) -> list[int]:
        return list(self._by_session)

    async def close(self, session_id: int) -> None:
        for websocket in list(self._by_session.pop(session_id, ())):
            with contextlib.suppress(Exception):  # already closing: nothing left to do
                await websocket.close(code=SESSION_ENDED, reason="Session ended")

    def follow_revocations(self, bus: Bus) -> None:
        """A session revoked in any process (sign-out, password change) closes its sockets
        here too."""

        async def on_revoked(message: str) -> None:
            if message.removeprefix("-").isdigit():  # a session, or (negated) a partner key
                await self.close(int(message))

        bus.listen(SESSIONS_CHANNEL, on_revoked)
