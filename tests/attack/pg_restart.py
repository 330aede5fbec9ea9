"""`make attack`'s PostgreSQL family, run in a process of its own (tests/attack/long_run.py).

A cluster of its own (tests/attack/own_postgres.py) is stopped under a running server:
every request during the outage must get SERVICE_UNAVAILABLE (never a 5xx or an internal
error) and /readyz 503; once the cluster is back, requests must succeed within 5 s.
Prints one JSON line: tried, failed, recovered (seconds).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from models.db import close_db, init_db, migrate_db
from services.config import Settings
from tests.attack.own_postgres import OwnPostgres
from tests.conftest import start_server
from tests.factories import SECRET

# Reads the database, and answers without errors (a user error) while it is up.
QUERY = 'mutation { logIn(input: {email: "personne@example.com", password: "x"}) { token } }'
OUTAGE_REQUESTS = 10
RECOVERY_SECONDS = 5.0


async def _outage(api: Any, cluster: OwnPostgres) -> tuple[int, list[str], float]:
    tried, failed = 0, []
    cluster.stop()
    for _ in range(OUTAGE_REQUESTS):
        tried += 2
        response = await api.http.post("/graphql", json={"query": QUERY})
        body = response.json()
        codes = [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]
        if response.status_code >= 500 or codes != ["SERVICE_UNAVAILABLE"]:
            failed.append(f"during the outage: {response.status_code} {str(body)[:160]}")
        if (await api.http.get("/readyz")).status_code != 503:
            failed.append("readyz did not answer 503 during the outage")
    cluster.start()
    started = time.perf_counter()
    tried += 1
    while (await api.gql(QUERY)).get("errors"):
        if time.perf_counter() - started > RECOVERY_SECONDS:
            failed.append(f"not recovered within {RECOVERY_SECONDS} s")
            break
        await asyncio.sleep(0.05)
    return tried, failed, time.perf_counter() - started


async def main() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="passage-pg-") as directory:
        try:
            cluster = OwnPostgres(Path(directory))
            cluster.init()
            cluster.start()
        except (RuntimeError, KeyError, OSError, subprocess.SubprocessError) as exc:
            return {"skipped": f"no PostgreSQL cluster of our own: {exc!r}"}
        try:
            settings = Settings(
                environment="development",
                database_url=cluster.url,
                secret_key=SECRET,
                public_url="http://passage.test",
                argon2_memory_kib=1024,
                argon2_time_cost=1,
                login_max_failures_per_account=10_000,
                login_max_failures_per_address=10_000,
            )
            await migrate_db(cluster.url)
            await init_db(cluster.url)
            running = await start_server(settings)
            try:
                assert not (await running.api.gql(QUERY)).get("errors")
                tried, failed, recovered = await _outage(running.api, cluster)
            finally:
                await running.stop()
                await close_db()
        finally:
            cluster.stop()
    return {"tried": tried, "failed": failed, "recovered": recovered}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
