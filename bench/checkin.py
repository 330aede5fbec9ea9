"""A check-in's CPU, in process: the whole app, no sockets, one check-in after another.

    .venv/bin/python -m bench.checkin [--count 400] [--rounds 3]
        [--database postgres://root@127.0.0.1:5432/test] [--broadcast redis://127.0.0.1:6379/0]

`bench.fanout` measures a check-in as a household sees it, with thousands of sockets and a
load generator sharing the cores; its CPU figure moves with everything else the machine
does. Here the app (its ASGI stack, middleware, GraphQL, the use case, the outbox and the
webhooks' loops, the event bus) answers check-ins sent straight to it by the same
process, one at a time, and the process's CPU time is divided by their number: what one
check-in costs, background work it causes included. Compare two versions of the code by
running this on each, alternated, on one machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from bench import common
from bench.fanout import seed

WARMUP = 50


async def post(app: Any, body: bytes, token: str) -> tuple[int, bytes]:
    """One POST /graphql through the ASGI app: status and body."""
    sent: list[dict[str, Any]] = []
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"passage.bench"),
            (b"content-type", b"application/json"),
            (b"authorization", f"Bearer {token}".encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--count", type=int, default=400, help="check-ins per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", help="postgres://… for a scratch PostgreSQL database")
    parser.add_argument("--broadcast", default="memory://", help="e.g. redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    print(f"machine: {common.machine()}")
    print(f"database {args.database or 'sqlite (temporary file)'}, bus {args.broadcast}")
    visits = WARMUP + args.count * args.rounds
    async with common.scratch_database(args.database) as database_url:
        world = await seed(database_url, 50, visits, 50)
        settings = common.bench_settings(database_url, args.broadcast, "bench-checkin", "WARNING")
        common.quiet_logging(settings.log_level)
        from app import create_app

        app = create_app(settings)
        pending = iter(world.visits)

        async def check_in() -> None:
            visit, _, token = next(pending)
            variables = {"input": {"interventionId": visit}}
            body = json.dumps({"query": common.CHECK_IN, "variables": variables}).encode()
            status, answer = await post(app, body, token)
            payload = json.loads(answer)
            if status != 200 or payload["data"]["checkIn"]["intervention"] is None:
                raise RuntimeError(f"check-in refused: {status} {answer[:300]!r}")

        async with app.router.lifespan_context(app):
            for _ in range(WARMUP):
                await check_in()
            cpu: list[float] = []
            wall: list[float] = []
            for _ in range(args.rounds):
                started, clock = time.process_time(), time.perf_counter()
                for _ in range(args.count):
                    await check_in()
                cpu.append((time.process_time() - started) / args.count * 1000)
                wall.append((time.perf_counter() - clock) / args.count * 1000)
                print(f"  round: {cpu[-1]:.2f} ms of CPU, {wall[-1]:.2f} ms wall per check-in")
    print(
        f"check-in: median {common.median(cpu):.2f} ms of CPU per check-in "
        f"({common.median(wall):.2f} ms wall), {args.rounds} rounds of {args.count}"
    )


if __name__ == "__main__":
    asyncio.run(main())
