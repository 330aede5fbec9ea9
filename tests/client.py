"""Talking to a running Passage the way frontends do: HTTP and graphql-transport-ws."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import websockets
from websockets.asyncio.client import ClientConnection

WS_PROTOCOL = "graphql-transport-ws"


class Api:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.AsyncClient(base_url=base_url, timeout=20)

    async def gql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """POSTs an operation and returns the whole JSON response."""
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=all_headers
        )
        assert response.headers["content-type"].startswith("application/json"), response.text
        return dict(response.json())

    async def data(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """The `data` of a response that must have no errors."""
        result = await self.gql(query, variables, token, **kwargs)
        assert not result.get("errors"), result
        return dict(result["data"])

    async def error_code(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> str:
        result = await self.gql(query, variables, token)
        assert result.get("errors"), result
        return str(result["errors"][0].get("extensions", {}).get("code"))

    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://").replace("https://", "wss://") + "/graphql"

    async def aclose(self) -> None:
        await self.http.aclose()


class WsClient:
    """A minimal graphql-transport-ws client."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self._next_id = 0

    @classmethod
    async def connect(
        cls,
        api: Api,
        token: str | None = None,
        payload: dict[str, Any] | None = None,
        origin: str | None = None,
        init: bool = True,
    ) -> WsClient:
        connection = await websockets.connect(
            api.ws_url(),
            subprotocols=[WS_PROTOCOL],  # type: ignore[list-item]
            origin=origin,  # type: ignore[arg-type]
            compression=None,
        )
        client = cls(connection)
        if init:
            init_payload = dict(payload or {})
            if token:
                init_payload["authorization"] = f"Bearer {token}"
            await client.send({"type": "connection_init", "payload": init_payload})
        return client

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def receive(self, timeout: float = 5.0) -> dict[str, Any]:
        raw = await asyncio.wait_for(self.connection.recv(), timeout)
        return dict(json.loads(raw))

    async def ack(self) -> dict[str, Any]:
        message = await self.receive()
        assert message["type"] == "connection_ack", message
        return message

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        self._next_id += 1
        op_id = str(self._next_id)
        await self.send(
            {
                "id": op_id,
                "type": "subscribe",
                "payload": {"query": query, "variables": variables or {}},
            }
        )
        return op_id

    async def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Runs a query over the socket and returns its single `next` payload."""
        op_id = await self.subscribe(query, variables)
        message = await self.receive()
        assert message["id"] == op_id, message
        return message

    async def closed_with(self, timeout: float = 5.0) -> int | None:
        """Waits for the server to close the socket; returns the close code."""
        try:
            while True:
                await asyncio.wait_for(self.connection.recv(), timeout)
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None

    async def close(self) -> None:
        await self.connection.close()
