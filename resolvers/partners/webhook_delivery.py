"""Delivering the event log to partners' webhook endpoints, at least once, in log order.

Each process runs one `Deliverer`. It claims endpoints that have work (new events of
their agency past their cursor, or deliveries waiting, and no retry time ahead), in one
statement that skips rows another process holds (SKIP LOCKED on PostgreSQL; SQLite has
one writer), and serves each claimed endpoint in a task of its own, up to
WEBHOOK_CONCURRENCY at once, so a slow endpoint never delays another
(resolvers/partners/webhook_turn.py). A failure puts the endpoint off until its retry
time (exponential backoff with jitter); past the failure window it is disabled and its
agency's ADMINs told (webhook_failures.py).

A claim holds the endpoint for CLAIM_SECONDS; no request starts unless its timeout
still fits in the claim, so another process never sends while this one may. Woken by
every event on the bus, the loop also looks every WEBHOOK_POLL_SECONDS; it reads
before it claims, so a wake with nothing to claim costs no write.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import time
from datetime import datetime, timedelta
from typing import Any

from models.webhooks import WebhookDeliveryStatus, WebhookEndpoint
from resolvers.core.runtime import Runtime
from resolvers.partners.webhook_turn import CursorMoved, Turn
from services.clock import utcnow
from services.sealing import Sealer
from services.waiting import woken
from services.webhook_http import WebhookClient
from subscriptions.events import STREAM

log = logging.getLogger("passage.webhooks")

CLAIM_SECONDS = 120
# Woken by an event, the loop waits this long first, so a burst is claimed together...
GATHER_SECONDS = 0.005
# ...and, woken again and again (every check-in of a busy hour wakes it), claims at most
# once in this time: the peek is a statement, and most events concern no endpoint.
CLAIM_INTERVAL_SECONDS = 0.05


def _statements(
    now: str, pending: str, limit: str, token: str, until: str, lock: str
) -> tuple[str, str]:
    """(peek, claim) in a dialect's placeholders. Endpoints with work: enabled, of an
    application not disabled, due, not held, with events of their agency past the cursor
    or deliveries waiting."""
    where = (
        f"e.disabled_at IS NULL AND e.next_attempt_at <= {now} "  # noqa: S608
        f"AND (e.claimed_until IS NULL OR e.claimed_until < {now}) "
        "AND NOT EXISTS (SELECT 1 FROM partner_application a "
        "WHERE a.id = e.application_id AND a.disabled_at IS NOT NULL) "
        "AND (e.cursor < COALESCE("
        "(SELECT MAX(v.id) FROM event v WHERE v.agency_id = e.agency_id), 0) "
        "OR EXISTS (SELECT 1 FROM webhook_delivery d "
        f"WHERE d.endpoint_id = e.id AND d.status = {pending}))"
    )
    peek = f"SELECT e.id FROM webhook_endpoint e WHERE {where} LIMIT 1"  # noqa: S608
    claim = (
        f"UPDATE webhook_endpoint SET claim = {token}, claimed_until = {until} "  # noqa: S608
        f"WHERE id IN (SELECT e.id FROM webhook_endpoint e WHERE {where} "
        f"ORDER BY e.next_attempt_at LIMIT {limit}{lock}) RETURNING id"
    )
    return peek, claim


# Values bound: PostgreSQL (now, pending, limit, token, until) by number; SQLite in order
# of appearance (token, until, now, now, pending, limit; the peek: now, now, pending).
_SQL = {
    "postgres": _statements("$1", "$2", "$3", "$4", "$5", " FOR UPDATE OF e SKIP LOCKED"),
    "sqlite": _statements("?", "?", "?", "?", "?", ""),
}


async def _claim(token: str, limit: int) -> list[WebhookEndpoint]:
    db = WebhookEndpoint._meta.db
    dialect = db.capabilities.dialect
    now = utcnow()
    pending = WebhookDeliveryStatus.PENDING.value
    peek: list[Any] = [now, pending] if dialect == "postgres" else [now, now, pending]
    peek_sql, claim_sql = _SQL[dialect]
    if not await db.execute_query_dict(peek_sql, peek):
        return []  # nothing to do: no write
    until = now + timedelta(seconds=CLAIM_SECONDS)
    params: list[Any] = (
        [now, pending, limit, token, until]
        if dialect == "postgres"
        else [token, until, now, now, pending, limit]
    )
    rows = await db.execute_query_dict(claim_sql, params)
    if not rows:
        return []
    ids = [int(row["id"]) for row in rows]
    return await WebhookEndpoint.filter(id__in=ids, claim=token).order_by("id")


def backoff(settings_base: float, settings_max: float, attempts: int) -> timedelta:
    """Delay after the `attempts`-th failure: base, 2 x base, 4 x base... at most the cap,
    half of it fixed and half random, so endpoints that failed together do not retry
    together."""
    ceiling = min(settings_max, settings_base * 2 ** max(0, attempts - 1))
    return timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))  # noqa: S311


class Deliverer:
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        settings = rt.settings
        self.client = WebhookClient(
            settings.webhook_timeout_seconds, allow_loopback=settings.webhook_allow_loopback
        )
        self.sealer = Sealer(settings.data_encryption_key, settings.secret_key)
        self._wake = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        settings = self.rt.settings
        if settings.webhook_concurrency == 0:
            return  # this process delivers none (others do)

        async def on_event(message: str) -> None:
            self._wake.set()

        self.rt.bus.listen(STREAM, on_event)
        loop = asyncio.get_running_loop()
        try:
            while True:
                claimed = 0
                last_claim = loop.time()
                try:
                    claimed = await self.claim_and_start()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("webhook claim failed; retrying")
                if claimed:
                    continue
                await woken(self._wake, settings.webhook_poll_seconds)
                next_claim = last_claim + CLAIM_INTERVAL_SECONDS - loop.time()
                await asyncio.sleep(max(GATHER_SECONDS, next_claim))
                self._wake.clear()
        finally:
            for task in list(self._tasks):
                task.cancel()
            for task in list(self._tasks):
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await self.client.aclose()

    async def claim_and_start(self) -> int:
        """Claims endpoints with work, as many as there are free slots; serves each in a task."""
        free = self.rt.settings.webhook_concurrency - len(self._tasks)
        if free <= 0:
            return 0
        token = secrets.token_hex(16)
        endpoints = await _claim(token, free)
        for endpoint in endpoints:
            task = asyncio.create_task(self.serve(endpoint, token), name="webhook-endpoint")
            self._tasks.add(task)
            task.add_done_callback(self._done)
        return len(endpoints)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._wake.set()  # a slot is free, and the endpoint may have more

    async def serve(self, endpoint: WebhookEndpoint, token: str) -> None:
        """One turn of one endpoint; the claim is released whatever happens."""
        last_start = time.monotonic() + CLAIM_SECONDS - self.client.timeout_seconds - 5
        turn = Turn(self.rt, self.client, self.sealer, endpoint, token, self._retry_at)
        try:
            await turn.run(last_start)
        except CursorMoved:
            pass  # a replay: the next turn starts from the new cursor
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("webhook endpoint %s: turn failed", endpoint.id)
        finally:
            with contextlib.suppress(Exception):
                await WebhookEndpoint.filter(id=endpoint.id, claim=token).update(
                    claim=None, claimed_until=None
                )

    def _retry_at(self, attempts: int, now: datetime) -> datetime:
        settings = self.rt.settings
        delay = backoff(
            settings.webhook_retry_base_seconds, settings.webhook_retry_max_seconds, attempts
        )
        return now + delay
