"""Read throughput: every document of the corpus, Passage against PostGraphile 4.

    .venv/bin/python -m bench.reads [--database postgres://root@127.0.0.1:5432/test]
        [--seconds 3] [--rounds 3] [--concurrency 8] [--only NAME[,NAME…]]

One run seeds a fresh PostgreSQL database with the corpus's agency (bench/documents),
serves the real app in production mode (bench/serve.py) and PostGraphile 4 over the same
database (bench/postgraphile_serve.js: no authentication, no mutations, the connection
filter), each in a process of its own. For every document it sends Passage's document
(bench/documents/NAME.graphql, as its viewer) and PostGraphile's equivalent
(bench/documents/postgraphile/NAME.graphql, the viewer's scope written as conditions),
checks both answer the same rows, then loads them in turn, round after round, over N
keep-alive connections (bench/loader.py). It prints, per document, the requests/s of
each and the ratio Passage / PostGraphile, each server's median latency and CPU per
request, and the CPU per request of the PostgreSQL processes while each was loaded (the
database shares the machine's cores: its share is part of what a request costs); then
the floor (a signed-in `{ __typename }` on both, and the same answer from a bare ASGI app
under uvicorn, bench/serve.py: uvicorn's own share); then the lowest ratio.

The first run installs postgraphile@4 with npm into bench/.postgraphile/ (git-ignored).

    .venv/bin/python -m bench.reads --embedded [--database postgres://…]

The same corpus on the embedded default (a SQLite file) instead: every document loaded on
the app, and the three heaviest ones a hand-written endpoint answers (bench/baseline.py:
the day board, the calendar with ratings, the invoices with their lines) loaded on both,
after checking both answer the same JSON data; prints the ratio app / hand-written
(target >= 0.6).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import contextlib
import json
import os
import re
import signal
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench import common, loader
from bench.documents import BY_NAME, CORPUS, HELP_SEARCH, HERE, Document, World, seed

POSTGRAPHILE_DIR = common.ROOT / "bench" / ".postgraphile"
POSTGRAPHILE_PACKAGES = ["postgraphile@4.14.1", "postgraphile-plugin-connection-filter@2.3.0"]
SERVE_JS = common.ROOT / "bench" / "postgraphile_serve.js"
DEFAULT_DATABASE = "postgres://root@127.0.0.1:5432/test"


# --------------------------------------------------------------------------- PostGraphile


def _day(day: datetime) -> dict[str, Any]:
    return {"from": day.isoformat(), "to": (day + timedelta(days=1)).isoformat()}


def _month(world: World) -> dict[str, Any]:
    return {"from": world.calendar_from.isoformat(), "to": world.calendar_to.isoformat()}


def _search_words(world: World) -> list[dict[str, Any]]:
    from services import search_text

    return [{"searchText": {"includes": f" {w}"}} for w in search_text.query_words(HELP_SEARCH)]


# The variables of each PostGraphile document: the viewer's scope as plain ids.
POSTGRAPHILE_VARIABLES: dict[str, Callable[[World], dict[str, Any]]] = {
    "calendar_ratings": lambda w: {"client": w.client_id, **_month(w)},
    "visit_detail": lambda w: {"id": w.visit_id},
    "history": lambda w: {"client": w.client_id},
    "day_board": lambda w: {"agency": w.agency_id, "first": 50, **_day(w.board_day)},
    "pending_requests": lambda w: {"agency": w.agency_id, **_day(w.requests_day)},
    "conversations_waiting": lambda w: {"agency": w.agency_id},
    "invoices": lambda w: {"client": w.client_id, "year": w.year},
    "payment_statement": lambda w: {"client": w.client_id, "year": w.year},
    "help_search": lambda w: {"agency": w.agency_id, "words": _search_words(w)},
    "rating_follow_ups": lambda w: {"agency": w.agency_id},
    "dashboard_first_load": lambda w: {
        "account": w.advisor_account_id,
        "agency": w.agency_id,
        "first": 50,
        **_day(w.board_day),
    },
    "nodes": lambda w: {
        "visit": w.visit_id,
        "request": w.change_request_id,
        "conversation": w.conversation_id,
        "client": w.client_id,
        "worker": w.worker_id,
    },
    "household_home": lambda w: {
        "client": w.client_id,
        "account": w.client_account_id,
        "withRatings": True,
        **_month(w),
    },
    "worker_day": lambda w: {"worker": w.worker_id, "first": 50, **_day(w.board_day)},
}

# How the two answers line up, where their shapes differ: paths renamed before comparing
# (on either side), and documents whose order is the API's own (premium clients first,
# search relevance): compared as multisets.
RENAMES: dict[str, dict[str, str]] = {
    "visit_detail": {
        "intervention.visitBriefing": "visitBriefing",
        "intervention.client.householdProfileByClientId": "visitBriefing.household",
    },
    "conversations_waiting": {
        "conversationsAwaitingReply.conversation": "conversationsAwaitingReply"
    },
    "dashboard_first_load": {
        "conversationsAwaitingReply.conversation": "conversationsAwaitingReply"
    },
}
UNORDERED = {"conversations_waiting", "dashboard_first_load", "help_search"}


def ensure_postgraphile() -> Path:
    """Installs the pinned PostGraphile into bench/.postgraphile/ once; its node_modules."""
    modules = POSTGRAPHILE_DIR / "node_modules"
    if (
        not (modules / "postgraphile" / "package.json").exists()
        or not (modules / "postgraphile-plugin-connection-filter" / "package.json").exists()
    ):
        POSTGRAPHILE_DIR.mkdir(parents=True, exist_ok=True)
        package = POSTGRAPHILE_DIR / "package.json"
        if not package.exists():
            package.write_text('{"name": "passage-bench-postgraphile", "private": true}\n')
        print(f"installing {' '.join(POSTGRAPHILE_PACKAGES)} into {POSTGRAPHILE_DIR}", flush=True)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--save-exact", *POSTGRAPHILE_PACKAGES],
            cwd=POSTGRAPHILE_DIR,
            check=True,
        )
    return modules


class PostGraphileProcess(common.ChildProcess):
    """`node bench/postgraphile_serve.js` in a process of its own, as ServerProcess does."""

    stop_signal = signal.SIGTERM

    def __init__(self, database_url: str, modules: Path) -> None:
        port = common.free_port()
        env = {**os.environ, "NODE_PATH": str(modules), "NODE_ENV": "production"}
        command = ["node", str(SERVE_JS), database_url, str(port)]
        super().__init__("postgraphile", command, port, env)

    def ready(self) -> bool:
        answer = httpx.post(f"{self.url}/graphql", json={"query": "{ __typename }"}, timeout=2)
        return answer.status_code == 200


# --------------------------------------------------------------------------- same rows

GLOBAL_ID = re.compile(r"^[A-Z][A-Za-z]*:\d+$")
DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def _value(value: Any) -> Any:
    """Global ids as their primary key, instants in UTC; the rest as it is."""
    if isinstance(value, str):
        if DATETIME.match(value):
            with contextlib.suppress(ValueError):
                return datetime.fromisoformat(value).astimezone(UTC).isoformat()
        if 4 <= len(value) <= 40 and re.fullmatch(r"[A-Za-z0-9_-]+", value):
            with contextlib.suppress(binascii.Error, UnicodeDecodeError, ValueError):
                decoded = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
                if GLOBAL_ID.match(decoded):
                    return int(decoded.split(":")[1])
    return value


def columns(data: Any, renames: dict[str, str]) -> dict[str, list[Any]]:
    """The answer as columns: each leaf's path (lists, edges and nodes see-through, page
    info and cursors left out) and its values in the answer's order."""
    out: dict[str, list[Any]] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("edges", "node"):
                    walk(item, path)
                elif key not in ("pageInfo", "cursor"):
                    walk(item, f"{path}.{key}" if path else key)
        elif isinstance(value, list):
            for item in value:
                walk(item, path)
        else:
            for old, new in renames.items():
                if path == old or path.startswith(old + "."):
                    path = new + path[len(old) :]
                    break
            out.setdefault(path, []).append(_value(value))

    walk(data, "")
    return out


@dataclass
class Comparison:
    compared: list[str]
    passage_only: list[str]
    differences: list[str]
    ids: int  # values of the compared `id` columns: the rows and objects of the answer


def compare(name: str, ours: Any, theirs: Any) -> Comparison:
    renames = RENAMES.get(name, {})
    left, right = columns(ours, renames), columns(theirs, renames)
    common_paths = sorted(set(left) & set(right))
    differences = []
    for path in common_paths:
        a, b = left[path], right[path]
        if name in UNORDERED:
            a, b = sorted(a, key=repr), sorted(b, key=repr)
        if a != b:
            differences.append(f"{path}: {a[:6]} != {b[:6]} ({len(a)} and {len(b)} values)")
    ids = sum(len(left[p]) for p in common_paths if p == "id" or p.endswith(".id"))
    return Comparison(common_paths, sorted(set(left) - set(right)), differences, ids)


# --------------------------------------------------------------------------- load


@dataclass
class Round:
    requests: int
    seconds: float
    errors: int
    server_cpu: float
    latencies: list[float] = field(default_factory=list)
    database_cpu: float = 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


@dataclass
class Target:
    """One server and the prepared bytes of one document for it."""

    server: Any  # common.ServerProcess | PostGraphileProcess
    body: bytes
    headers: dict[str, str]


async def post(target: Target) -> Any:
    async with httpx.AsyncClient(timeout=60) as http:
        answer = await http.post(
            f"{target.server.url}/graphql",
            content=target.body,
            headers={"content-type": "application/json", **target.headers},
        )
    answer.raise_for_status()
    return answer.json()


async def load(target: Target, concurrency: int, seconds: float) -> Round:
    found = await loader.measure(target.server, target.body, target.headers, concurrency, seconds)
    return Round(
        found.requests,
        found.seconds,
        found.errors,
        found.server_cpu,
        found.latencies,
        found.database_cpu,
    )


async def alternate(
    pair: list[tuple[str, Target]], args: argparse.Namespace
) -> dict[str, list[Round]]:
    """Each target warmed up, then `args.rounds` rounds of each, in alternating order."""
    for _, target in pair:
        await load(target, args.concurrency, args.warmup)
    results: dict[str, list[Round]] = {kind: [] for kind, _ in pair}
    for number in range(args.rounds):
        for kind, target in pair if number % 2 == 0 else pair[::-1]:
            results[kind].append(await load(target, args.concurrency, args.seconds))
    return results


def compared(name: str, ids: str, results: dict[str, list[Round]]) -> float:
    """Prints Passage against PostGraphile for one document; returns the ratio."""
    kinds = ("passage", "postgraphile")
    a, b = (_median([r.rps for r in results[k]]) for k in kinds)
    p50 = [
        1000 * common.percentile([x for r in results[k] for x in r.latencies], 50) for k in kinds
    ]
    cpu = [1000 * _median([r.server_cpu / max(1, r.requests) for r in results[k]]) for k in kinds]
    db = [1000 * _median([r.database_cpu / max(1, r.requests) for r in results[k]]) for k in kinds]
    errors = sum(r.errors for k in results for r in results[k])
    print(
        f"{name:24} {ids:>5} {a:8.1f}/s {b:11.1f}/s "
        f"{a / b:6.2f}  {p50[0]:6.1f} {p50[1]:6.1f}  {cpu[0]:6.2f} {cpu[1]:6.2f}"
        f"  {db[0]:6.2f} {db[1]:6.2f}" + (f"  ERRORS {errors}" if errors else ""),
        flush=True,
    )
    return a / b


def _body(text: str, variables: dict[str, Any]) -> bytes:
    return json.dumps({"query": text, "variables": variables}).encode()


def targets(
    document: Document, world: World, passage: Any, postgraphile: Any
) -> tuple[Target, Target]:
    theirs = (HERE / "postgraphile" / f"{document.name}.graphql").read_text()
    return (
        Target(
            passage,
            _body(document.text, document.variables(world)),
            {"authorization": f"Bearer {world.token(document.viewer)}"},
        ),
        Target(postgraphile, _body(theirs, POSTGRAPHILE_VARIABLES[document.name](world)), {}),
    )


async def check(document: Document, ours: Target, theirs: Target, verbose: bool) -> int:
    """Both answer without errors and the same rows; the number of ids compared."""
    answers = [await post(ours), await post(theirs)]
    for who, answer in zip(("Passage", "PostGraphile"), answers, strict=True):
        if answer.get("errors") or not answer.get("data"):
            raise SystemExit(f"{document.name}: {who} answered errors: {answer.get('errors')}")
    result = compare(document.name, answers[0]["data"], answers[1]["data"])
    if result.differences or result.ids == 0:
        raise SystemExit(
            f"{document.name}: the two answers differ\n  "
            + "\n  ".join(result.differences or ["no rows compared"])
        )
    if verbose:
        print(
            f"  {document.name}: {result.ids} ids, {len(result.compared)} columns the same; "
            f"Passage only: {', '.join(result.passage_only) or '-'}"
        )
    return result.ids


# --------------------------------------------------------------------------- embedded

# The documents bench/baseline.py answers by hand, by their operation name.
HAND_WRITTEN = {
    "day_board": "Day",
    "calendar_ratings": "CalendarWithRatings",
    "invoices": "Invoices",
}
EMBEDDED_TARGET = 0.6


async def embedded(args: argparse.Namespace, documents: list[Document]) -> None:
    database = args.database if args.database != DEFAULT_DATABASE else None
    async with common.scratch_database(database) as database_url:
        async with common.orm(database_url):
            world = await seed()
        passage = common.ServerProcess("graphql", database_url, "memory://", args.log_level)
        baseline = common.ServerProcess("baseline", database_url, "memory://", args.log_level)
        try:
            passage.wait_ready()
            baseline.wait_ready()
            passage.wait_idle()
            print(
                f"database: {database_url.split('://')[0]}; concurrency {args.concurrency}, "
                f"{args.rounds} rounds of {args.seconds:g} s per server and document, "
                f"alternating, after {args.warmup:g} s of warm-up",
                flush=True,
            )
            print(f"\n{'document':24} {'app':>10} {'hand-written':>13} {'ratio':>6}")
            ratios = {}
            for document in documents:
                operation = HAND_WRITTEN.get(document.name)
                body = json.dumps(
                    {
                        "query": document.text,
                        "variables": document.variables(world),
                        **({"operationName": operation} if operation else {}),
                    }
                ).encode()
                headers = {"authorization": f"Bearer {world.token(document.viewer)}"}
                ours = Target(passage, body, headers)
                pair = [("app", ours)]
                answer = await post(ours)
                if answer.get("errors") or not answer.get("data"):
                    raise SystemExit(f"{document.name}: errors {answer.get('errors')}")
                if operation:
                    theirs = Target(baseline, body, headers)
                    other = await post(theirs)
                    if other.get("data") != answer["data"]:
                        raise SystemExit(
                            f"{document.name}: the hand-written answer differs:\n"
                            + json.dumps(answer["data"])[:1500]
                            + "\n---\n"
                            + json.dumps(other.get("data"))[:1500]
                        )
                    pair.append(("hand-written", theirs))
                results = await alternate(pair, args)
                rps = {kind: _median([r.rps for r in rounds]) for kind, rounds in results.items()}
                line = f"{document.name:24} {rps['app']:8.1f}/s"
                if operation:
                    ratios[document.name] = rps["app"] / rps["hand-written"]
                    line += f" {rps['hand-written']:11.1f}/s {ratios[document.name]:6.2f}"
                print(line, flush=True)
            if ratios:
                worst = min(ratios, key=lambda n: ratios[n])
                verdict = "met" if ratios[worst] >= EMBEDDED_TARGET else "MISSED"
                print(
                    f"\nminimum ratio app / hand-written: {ratios[worst]:.2f} ({worst}); "
                    f"target >= {EMBEDDED_TARGET}: {verdict}"
                )
        finally:
            passage.stop()
            baseline.stop()


# --------------------------------------------------------------------------- main


async def floor(world: World, passage: Any, postgraphile: Any, args: argparse.Namespace) -> None:
    """What a request costs before any field: `{ __typename }`, signed in as the household
    on Passage (its session is read, as for every document), to both servers."""
    body = _body("query Floor { __typename }", {})
    ours = Target(passage, body, {"authorization": f"Bearer {world.token('client')}"})
    theirs = Target(postgraphile, body, {})
    results = await alternate([("passage", ours), ("postgraphile", theirs)], args)
    compared("(floor: { __typename })", "", results)
    # uvicorn's own share of that floor: the same answer from a bare ASGI app (bench/serve.py).
    bare = common.ServerProcess("bare", passage.database_url, "memory://", args.log_level)
    try:
        bare.wait_ready()
        rounds = (await alternate([("bare", Target(bare, body, {}))], args))["bare"]
        cpu = 1000 * _median([r.server_cpu / max(1, r.requests) for r in rounds])
        print(
            f"{'(uvicorn alone, bare ASGI)':30} {_median([r.rps for r in rounds]):8.1f}/s"
            f"{'':37}{cpu:6.2f}",
            flush=True,
        )
    finally:
        bare.stop()


def _median(values: list[float]) -> float:
    return common.median(values)


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--database", default=DEFAULT_DATABASE, help="a PostgreSQL URL")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=3.0, help="per round and server")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds per document")
    parser.add_argument("--only", help="document names, comma-separated")
    parser.add_argument("--verbose", action="store_true", help="what was compared")
    parser.add_argument("--log-level", default="WARNING")
    parser.add_argument(
        "--embedded",
        action="store_true",
        help="on SQLite (or --database), against the hand-written endpoint",
    )
    args = parser.parse_args()
    documents = CORPUS
    if args.only:
        unknown = [n for n in args.only.split(",") if n not in BY_NAME]
        if unknown:
            raise SystemExit(f"unknown documents {unknown}; known: {', '.join(BY_NAME)}")
        documents = [BY_NAME[n] for n in args.only.split(",")]
    common.raise_open_files()
    if args.embedded:
        print(f"machine: {common.machine()}")
        await embedded(args, documents)
        return
    if not args.database.startswith("postgres"):
        raise SystemExit("PostGraphile needs PostgreSQL: --database postgres://…")
    modules = ensure_postgraphile()
    print(f"machine: {common.machine()}")

    async with common.scratch_database(args.database) as database_url:
        async with common.orm(database_url):
            world = await seed()
        passage = common.ServerProcess("graphql", database_url, "memory://", args.log_level)
        postgraphile = PostGraphileProcess(database_url, modules)
        try:
            passage.wait_ready()
            postgraphile.wait_ready()
            # A fresh server finishes its start-up (imports, jobs' first pass) before any
            # measure.
            passage.wait_idle()
            pairs = {d.name: targets(d, world, passage, postgraphile) for d in documents}
            rows = {}
            for document in documents:
                rows[document.name] = await check(document, *pairs[document.name], args.verbose)
            print(
                f"{len(documents)} documents, both servers answer the same rows; "
                f"concurrency {args.concurrency}, {args.rounds} rounds of {args.seconds:g} s "
                f"per server and document, alternating, after {args.warmup:g} s of warm-up",
                flush=True,
            )
            print(
                f"\n{'document':24} {'ids':>5} {'Passage':>10} {'PostGraphile':>13} {'ratio':>6}"
                f"  {'p50 ms':>13}  {'CPU ms/req':>13}  {'DB CPU ms/req':>13}"
            )
            ratios = {}
            for document in documents:
                ours, theirs = pairs[document.name]
                results = await alternate([("passage", ours), ("postgraphile", theirs)], args)
                ratios[document.name] = compared(document.name, str(rows[document.name]), results)
            await floor(world, passage, postgraphile, args)
            worst = min(ratios, key=lambda n: ratios[n])
            print(
                f"\nminimum ratio Passage / PostGraphile: {ratios[worst]:.2f} ({worst}); "
                f"median {_median(list(ratios.values())):.2f}"
            )
        finally:
            passage.stop()
            postgraphile.stop()


if __name__ == "__main__":
    asyncio.run(main())
