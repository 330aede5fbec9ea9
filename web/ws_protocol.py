"""uvicorn's websocket protocol, lighter for the thousands of sockets that mostly wait.

A dashboard or a phone keeps its socket open all day and receives a few events an
hour, so what each open socket holds is what counts. Two things uvicorn keeps for
the life of a connection are only needed until the handshake is done:

- the handshake request and response (headers parsed twice, about 4 KiB): dropped
  once the response is sent;
- an `asyncio.Queue` for incoming messages (four deques and an Event, about 2.5 KiB):
  replaced by a deque made on the first message and a single waiter.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol


class _Inbox:
    """The part of `asyncio.Queue` uvicorn uses: `put_nowait`, `get`, `empty`."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: deque[Any] | None = None
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Any) -> None:
        if self._items is None:
            self._items = deque()
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def empty(self) -> bool:
        return not self._items

    async def get(self) -> Any:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.popleft()


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = _Inbox()  # type: ignore[assignment]

    def start_keepalive(self) -> None:
        # Called once the handshake response is written: the request and the response
        # are not read again.
        self.request = self.response = None  # type: ignore[assignment]
        super().start_keepalive()
