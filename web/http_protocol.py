"""uvicorn's HTTP protocol, with a response's head and body sent in one write.

uvicorn writes a response's status line and headers as soon as the app sends
`http.response.start`, and its body at `http.response.body`: two system calls and two
TCP segments for every answer of one JSON document, and two wake-ups of the client.
Here the writes a connection makes in one turn of the event loop are joined and sent
once, at the end of that turn (or at once past `FLUSH_BYTES`, or before the connection
closes). A websocket, once upgraded, writes straight to its transport: its frames go
out as they are sent.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Past this many bytes waiting, a write goes out at once: a long body streamed without
# a pause is never held whole in memory, and the transport's back-pressure applies.
FLUSH_BYTES = 64 * 1024


class Coalesced:
    """A transport whose writes of one turn of the event loop go out as one."""

    __slots__ = ("_loop", "_pending", "_size", "raw")

    def __init__(self, raw: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self.raw = raw
        self._loop = loop
        self._pending: list[bytes] | None = None
        self._size = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        pending = self._pending
        if pending is None:
            self._pending = pending = []
            self._size = 0
            self._loop.call_soon(self.flush)
        pending.append(bytes(data))
        self._size += len(data)
        if self._size > FLUSH_BYTES:
            self.flush()

    def writelines(self, list_of_data: Any) -> None:
        for data in list_of_data:
            self.write(data)

    def flush(self) -> None:
        """Sends what waits (a no-op when nothing does, or once the connection closed)."""
        pending, self._pending = self._pending, None
        if pending and not self.raw.is_closing():
            self.raw.write(pending[0] if len(pending) == 1 else b"".join(pending))

    def get_write_buffer_size(self) -> int:
        return self.raw.get_write_buffer_size() + (self._size if self._pending else 0)

    def close(self) -> None:
        self.flush()
        self.raw.close()

    def write_eof(self) -> None:
        self.flush()
        self.raw.write_eof()

    def abort(self) -> None:
        self._pending = None
        self.raw.abort()

    def __getattr__(self, name: str) -> Any:  # is_closing, get_extra_info, pause_reading…
        return getattr(self.raw, name)


class LeanHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol on a `Coalesced` transport."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(Coalesced(transport, self.loop))  # type: ignore[arg-type]

    def handle_websocket_upgrade(self) -> None:
        transport = self.transport
        if isinstance(transport, Coalesced):  # the socket's frames go out as sent
            transport.flush()
            self.transport = transport.raw
        super().handle_websocket_upgrade()
