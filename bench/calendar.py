"""Calendar throughput: the contract's Calendar query against a hand-written baseline.

    .venv/bin/python -m bench.calendar [--database postgres://root@127.0.0.1:5432/test]
        [--concurrency 8] [--seconds 5] [--rounds 3] [--viewer client|worker|staff]
        [--unplanned]

One run seeds a fresh database (an agency, a worker, a client, 50 visits in one day),
serves the real app and a plain Starlette endpoint (bench/baseline.py) from the same
database, each under uvicorn in a process of its own, checks they answer the same JSON,
then loads them in turn, round after round, over N keep-alive connections
(bench/loader.py). It prints requests/s, p50/p99 latency and server CPU per request
for both, and the ratio GraphQL / baseline. Target: GraphQL at no less than 50 % of
the baseline's throughput.
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # `python bench/calendar.py`: this file must not shadow stdlib `calendar`
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bench import common, loader

VISITS = 50


@dataclass
class Round:
    kind: str
    requests: int
    seconds: float
    latencies: list[float]
    server_cpu: float
    client_cpu: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.server_cpu / max(1, self.requests)


async def seed(database_url: str, viewer: str) -> tuple[str, dict[str, Any]]:
    """The data of one day and the bearer token of the viewer; returns (token, variables)."""
    from models.enums import InterventionStatus
    from models.visits.visits import Intervention

    async with common.orm(database_url):
        agency_id = await common.agency()
        (client, address_id), *_ = await common.clients(agency_id, 1)
        worker, *_ = await common.workers(agency_id, 1)
        advisor = await common.staff(agency_id)
        service_id = await common.service_type_id()
        # A day a week ahead: the lateness loop leaves it alone during the run.
        day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        day += timedelta(days=7)
        visits = []
        for i in range(VISITS):
            start = day + timedelta(hours=6, minutes=15 * i)
            end = start + timedelta(hours=2)
            # A mix of states, so both null and non-null times are serialised.
            status, checked_in, checked_out = InterventionStatus.SCHEDULED, None, None
            if i < 10:
                status = InterventionStatus.COMPLETED
                checked_in, checked_out = start + timedelta(minutes=3), end - timedelta(minutes=7)
            elif i < 15:
                status, checked_in = InterventionStatus.IN_PROGRESS, start + timedelta(minutes=1)
            visits.append(
                Intervention(
                    agency_id=agency_id,
                    client_id=client.record_id,
                    address_id=address_id,
                    worker_id=worker.record_id,
                    service_type_id=service_id,
                    scheduled_start=start,
                    scheduled_end=end,
                    status=status,
                    checked_in_at=checked_in,
                    checked_out_at=checked_out,
                    instructions="Clé chez la gardienne." if i % 3 == 0 else "",
                )
            )
        await Intervention.bulk_create(visits)
    token = {"client": client.token, "worker": worker.token, "staff": advisor.token}[viewer]
    variables = {
        "from": day.isoformat(),
        "to": (day + timedelta(days=1)).isoformat(),
        "first": VISITS,
    }
    return token, variables


def _body(variables: dict[str, Any]) -> bytes:
    return json.dumps(
        {"query": common.CALENDAR, "variables": variables, "operationName": "Calendar"}
    ).encode()


async def check_same_answer(
    graphql: common.ServerProcess,
    baseline: common.ServerProcess,
    headers: dict[str, str],
    body: bytes,
) -> dict[str, Any]:
    async with httpx.AsyncClient(headers=headers, timeout=30) as http:
        answers = []
        for server in (graphql, baseline):
            response = await http.post(f"{server.url}/graphql", content=body)
            response.raise_for_status()
            answers.append(response.json())
    ours, theirs = answers
    if ours.get("errors"):
        raise SystemExit(f"GraphQL answered errors: {ours['errors']}")
    if ours["data"] != theirs["data"]:
        raise SystemExit(
            "The two answers differ:\n"
            + json.dumps(ours["data"], indent=1)[:2000]
            + "\n---\n"
            + json.dumps(theirs["data"], indent=1)[:2000]
        )
    edges = ours["data"]["interventions"]["edges"]
    if len(edges) != VISITS:
        raise SystemExit(f"expected {VISITS} visits, got {len(edges)}")
    return dict(ours)


async def load(
    server: common.ServerProcess,
    headers: dict[str, str],
    body: bytes,
    concurrency: int,
    seconds: float,
) -> Round:
    authorization = {"authorization": headers["authorization"]}  # the loader sets the type
    found = await loader.measure(server, body, authorization, concurrency, seconds)
    return Round(
        server.kind,
        found.requests,
        found.seconds,
        found.latencies,
        found.server_cpu,
        found.client_cpu,
        found.errors,
    )


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.2f}"


def report_round(number: int, result: Round) -> None:
    print(
        f"  round {number} {result.kind:8} {result.rps:8.1f} req/s  "
        f"p50 {_ms(common.percentile(result.latencies, 50))} ms  "
        f"p99 {_ms(common.percentile(result.latencies, 99))} ms  "
        f"server CPU {result.cpu_ms:5.2f} ms/req "
        f"({100 * result.server_cpu / result.seconds:3.0f} % of a core)  "
        f"load generator CPU {100 * result.client_cpu / result.seconds:3.0f} %"
        + (f"  ERRORS {result.errors}" if result.errors else ""),
        flush=True,
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="postgres://… for a scratch PostgreSQL database")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0, help="per round and server")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds per server")
    parser.add_argument("--viewer", choices=["client", "worker", "staff"], default="client")
    parser.add_argument(
        "--unplanned",
        action="store_true",
        help="also load the app with PLANNED_QUERIES=off (graphql-core's execution only)",
    )
    parser.add_argument("--log-level", default="WARNING", help="of both servers")
    args = parser.parse_args()
    common.raise_open_files()
    print(f"machine: {common.machine()}")

    async with common.scratch_database(args.database) as database_url:
        token, variables = await seed(database_url, args.viewer)
        headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
        body = _body(variables)
        kinds = ["graphql", "baseline"] + (["unplanned"] if args.unplanned else [])
        servers = [
            common.ServerProcess(kind, database_url, "memory://", args.log_level) for kind in kinds
        ]
        try:
            for server in servers:
                server.wait_ready()
            graphql, baseline = servers[:2]
            answer = await check_same_answer(graphql, baseline, headers, body)
            for other in servers[2:]:
                await check_same_answer(other, baseline, headers, body)
            print(
                f"database: {database_url.split('://')[0]}, viewer: {args.viewer}, "
                f"{VISITS} visits, {len(json.dumps(answer))} bytes of JSON; "
                f"both answers have the same data (GraphQL adds "
                f"extensions {answer.get('extensions')})"
            )
            print(
                f"concurrency {args.concurrency}, {args.rounds} rounds of {args.seconds:g} s "
                f"per server, alternating, after {args.warmup:g} s of warm-up each",
                flush=True,
            )
            for server in servers:
                await load(server, headers, body, args.concurrency, args.warmup)
            results: dict[str, list[Round]] = {kind: [] for kind in kinds}
            for number in range(1, args.rounds + 1):
                order = servers if number % 2 else servers[::-1]
                for server in order:
                    result = await load(server, headers, body, args.concurrency, args.seconds)
                    results[server.kind].append(result)
                    report_round(number, result)
            summarise(results)
        finally:
            for server in servers:
                server.stop()


def summarise(results: dict[str, list[Round]]) -> None:
    print("\nmedian of rounds:")
    summary = {}
    for kind, rounds in results.items():
        all_latencies = [x for r in rounds for x in r.latencies]
        summary[kind] = {
            "rps": common.median([r.rps for r in rounds]),
            "p50": common.percentile(all_latencies, 50),
            "p99": common.percentile(all_latencies, 99),
            "cpu": common.median([r.cpu_ms for r in rounds]),
        }
        s = summary[kind]
        print(
            f"  {kind:8} {s['rps']:8.1f} req/s  p50 {_ms(s['p50'])} ms  p99 {_ms(s['p99'])} ms  "
            f"server CPU {s['cpu']:5.2f} ms/req"
        )
    if "unplanned" in summary:
        ratio = summary["unplanned"]["rps"] / summary["baseline"]["rps"]
        cpu_ratio = summary["baseline"]["cpu"] / summary["unplanned"]["cpu"]
        print(
            f"\nwith PLANNED_QUERIES=off (graphql-core only) / baseline throughput: "
            f"{100 * ratio:.0f} %; by server CPU per request: {100 * cpu_ratio:.0f} %"
        )
    ratio = summary["graphql"]["rps"] / summary["baseline"]["rps"]
    cpu_ratio = summary["baseline"]["cpu"] / summary["graphql"]["cpu"]
    verdict = "met" if ratio >= 0.5 else "MISSED"
    print(
        f"\nGraphQL / baseline throughput: {100 * ratio:.0f} % (target >= 50 %: {verdict}); "
        f"by server CPU per request: {100 * cpu_ratio:.0f} %"
    )


if __name__ == "__main__":
    asyncio.run(main())
