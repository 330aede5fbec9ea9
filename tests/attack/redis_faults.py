"""`make attack`'s Redis family, run in a process of its own (tests/attack/long_run.py).

A Redis of its own (tests/attack/own_redis.py), two Passage server processes on one
database (a SQLite file, or a scratch PostgreSQL database with TEST_DATABASE_URL) and
that Redis, and live-event followers on both (tests/attack/followers.py): an agency
dashboard and four households each. 1,000 check-ins go over HTTP, alternating between
the processes, each with its idempotency key; a check-in that gets no answer is sent
again with the same key, to the other process. Meanwhile Redis is killed (SIGKILL) and
started again twice, and one server process is killed and started again on its port.
Then every follower must have received every event of its audience in the log that
`interventionEvents` carries, once and in order; every check-in must be in the log once.

Prints one JSON line: tried (the check-ins), failed (one line per failed check-in or
missing fault), and figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, cast

import httpx

from bench import common
from bench.fanout import World, seed
from models.accounts.people import Client
from models.enums import INTERVENTION_EVENT_TYPES, EventType
from models.events import Event
from schema.core.ids import from_global_id
from subscriptions.hub import scope_of
from tests.attack.followers import Follower, judge
from tests.attack.own_redis import OwnRedis

CHECK_INS = 1000
RATE = 25.0  # check-ins per second offered: the faults fall in the middle of the stream
CONCURRENCY = 16
ATTEMPTS = 8
REQUEST_TIMEOUT = 10.0
# After the named number of check-ins succeeded: Redis down, a process restarted, Redis down.
REDIS_DOWN_AT = (200, 700)
RESTART_AT = 450
REDIS_DOWN_SECONDS = 1.5
DRAIN_SECONDS = 30.0
HOUSEHOLDS = 8
RUN_SECONDS = 300  # the whole run, set-up included: past it, a failure (and all stopped)


class Progress:
    def __init__(self) -> None:
        self.done = 0
        self.retried = 0
        self.over = False
        self._changed = asyncio.Event()

    def one_more(self) -> None:
        self.done += 1
        self._changed.set()

    def end(self) -> None:
        self.over = True
        self._changed.set()

    async def reach(self, count: int) -> bool:
        """Waits for `count` check-ins; False when they ended short of it (a fault skipped)."""
        while self.done < count and not self.over:
            self._changed.clear()
            await self._changed.wait()
        return self.done >= count


async def _check_in(
    http: list[httpx.AsyncClient], index: int, visit: str, token: str, progress: Progress
) -> str | None:
    """One check-in, sent again (same key, the other process) until answered; an error."""
    body = {
        "query": common.CHECK_IN,
        "variables": {"input": {"interventionId": visit, "idempotencyKey": f"attack-{index}"}},
    }
    headers = {"authorization": f"Bearer {token}"}
    last = ""
    for attempt in range(ATTEMPTS):
        if attempt:
            progress.retried += 1
            await asyncio.sleep(0.3)
        try:
            response = await http[(index + attempt) % 2].post(
                "/graphql", json=body, headers=headers
            )
            answer = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            last = repr(exc)
            continue
        check_in = (answer.get("data") or {}).get("checkIn") or {}
        status = (check_in.get("intervention") or {}).get("status")
        if not answer.get("errors") and not check_in.get("userErrors") and status == "IN_PROGRESS":
            progress.one_more()
            return None
        last = f"{response.status_code} {str(answer)[:200]}"
    return f"check-in {index} ({visit}) never answered: {last}"


async def _drive(urls: list[str], world: World, progress: Progress) -> list[str]:
    gate = asyncio.Semaphore(CONCURRENCY)
    loop = asyncio.get_running_loop()
    started = loop.time()
    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with contextlib.AsyncExitStack() as stack:
        http = [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT, limits=limits)
            )
            for url in urls
        ]

        async def one(index: int, visit: str, token: str) -> str | None:
            await asyncio.sleep(max(0.0, started + index / RATE - loop.time()))
            async with gate:
                return await _check_in(http, index, visit, token, progress)

        try:
            outcomes = await asyncio.gather(
                *(one(i, visit, token) for i, (visit, _, token) in enumerate(world.visits))
            )
        finally:
            progress.end()
    return [o for o in outcomes if o is not None]


class Faults:
    """Redis killed twice and one server process killed, each started again."""

    def __init__(self, redis: OwnRedis, servers: list[common.ServerProcess]) -> None:
        self.redis = redis
        self.servers = servers
        self.restarts = 0
        self.log: list[str] = []
        self.started = time.monotonic()

    def _say(self, what: str, progress: Progress) -> None:
        at = time.monotonic() - self.started
        self.log.append(f"{at:5.1f} s, after {progress.done} check-ins: {what}")

    async def _redis_down(self, progress: Progress) -> None:
        self.redis.kill()
        self._say("Redis killed", progress)
        await asyncio.sleep(REDIS_DOWN_SECONDS)
        await asyncio.to_thread(self.redis.start)
        self._say("Redis back", progress)

    async def _restart(self, progress: Progress, which: int) -> None:
        old = self.servers[which]
        old.kill()
        self._say(f"process {'AB'[which]} killed", progress)
        new = common.ServerProcess(
            "graphql", old.database_url, old.broadcast_url, old.log_level, port=old.port
        )
        self.servers[which] = new
        await asyncio.to_thread(new.wait_ready)
        self.restarts += 1
        self._say(f"process {'AB'[which]} serving again", progress)

    async def run(self, progress: Progress) -> None:
        """Redis's outages and the restart go their own ways: a slow restart may overlap
        the second outage, it does not push it past the end of the check-ins."""

        async def redis() -> None:
            for count in REDIS_DOWN_AT:
                if await progress.reach(count):
                    await self._redis_down(progress)

        async def restart() -> None:
            if await progress.reach(RESTART_AT):
                await self._restart(progress, 1)

        await asyncio.gather(redis(), restart())


async def _followers(world: World, ws: list[str]) -> list[Follower]:
    both = [ws, ws[::-1]]
    first = await Client.get(id=from_global_id(world.client_gids[0])[1])
    agency = f"agency:{first.agency_id}"
    followers = [
        Follower(f"dashboard@{'AB'[p]}", world.staff_token, both[p], agency) for p in (0, 1)
    ]
    for i in range(HOUSEHOLDS):
        client = f"client:{from_global_id(world.client_gids[i])[1]}"
        followers.append(
            Follower(f"household {i}@{'AB'[i % 2]}", world.client_tokens[i], both[i % 2], client)
        )
    return followers


async def _expected(follower: Follower) -> list[int]:
    """The events `interventionEvents` owes the follower: its audience's, of the types that
    subscription carries. The log holds others in the same audience (a check-in ahead of
    the agency's allowance also writes a staff-only ANOMALY_FLAGGED, for `anomalyEvents`)."""
    query = Event.filter(
        scope_of(follower.channel),
        id__gt=follower.start or 0,
        type__in=INTERVENTION_EVENT_TYPES,
    )
    return cast(list[int], await query.order_by("id").values_list("id", flat=True))


async def _drain(followers: list[Follower]) -> float:
    started = time.monotonic()
    while time.monotonic() - started < DRAIN_SECONDS:
        pending = [f for f in followers if set(await _expected(f)) - set(f.received)]
        if not pending:
            break
        await asyncio.sleep(0.2)
    drained = time.monotonic() - started
    await asyncio.sleep(1.0)  # anything arriving twice arrives now
    return drained


async def _verify(followers: list[Follower], world: World) -> tuple[list[str], dict[str, Any]]:
    """One line per event and fault (lost, twice, out of order), naming every follower hit."""
    failed: dict[tuple[int, str], list[str]] = {}  # (event, kind): the followers
    delivered = 0
    for follower in followers:
        verdict = judge(await _expected(follower), follower.received)
        delivered += len(verdict.expected) - len(verdict.lost)
        for kind, ids in (
            ("lost", verdict.lost),
            ("duplicated", verdict.duplicated),
            ("out of order", verdict.out_of_order),
            ("not in its audience", verdict.foreign),
        ):
            for event_id in ids:
                failed.setdefault((event_id, kind), []).append(follower.name)
    visits = [from_global_id(gid)[1] for gid, _, _ in world.visits]
    arrived = await Event.filter(type=EventType.ARRIVED, intervention_id__in=visits).values_list(
        "intervention_id", flat=True
    )
    arrivals = Counter(cast(list[int], arrived))
    lines = [
        f"event {event_id}: {kind} at {', '.join(names)}"
        for (event_id, kind), names in sorted(failed.items())
    ]
    lines += [f"visit {pk}: {arrivals[pk]} arrival events" for pk in visits if arrivals[pk] != 1]
    return lines, {"deliveries": delivered, "events": sum(arrivals.values())}


async def _run(database_url: str, redis: OwnRedis) -> dict[str, Any]:
    world = await seed(database_url, HOUSEHOLDS, CHECK_INS, workers=20)
    redis.start()
    servers = [common.ServerProcess("graphql", database_url, redis.url, "WARNING") for _ in "AB"]
    tasks: list[asyncio.Task[None]] = []
    try:
        for server in servers:
            await asyncio.to_thread(server.wait_ready)
        async with common.orm(database_url):
            ws = [s.url.replace("http://", "ws://") + "/graphql" for s in servers]
            followers = await _followers(world, ws)
            tasks = [asyncio.create_task(f.run(), name=f.name) for f in followers]
            await asyncio.wait_for(asyncio.gather(*(f.ready.wait() for f in followers)), 60)
            progress, faults = Progress(), Faults(redis, servers)
            started = time.monotonic()
            failed, _ = await asyncio.gather(
                _drive([s.url for s in servers], world, progress), faults.run(progress)
            )
            driven = time.monotonic() - started
            drained = await _drain(followers)
            lost, figures = await _verify(followers, world)
        failed += lost
        if redis.kills != 2 or faults.restarts != 1:
            failed.append(f"faults: Redis killed {redis.kills}, restarts {faults.restarts}")
        if not any(f.resumes for f in followers):
            failed.append("no follower had to resume: the restart dropped nobody")
        return {
            "tried": CHECK_INS,
            "failed": failed,
            "faults": faults.log,
            "figures": figures
            | {
                "seconds": round(driven, 1),
                "drained": round(drained, 1),
                "retried": progress.retried,
                "resumes": {f.name: f.resumes for f in followers if f.resumes},
                "notes": [n for f in followers for n in f.notes[:3]][:12],
            },
        }
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for server in servers:
            server.stop()


async def main() -> dict[str, Any]:
    common.raise_open_files()
    if shutil.which("redis-server") is None:
        return {"skipped": "redis-server is not installed"}
    database = os.environ.get("TEST_DATABASE_URL") or None
    with tempfile.TemporaryDirectory(prefix="passage-redis-") as directory:
        redis = OwnRedis(Path(directory))
        try:
            async with common.scratch_database(database) as database_url:
                return await asyncio.wait_for(_run(database_url, redis), RUN_SECONDS)
        except TimeoutError:
            failed = [f"the run took more than {RUN_SECONDS} s"]
            return {"tried": CHECK_INS, "failed": failed, "faults": [], "figures": None}
        finally:
            redis.stop()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
