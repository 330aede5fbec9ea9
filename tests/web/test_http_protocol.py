"""web/http_protocol.py: a connection's writes of one turn of the event loop go out as
one; a websocket writes straight to its socket.

The transport's own behaviour is checked on a transport that records what reaches it;
the protocol, on the session's real server (every other test's requests go through it).
"""

from __future__ import annotations

import asyncio
from typing import Any

from tests.client import WsClient
from web.http_protocol import FLUSH_BYTES, Coalesced, LeanHttpProtocol


class Recorded(asyncio.Transport):
    """What reaches the socket, write by write."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False
        self.aborted = False

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed or self.aborted

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 8000) if name == "peername" else default


async def _turn() -> None:
    await asyncio.sleep(0)


async def test_the_writes_of_one_turn_go_out_as_one():
    raw = Recorded()
    transport = Coalesced(raw, asyncio.get_running_loop())
    transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    transport.write(b"{}")
    transport.write(b"")
    assert raw.writes == []
    assert transport.get_write_buffer_size() == 40
    await _turn()
    assert raw.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]
    assert transport.get_write_buffer_size() == 0
    transport.write(b"next")
    await _turn()
    assert raw.writes[1:] == [b"next"]


async def test_a_long_body_goes_out_as_it_comes():
    raw = Recorded()
    transport = Coalesced(raw, asyncio.get_running_loop())
    chunk = b"x" * (FLUSH_BYTES // 2)
    for _ in range(5):
        transport.write(chunk)
    # Never more than FLUSH_BYTES held: the third chunk took the first three out.
    assert [len(w) for w in raw.writes] == [3 * len(chunk)]
    await _turn()
    assert [len(w) for w in raw.writes] == [3 * len(chunk), 2 * len(chunk)]


async def test_closing_sends_what_waits_and_aborting_drops_it():
    raw = Recorded()
    transport = Coalesced(raw, asyncio.get_running_loop())
    transport.write(b"last words")
    transport.close()
    assert raw.writes == [b"last words"] and raw.closed
    await _turn()  # the turn's flush finds nothing left
    assert raw.writes == [b"last words"]

    raw = Recorded()
    transport = Coalesced(raw, asyncio.get_running_loop())
    transport.write(b"never sent")
    transport.abort()
    await _turn()
    assert raw.writes == [] and raw.aborted


async def test_nothing_is_written_to_a_connection_closed_meanwhile():
    raw = Recorded()
    transport = Coalesced(raw, asyncio.get_running_loop())
    transport.write(b"too late")
    raw.closed = True  # the peer went away during the turn
    await _turn()
    assert raw.writes == []
    assert transport.get_extra_info("peername") == ("127.0.0.1", 8000)  # the rest, as is


async def test_the_server_answers_over_coalesced_transports_and_sockets_over_raw_ones(server, api):
    assert server.server.config.http_protocol_class is LeanHttpProtocol
    ws = await WsClient.connect(api)
    try:
        assert (await api.gql("{ __typename }"))["data"] == {"__typename": "Query"}
        kinds = {
            type(connection).__name__: type(connection.transport)
            for connection in server.server.server_state.connections
        }
        assert kinds["LeanHttpProtocol"] is Coalesced
        sockets = [k for k in kinds if k != "LeanHttpProtocol"]
        assert sockets and all(kinds[k] is not Coalesced for k in sockets), kinds
    finally:
        await ws.close()
