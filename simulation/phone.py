"""Talking to /graphql as one signed-in account would, and the documents the simulation sends."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx

LOG_IN = """mutation LogIn($email: String!, $password: String!) {
  logIn(input: { email: $email, password: $password }) { token userErrors { code message } }
}"""
AGENCY = "query Agency { me { agency { timeZone } } }"
MUTATIONS = '{ __type(name: "Mutation") { fields { name } } }'
MINE = """query Today($from: DateTime!, $to: DateTime!, $after: String) {
  me { worker { id } }
  interventions(filter: { from: $from, to: $to, status: [SCHEDULED, IN_PROGRESS] },
                first: 100, after: $after) {
    edges { node { id status scheduledStart scheduledEnd client { id } worker { id } } }
    pageInfo { hasNextPage endCursor }
  }
}"""
CLIENTS = """query Clients($after: String) {
  clients(first: 100, after: $after) {
    edges { node { id account { email } } } pageInfo { hasNextPage endCursor }
  }
}"""
SCHEDULE = """mutation Schedule($input: ScheduleInterventionInput!) {
  scheduleIntervention(input: $input) { intervention { id } userErrors { code message } }
}"""
ATTEND = """mutation Attend($input: %sInput!) {
  %s(input: $input) { intervention { id status } userErrors { code message } }
}"""
RATE = """mutation Rate($input: RateInterventionInput!) {
  rateIntervention(input: $input) { rating { id } userErrors { code message } }
}"""
SEND_MESSAGE = """mutation Send($input: SendMessageInput!) {
  sendMessage(input: $input) {
    message { id conversation { id } } userErrors { code message }
  }
}"""
COMING = """query Coming($from: DateTime!, $to: DateTime!) {
  interventions(filter: { from: $from, to: $to, status: [SCHEDULED] }, first: 20) {
    edges { node { id scheduledStart scheduledEnd } }
  }
}"""
REQUEST_CHANGE = """mutation Ask($input: RequestChangeInput!) {
  requestChange(input: $input) { request { id status } userErrors { code message } }
}"""
REVIEW = """mutation Review($input: ReviewChangeRequestInput!) {
  reviewChangeRequest(input: $input) { request { id status } userErrors { code message } }
}"""


class GraphQLFailure(Exception):
    """A GraphQL error or a refused mutation (its userErrors)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


@dataclass
class Phone:
    """One signed-in account talking to /graphql."""

    http: httpx.AsyncClient
    email: str
    token: str = ""

    async def call(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {"authorization": f"Bearer {self.token}"} if self.token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        body = response.json()
        if body.get("errors"):
            error = body["errors"][0]
            raise GraphQLFailure(error.get("extensions", {}).get("code", "ERROR"), error["message"])
        data: dict[str, Any] = body["data"]
        return data

    async def mutate(self, query: str, name: str, input: dict[str, Any]) -> dict[str, Any]:
        payload: dict[str, Any] = (await self.call(query, {"input": input}))[name]
        if payload["userErrors"]:
            error = payload["userErrors"][0]
            raise GraphQLFailure(error["code"], error["message"])
        return payload

    async def sign_in(self, password: str) -> Phone:
        result = (await self.call(LOG_IN, {"email": self.email, "password": password}))["logIn"]
        if not result["token"]:
            raise GraphQLFailure("LOGIN_REFUSED", f"{self.email}: {result['userErrors']}")
        self.token = result["token"]
        return self


async def pages(phone: Phone, query: str, variables: dict[str, Any], key: str) -> list[Any]:
    nodes: list[Any] = []
    after = None
    for _ in range(20):
        data = await phone.call(query, {**variables, "after": after})
        nodes += [edge["node"] for edge in data[key]["edges"]]
        if not data[key]["pageInfo"]["hasNextPage"]:
            break
        after = data[key]["pageInfo"]["endCursor"]
    return nodes


async def wait_until_ready(url: str, seconds: float) -> None:
    """Waits for /readyz to answer 200 (a server just started); raises when it never does."""
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(base_url=url, timeout=2) as http:
        while True:
            try:
                if (await http.get("/readyz")).status_code == 200:
                    return
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
            if time.monotonic() > deadline:
                raise httpx.ConnectError(f"{url} not ready after {seconds:g} s")
            await asyncio.sleep(0.2)
