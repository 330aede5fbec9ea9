"""uvicorn's websocket protocol, lighter for the thousands of sockets that mostly wait.

A dashboard or a phone keeps its socket open all day and receives a few events an
hour, so what each open socket holds is what counts. Two things uvicorn keeps for
the life of a connection are only needed until the handshake is done:

- the handshake request and response (headers parsed twice, about 4 KiB): dropped
  once the response is sent, the request's headers emptied (2.5 KiB per socket);
- an `asyncio.Queue` for incoming messages (four deques and an Event, about 2.5 KiB):
  replaced by a deque made on the first message and a single waiter;
- an `asyncio.Event` for flow control (its deque of waiters, about 0.7 KiB, kept whether
  or not a send ever waits): replaced by a gate that makes its list when one does.
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


class _Gate:
    """The part of `asyncio.Event` uvicorn uses for `writable`: `set`, `clear`, `wait`."""

    __slots__ = ("_open", "_waiters")

    def __init__(self) -> None:
        self._open = True  # uvicorn sets its Event at once
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._open

    def set(self) -> None:
        self._open = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._open = False

    async def wait(self) -> bool:
        if self._open:
            return True
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            await waiter
            return True
        finally:
            if self._waiters is not None and waiter in self._waiters:
                self._waiters.remove(waiter)


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.queue = _Inbox()  # type: ignore[assignment]
        self.writable = _Gate()  # type: ignore[assignment]

    def start_keepalive(self) -> None:
        # Called once the handshake response is written: the request and the response
        # are not read again. The request's headers are emptied too: websockets' parser
        # keeps the request for the connection's life (a local of its generator), and
        # the ASGI scope has its own copy of them.
        if self.request is not None:
            self.request.headers.clear()
        self.request = self.response = None  # type: ignore[assignment]
        super().start_keepalive()
