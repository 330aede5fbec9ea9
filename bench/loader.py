"""A lean HTTP/1.1 load generator: keep-alive connections that POST prepared bytes.

The benchmarks share two cores with the server they measure. httpx spends about a
millisecond of CPU per request in its pool and its models; under a burst (the server
paused, requests queued) its process saturated a core and the check-ins went out late,
which read as a slow server. Here a request is one prepared write and a response
one read of its head and of `content-length` bytes: a few tens of microseconds.

It speaks only what the benchmark servers answer (uvicorn: `content-length` or
`transfer-encoding: chunked`), over plain TCP to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from bench.common import database_cpu, database_cpu_since


class LoaderError(Exception):
    """The server closed the connection or answered something this client does not read."""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def send(self, request: bytes) -> Response:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        try:
            status = int(lines[0].split(b" ", 2)[1])
        except (IndexError, ValueError) as exc:
            raise LoaderError(f"bad status line {lines[0]!r}") from exc
        length: int | None = None
        chunked = False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if chunked:
            return Response(status, await self._chunks())
        if length is None:
            raise LoaderError("a response without content-length")
        return Response(status, await self.reader.readexactly(length))

    async def _chunks(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)

    def close(self) -> None:
        self.writer.close()


class Pool:
    """`size` keep-alive connections to `base_url`; a request waits for a free one."""

    def __init__(self, base_url: str, size: int) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"plain http://host:port only, not {base_url!r}")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.size = size
        self._free: asyncio.Queue[Connection] = asyncio.Queue()
        self._all: list[Connection] = []

    async def open(self) -> None:
        for _ in range(self.size):
            reader, writer = await asyncio.open_connection(self.host, self.port)
            connection = Connection(reader, writer)
            self._all.append(connection)
            self._free.put_nowait(connection)

    def request(self, method: str, path: str, body: bytes = b"", **headers: str) -> bytes:
        """The bytes of a request, prepared once and sent as many times as wanted."""
        lines = [f"{method} {path} HTTP/1.1", f"host: {self.host}:{self.port}"]
        if body:
            lines += ["content-type: application/json", f"content-length: {len(body)}"]
        lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    async def send(self, request: bytes) -> Response:
        connection = await self._free.get()
        try:
            response = await connection.send(request)
        except BaseException:
            # Whatever was half read, this connection is spent: open another in its place.
            connection.close()
            self._all.remove(connection)
            with contextlib.suppress(OSError):
                reader, writer = await asyncio.open_connection(self.host, self.port)
                connection = Connection(reader, writer)
                self._all.append(connection)
                self._free.put_nowait(connection)
            raise
        self._free.put_nowait(connection)
        return response

    async def close(self) -> None:
        for connection in self._all:
            connection.close()
        for connection in self._all:
            with contextlib.suppress(Exception):
                await connection.writer.wait_closed()
        self._all.clear()


@contextlib.asynccontextmanager
async def pool(base_url: str, size: int) -> AsyncIterator[Pool]:
    opened = Pool(base_url, size)
    try:
        await opened.open()
        yield opened
    finally:
        await opened.close()


class Measured(Protocol):
    url: str

    def cpu_seconds(self) -> float: ...


@dataclass(frozen=True)
class Load:
    """What `measure` saw: requests answered, over how long, each one's latency."""

    requests: int
    seconds: float
    latencies: list[float]
    errors: int  # not 200, or an answer with "errors"
    server_cpu: float  # seconds of the server process
    client_cpu: float  # seconds of this process
    database_cpu: float = 0.0  # seconds of the PostgreSQL processes (bench.common)


async def measure(
    server: Measured, body: bytes, headers: dict[str, str], concurrency: int, seconds: float
) -> Load:
    """POSTs `body` to /graphql over `concurrency` keep-alive connections for `seconds`,
    every connection answered once before the clock starts."""
    latencies: list[float] = []
    errors = 0
    async with pool(server.url, concurrency) as http:
        request = http.request("POST", "/graphql", body, **headers)
        await asyncio.gather(*(http.send(request) for _ in range(concurrency)))
        cpu_before = server.cpu_seconds()
        database_before = database_cpu()
        client_before = time.process_time()
        started = time.perf_counter()
        deadline = started + seconds

        async def worker() -> None:
            nonlocal errors
            while True:
                sent = time.perf_counter()
                if sent >= deadline:
                    return
                response = await http.send(request)
                done = time.perf_counter()
                if response.status != 200 or b'"errors"' in response.body:
                    errors += 1
                latencies.append(done - sent)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        server_cpu = server.cpu_seconds() - cpu_before
        client_cpu = time.process_time() - client_before
        database_seconds = database_cpu_since(database_before)
    return Load(
        len(latencies), elapsed, latencies, errors, server_cpu, client_cpu, database_seconds
    )
