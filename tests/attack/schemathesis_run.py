"""schemathesis over every Query and Mutation field, with a client, a worker or an admin token.

schemathesis loads the schema by introspection from the running server, draws documents for
each root field (arguments and selections, hypothesis-graphql), derandomized: the same cases
on every run. Each case is sent over HTTP with the role's token, and fails when the answer is
a 5xx or carries `INTERNAL_SERVER_ERROR`. The drawing and the blocking HTTP calls run in a
thread, so the server, in the test's event loop, goes on answering.

Fuzzed mutations may sign the role out (`logOut`, `revokeSession`): before each operation
the token is checked and, when it no longer signs in, the role logs in again.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.core.result import Err
from schemathesis.generation import GenerationMode
from schemathesis.schemas import APIOperation
from schemathesis.specs.graphql.schemas import GraphQLSchema

from models.accounts.security import LoginAttempt
from tests import factories
from tests.client import Api

Operation = APIOperation[Any, Any, Any, Any]
MODES = {"positive": GenerationMode.POSITIVE, "negative": GenerationMode.NEGATIVE}


@dataclass
class Tally:
    tried: int = 0
    failed: list[str] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    operations: set[str] = field(default_factory=set)

    def line(self) -> str:
        return ", ".join(f"{k} {v}" for k, v in self.outcomes.most_common())


def server_error(status: int, body: Any) -> str | None:
    """What makes an answer a server error, or None."""
    if status >= 500:
        return f"HTTP {status}"
    errors = body.get("errors") if isinstance(body, dict) else None
    for error in errors or []:
        if isinstance(error, dict) and (error.get("extensions") or {}).get("code") == (
            "INTERNAL_SERVER_ERROR"
        ):
            return f"INTERNAL_SERVER_ERROR {error.get('message')!r}"
    return None


def _outcome(status: int, body: Any) -> str:
    if status != 200 or not isinstance(body, dict):
        return f"HTTP {status}"
    errors = body.get("errors")
    if errors:
        return str((errors[0].get("extensions") or {}).get("code"))
    return "answered"


def load(url: str) -> GraphQLSchema:
    return schemathesis.graphql.from_url(url, timeout=30)


def operations(schema: GraphQLSchema) -> list[Operation]:
    found = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        found.append(result.ok())
    return found


def fuzz(
    operation: Operation,
    token: str,
    role: str,
    examples: int,
    mode: str,
    tally: Tally,
    seed: int | None = None,
) -> None:
    """Up to `examples` cases of one operation (fewer when its cases run out), in this thread."""
    http = requests.Session()
    headers = {"Authorization": f"Bearer {token}"}

    @settings(
        max_examples=examples,
        derandomize=seed is None,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=operation.as_strategy(generation_mode=MODES[mode]))
    def one(case: Any) -> None:
        response = case.call(session=http, headers=headers, timeout=30)
        try:
            body = response.json()
        except ValueError:
            body = None
        tally.tried += 1
        tally.outcomes[_outcome(response.status_code, body)] += 1
        found = server_error(response.status_code, body)
        if found:
            tally.failed.append(
                f"{operation.label} as {role} ({mode}): {found}\n      {str(case.body)[:300]}"
            )

    if seed is not None:
        one = hypothesis.seed(seed)(one)
    try:
        one()
    finally:
        http.close()
    tally.operations.add(operation.label)


@dataclass
class Role:
    name: str
    email: str
    token: str


async def roles(api: Api, tokens: dict[str, str]) -> list[Role]:
    found = []
    for name, token in tokens.items():
        me = (await api.data("{ me { email } }", token=token))["me"]
        found.append(Role(name, me["email"], token))
    return found


async def _signed_in(api: Api, role: Role) -> str:
    # A client of its own: the shared one's connection may have idled past the keep-alive.
    fresh = Api(api.base_url)
    try:
        if (await fresh.gql("{ me { id } }", token=role.token)).get("data", {}).get("me"):
            return role.token
        # Fuzzed logIn calls count failures from this address: the real sign-in must not wait.
        await LoginAttempt.all().delete()
        role.token = await factories.log_in(fresh, role.email)
        return role.token
    finally:
        await fresh.aclose()


async def run(
    api: Api, signed_in: list[Role], budget: dict[str, int], seed: int | None = None
) -> Tally:
    """Every operation, for each role, `budget[mode]` cases in each mode (positive, negative).

    Derandomized: the same cases on every run, unless a `seed` draws others.
    """
    schema = await asyncio.to_thread(load, f"{api.base_url}/graphql")
    tally = Tally()
    for role in signed_in:
        for operation in operations(schema):
            for mode, examples in budget.items():
                token = await _signed_in(api, role)
                await asyncio.to_thread(
                    fuzz, operation, token, role.name, examples, mode, tally, seed
                )
    return tally
