"""`make attack`: the long part of the attack-and-failure suite, run before a release.

Each family records how many cases it tried and how many failed, prints one line, and
fails when any case failed. Run by `make attack` (docs/security.md); not collected by the
default `make test` run, whose fast part is the rest of tests/attack/.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
import websockets

from schema import schema
from tests.attack import cop, schemathesis_run
from tests.attack.operations import HOSTILE, calls
from tests.client import WS_PROTOCOL, Api, WsClient
from tests.conftest import RunningServer
from tests.factories import Office, at, household, office, visit, weekday_ahead
from tests.web.factories import production

# A hostile document may cost this many times `{me{id}}`, median against median.
MAX_RATIO = 5.0
SAMPLES = 15
# schemathesis cases per operation and role; derandomized unless SCHEMATHESIS_SEED is set.
SCHEMATHESIS_BUDGET = {"positive": 15, "negative": 5}
RESULTS: dict[str, tuple[int, int]] = {}


def _record(family: str, tried: int, failed: list[str]) -> None:
    RESULTS[family] = (tried, len(failed))
    print(f"\n{family:<22} tried {tried:>5}  failed {len(failed)}")
    for case in failed[:10]:
        print(f"    {case}")
    assert not failed, failed[:10]


@pytest.fixture(scope="module")
async def prod(start, settings) -> AsyncIterator[Api]:
    running: RunningServer = await start(production(settings))
    yield running.api
    await running.stop()


def _internal(status: int, body: Any) -> bool:
    if status >= 500:
        return True
    errors = body.get("errors") if isinstance(body, dict) else None
    return any(
        (e.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR" for e in errors or []
    )


async def test_graphql_cop(prod):
    findings = [name for name, check in cop.CHECKS.items() if await check(prod)]
    _record("graphql-cop", len(cop.CHECKS), findings)


def _hostile_documents() -> dict[str, tuple[str, dict[str, Any]]]:
    fragments = "\n".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40)
    )
    return {
        "repeated fields": ("query u1 {" + " ".join(["me{id} me{email}"] * 245) + "}", {}),
        "one field x490": ("{" + " me{id}" * 490 + "}", {}),
        "typename x1000": ("{" + " __typename" * 1000 + "}", {}),
        "directives x650": ("{__typename " + "@x " * 650 + "}", {}),
        "repeated directive": ("{__typename" + " @include(if: true)" * 100 + "}", {}),
        "fragment bomb": ("{ ...F0 }\n" + fragments + "\nfragment F40 on Query { me { id } }", {}),
        "fragments x400": (
            "{"
            + " ".join(f"...F{i}" for i in range(400))
            + "}"
            + "".join(f" fragment F{i} on Query {{ __typename }}" for i in range(400)),
            {},
        ),
        "aliases x1000": ("{" + " ".join(f"a{i}: __typename" for i in range(1000)) + "}", {}),
        "deep selection": ("{" + "me{" * 300 + "id" + "}" * 301, {}),
        "tokens x20000": ("{" + " __typename" * 20000 + "}", {}),
        "huge variables": (
            "query($s: String) { __typename }",
            {"s": "x" * 200_000, "more": ["y"] * 5000},
        ),
    }


async def _median(api: Api, query: str, variables: dict[str, Any]) -> tuple[float, Any]:
    times, body = [], None
    for sample in range(SAMPLES):
        # A text of its own each time (a comment): no cache helps, as for an attacker.
        unique = f"# {time.perf_counter_ns()} {sample}\n{query}"
        started = time.perf_counter()
        response = await api.http.post("/graphql", json={"query": unique, "variables": variables})
        times.append(time.perf_counter() - started)
        body = (
            response.json()
            if response.headers["content-type"].startswith("application/json")
            else {}
        )
    return statistics.median(times), body


async def test_hostile_documents(api):
    baseline, _ = await _median(api, "{me{id}}", {})
    failed = []
    documents = _hostile_documents()
    for name, (query, variables) in documents.items():
        spent, body = await _median(api, query, variables)
        refused = not isinstance(body, dict) or bool(body.get("errors")) or not body
        ratio = spent / baseline
        print(
            f"    {name:<20} {spent * 1000:7.2f} ms, x{ratio:5.2f} the"
            f" {baseline * 1000:.2f} ms of {{me{{id}}}}"
        )
        if not refused or ratio > MAX_RATIO:
            failed.append(f"{name}: refused={refused} ratio={ratio:.1f}")
    _record("hostile documents", len(documents), failed)


async def test_malformed_bodies_and_frames(api):
    bodies = [
        b"null",
        b"12",
        b'"x"',
        b"true",
        b"[]",
        b"{}",
        b'{"query": 1}',
        b'{"query": "\xff"}',
        b"[" * 5000 + b"]" * 5000,
        b'{"query": "{__typename}", "variables": [1]}',
        b'{"query": "{__typename}", "variables": {"a": "\\ud800"}}',
        b"\x00" * 10,
    ]
    failed = []
    for body in bodies:
        response = await api.http.post(
            "/graphql", content=body, headers={"content-type": "application/json"}
        )
        if response.status_code >= 500:
            failed.append(f"body {body[:20]!r}: {response.status_code}")
    frames = [
        "null",
        "12",
        "[1]",
        "{}",
        '{"type": 1}',
        '{"type": "subscribe"}',
        '{"type": "subscribe", "id": "1", "payload": null}',
        '{"type": "subscribe", "id": "1", "payload": []}',
        '{"type": "subscribe", "id": {}, "payload": {"query": "{__typename}"}}',
        "[" * 3000 + "]" * 3000,
        '{"type": "complete", "id": null}',
    ]
    for frame in frames:
        protocols: Any = [WS_PROTOCOL]
        async with websockets.connect(api.ws_url(), subprotocols=protocols) as connection:
            client = WsClient(connection)
            await client.send({"type": "connection_init", "payload": {}})
            await client.ack()
            await connection.send(frame)
            code = await client.closed_with()
        if code != 4400:
            failed.append(f"frame {frame[:30]}: closed with {code}")
    _record("malformed input", len(bodies) + len(frames), failed)


@pytest.fixture  # each family its own: the fuzz signs its tokens out, among other things
async def offices(server, settings, mailbox) -> tuple[Office, Office, dict[str, Any]]:
    api = server.api
    home, foreign = await office(api, settings, mailbox), await office(api, settings, mailbox)
    neighbour = await household(api, mailbox, home.postal_code)
    day = weekday_ahead(10)
    ids = {
        "Client": foreign.client_id,
        "Worker": foreign.worker_id,
        "Intervention": await visit(api, foreign, at(day, 9)),
    }
    await visit(api, home, at(day, 14))
    return home, foreign, {"ids": ids, "neighbour": neighbour}


def _roles(home: Office) -> dict[str, str | None]:
    return {
        "anonymous": None,
        "client": home.client,
        "worker": home.worker,
        "advisor": home.advisor,
        "admin": home.admin,
    }


async def _send(api: Api, call: Any, token: str | None) -> tuple[int, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await api.http.post(
        "/graphql", json={"query": call.document, "variables": call.variables}, headers=headers
    )
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, {}


async def test_hostile_values_in_every_operation(api, offices):
    home, _, _ = offices
    tried, failed, outcomes = 0, [], Counter[str]()
    for case in HOSTILE:
        for role, token in _roles(home).items():
            for call in calls(schema._schema, case):
                tried += 1
                status, body = await _send(api, call, token)
                outcomes[_outcome(status, body)] += 1
                if _internal(status, body):
                    failed.append(f"{call.name} as {role} with {case}: {status} {str(body)[:120]}")
    print("    outcomes:", ", ".join(f"{k} {v}" for k, v in outcomes.most_common()))
    _record("operations fuzz", tried, failed)


@pytest.mark.timeout(900)
async def test_schemathesis(api, offices):
    home, _, _ = offices
    signed_in = await schemathesis_run.roles(
        api, {"client": home.client, "worker": home.worker, "admin": home.admin}
    )
    seed = os.environ.get("SCHEMATHESIS_SEED")
    started = time.perf_counter()
    tally = await schemathesis_run.run(
        api, signed_in, SCHEMATHESIS_BUDGET, int(seed) if seed else None
    )
    print(
        f"    {len(tally.operations)} operations x 3 roles, budget {SCHEMATHESIS_BUDGET},"
        f" {'seed ' + seed if seed else 'derandomized'}, {time.perf_counter() - started:.0f} s"
    )
    print("    outcomes:", tally.line())
    assert tally.outcomes["answered"] > 0  # the cases reach the resolvers
    _record("schemathesis", tally.tried, tally.failed)


def _outcome(status: int, body: Any) -> str:
    if status != 200 or not isinstance(body, dict):
        return f"HTTP {status}"
    if body.get("errors"):
        return str((body["errors"][0].get("extensions") or {}).get("code"))
    return "answered"


def _leaked(call: Any, body: Any) -> bool:
    if not isinstance(body, dict) or body.get("errors"):
        return False
    found = (body.get("data") or {}).get(call.name)
    if found is None or found == [] or found is False:
        return False
    if isinstance(found, dict):
        if "userErrors" in found:
            return not found["userErrors"]
        if "edges" in found:
            return bool(found["edges"])
    return call.root == "mutation" or bool(found)


async def test_idor_matrix(api, offices):
    home, _, extra = offices
    foreign: dict[str, str] = extra["ids"]
    neighbour = {"Client": extra["neighbour"]["id"]}
    tried, failed = 0, []
    for role, token in _roles(home).items():
        targets = [("foreign agency", foreign)]
        if role == "client":
            targets.append(("foreign household", neighbour))
        for target, ids in targets:
            for kind, gid in ids.items():

                def id_for(
                    name: str, kind: str = kind, gid: str = gid, ids: dict[str, str] = ids
                ) -> str | None:
                    hinted = name.lower().removesuffix("ids").removesuffix("id")
                    return gid if hinted in {"", kind.lower()} else ids.get(hinted.capitalize())

                for call in calls(schema._schema, "sane", id_for, only_with_ids=True):
                    if gid not in json.dumps(call.variables):
                        continue  # the ids it takes name another kind of object
                    tried += 1
                    status, body = await _send(api, call, token)
                    if _internal(status, body) or _leaked(call, body):
                        failed.append(
                            f"{call.name} as {role} on {target} {kind}: {str(body)[:160]}"
                        )
    # The same calls on the viewer's own objects do get through: the matrix is not blind.
    own = {"Client": home.client_id, "Worker": home.worker_id}
    reached = 0
    for call in calls(
        schema._schema, "sane", lambda name: own.get(name[:-2].capitalize()), only_with_ids=True
    ):
        status, body = await _send(api, call, home.admin)
        reached += _leaked(call, body)
    print(f"    own objects reached by the same calls as admin: {reached}")
    assert reached > 0
    for role, token in _roles(home).items():
        if token is not None:  # every role was signed in all along
            assert (await api.data("{ me { id } }", token=token))["me"], role
    _record("IDOR matrix", tried, failed)


async def test_websocket_holders_are_bounded(start, settings):
    running: RunningServer = await start(settings.with_(ws_init_timeout_seconds=0.5))
    failed = []
    try:
        holders = []
        for _ in range(20):
            holders.append(await WsClient.connect(running.api, init=False))
        codes = await asyncio.gather(*(h.closed_with(timeout=5) for h in holders))
        failed += [f"never initialised: closed with {c}" for c in codes if c != 4408]
    finally:
        await running.stop()
    _record("websocket holders", 20, failed)


async def test_postgres_restart():
    # In a process of its own: the ORM of this one stays on the session's database.
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.attack.pg_restart",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 300)
    report = json.loads(out.decode().strip().splitlines()[-1])
    if report.get("skipped"):
        pytest.skip(report["skipped"])
    print(f"    recovered {report['recovered']:.2f} s after the restart")
    _record("postgres restart", report["tried"], report["failed"])


@pytest.mark.timeout(360)
async def test_redis_faults():
    # In a process of its own, with a Redis and two server processes of its own; it bounds
    # its own run (RUN_SECONDS) and stops them all.
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.attack.redis_faults", stdout=asyncio.subprocess.PIPE
    )
    try:
        out, _ = await asyncio.wait_for(process.communicate(), 330)
    except TimeoutError:
        process.kill()
        raise
    report = json.loads(out.decode().strip().splitlines()[-1])
    if report.get("skipped"):
        pytest.skip(report["skipped"])
    for line in report["faults"]:
        print(f"    {line}")
    figures = report["figures"]
    if figures:
        print(
            f"    {figures['events']} arrival events, {figures['deliveries']} deliveries "
            f"checked; {figures['retried']} check-ins sent again; resumed: {figures['resumes']}; "
            f"{figures['seconds']} s of check-ins, drained {figures['drained']} s after"
        )
    _record("redis faults", report["tried"], report["failed"])
