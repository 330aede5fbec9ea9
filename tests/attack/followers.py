"""Live-event subscribers that resume, as a phone or a dashboard does after a drop.

A `Follower` keeps one graphql-transport-ws socket subscribed to `interventionEvents`
(tests/client.py `WsClient`). On any drop (the process is gone, a `SUBSCRIBER_TOO_SLOW`
or `SERVICE_UNAVAILABLE` error, a `complete`) it connects again, to its own process
first and to the other when that one does not answer, and subscribes with
`since: <the last cursor it received>`. It keeps every event id in arrival order,
duplicates included, for the caller to check against the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

import websockets

from bench.common import EVENTS, HEAD
from schema.core.ids import after_pk
from tests.client import WS_PROTOCOL, WsClient

RECONNECT_PAUSE = 0.2


@dataclass
class Follower:
    name: str
    token: str
    urls: list[str]  # websocket URLs, its own process first
    channel: str  # the audience it hears, e.g. `agency:1` or `client:7`
    received: list[int] = field(default_factory=list)
    start: int | None = None  # the event id it started after (its first head)
    resumes: int = 0
    notes: list[str] = field(default_factory=list)
    cursor: str | None = None
    ready: asyncio.Event = field(default_factory=asyncio.Event)  # subscribed once

    async def run(self) -> None:
        failures = 0  # connections in a row that did not get an ack
        while True:
            url = self.urls[failures % len(self.urls)]
            try:
                acknowledged = await self._follow(url)
            except (OSError, TimeoutError, websockets.WebSocketException) as exc:
                acknowledged = False
                self._note(f"{type(exc).__name__} on {url}")
            failures = 0 if acknowledged else failures + 1
            self.resumes += 1
            await asyncio.sleep(RECONNECT_PAUSE)

    def _note(self, note: str) -> None:
        if len(self.notes) < 50:
            self.notes.append(note[:200])

    async def _follow(self, url: str) -> bool:
        """One connection, until it drops; True once it was acknowledged."""
        async with websockets.connect(
            url,
            subprotocols=[WS_PROTOCOL],  # type: ignore[list-item]
            compression=None,
            open_timeout=5,
            max_queue=None,
        ) as connection:
            client = WsClient(connection)
            init = {"authorization": f"Bearer {self.token}"}
            await client.send({"type": "connection_init", "payload": init})
            await client.ack()
            if self.cursor is None:
                head = await client.execute(HEAD)
                self.cursor = head["payload"]["data"]["interventionEventsCursor"]
                self.start = after_pk(self.cursor) or 0
            op = await client.subscribe(EVENTS, {"since": self.cursor})
            self.ready.set()
            with contextlib.suppress(websockets.ConnectionClosed):
                async for raw in connection:
                    if not await self._handle(client, op, json.loads(raw)):
                        break
            return True

    async def _handle(self, client: WsClient, op: str, message: dict[str, Any]) -> bool:
        """Takes one message; False when the subscription ended and must be resumed."""
        kind = message.get("type")
        if kind == "ping":
            await client.send({"type": "pong"})
            return True
        if kind == "pong":
            return True
        if message.get("id") != op:
            if kind != "complete":  # the head query's own end
                self._note(f"unexpected: {message}")
            return True
        payload = message.get("payload")
        if kind == "next" and isinstance(payload, dict) and not payload.get("errors"):
            event = payload["data"]["interventionEvents"]
            self.received.append(after_pk(event["cursor"]) or 0)
            self.cursor = event["cursor"]
            return True
        self._note(f"ended: {message}")
        return False


@dataclass
class Verdict:
    """What one follower got against what the log says it should have got."""

    expected: list[int]
    lost: list[int]
    duplicated: list[int]
    out_of_order: list[int]
    foreign: list[int]  # not in its audience


def judge(expected: list[int], received: list[int]) -> Verdict:
    seen: set[int] = set()
    duplicated: list[int] = []
    in_order: list[int] = []
    out_of_order: list[int] = []
    for event_id in received:
        if event_id in seen:
            duplicated.append(event_id)
            continue
        seen.add(event_id)
        if in_order and event_id < in_order[-1]:
            out_of_order.append(event_id)
        in_order.append(event_id)
    wanted = set(expected)
    return Verdict(
        expected=expected,
        lost=[i for i in expected if i not in seen],
        duplicated=duplicated,
        out_of_order=out_of_order,
        foreign=sorted(seen - wanted),
    )
