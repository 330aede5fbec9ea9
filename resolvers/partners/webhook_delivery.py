"""Delivering the event log to partners' webhook endpoints, at least once, in log order.

Each process runs one `Deliverer`. It claims endpoints that have work (new events of
their agency past their cursor, or deliveries waiting), in one statement that skips
rows another process holds (SKIP LOCKED on PostgreSQL; SQLite has one writer), and
serves each claimed endpoint in a task of its own: first it takes the new events of the
log (a delivery row for each event of the endpoint's types, the cursor moved past the
others, in one transaction), then it sends the waiting deliveries oldest event first,
one at a time, until one fails. A failure puts the whole endpoint off until its retry
time (exponential backoff with jitter), so later events never overtake it. An endpoint
failing for longer than the failure window is disabled, its waiting deliveries marked
failed, and its agency's ADMINs told.

A claim holds the endpoint for CLAIM_SECONDS; no request starts unless its timeout
still fits in the claim, so another process never sends while this one may.
Woken by every event on the bus, it also looks every WEBHOOK_POLL_SECONDS.
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

from tortoise.transactions import in_transaction

from models.events import Event
from models.webhooks import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint
from resolvers.partners import webhook_failures
from resolvers.partners.webhook_payload import body_of, cursor_of
from resolvers.runtime import Runtime
from services import webhook_signing
from services.clock import utcnow
from services.sealing import Sealer
from services.webhook_http import Outcome, WebhookClient
from subscriptions.events import STREAM

log = logging.getLogger("passage.webhooks")

CLAIM_SECONDS = 120
# Events read from the log at once, and deliveries sent in one turn of an endpoint.
PUMP_BATCH = 500
TURN = 200
# Woken by an event, the loop waits this long first, so a burst is claimed together.
GATHER_SECONDS = 0.005

_CLAIM = {
    "postgres": "UPDATE webhook_endpoint SET claim = $1, claimed_until = $2 WHERE id IN ("
    "SELECT e.id FROM webhook_endpoint e WHERE e.disabled_at IS NULL "
    "AND e.next_attempt_at <= $3 AND (e.claimed_until IS NULL OR e.claimed_until < $3) "
    "AND (e.cursor < COALESCE((SELECT MAX(v.id) FROM event v WHERE v.agency_id = e.agency_id), 0)"
    " OR EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.endpoint_id = e.id "
    "AND d.status = $4)) ORDER BY e.next_attempt_at LIMIT $5 FOR UPDATE OF e SKIP LOCKED) "
    "RETURNING id",
    "sqlite": "UPDATE webhook_endpoint SET claim = ?, claimed_until = ? WHERE id IN ("
    "SELECT e.id FROM webhook_endpoint e WHERE e.disabled_at IS NULL "
    "AND e.next_attempt_at <= ? AND (e.claimed_until IS NULL OR e.claimed_until < ?) "
    "AND (e.cursor < COALESCE((SELECT MAX(v.id) FROM event v WHERE v.agency_id = e.agency_id), 0)"
    " OR EXISTS (SELECT 1 FROM webhook_delivery d WHERE d.endpoint_id = e.id "
    "AND d.status = ?)) ORDER BY e.next_attempt_at LIMIT ?) "
    "RETURNING id",
}


async def _claim(token: str, limit: int) -> list[WebhookEndpoint]:
    db = WebhookEndpoint._meta.db
    now = utcnow()
    until = now + timedelta(seconds=CLAIM_SECONDS)
    pending = WebhookDeliveryStatus.PENDING.value
    dialect = db.capabilities.dialect
    params: list[Any] = (
        [token, until, now, pending, limit]
        if dialect == "postgres"
        else [token, until, now, now, pending, limit]
    )
    rows = await db.execute_query_dict(_CLAIM[dialect], params)
    if not rows:
        return []
    ids = [int(row["id"]) for row in rows]
    return await WebhookEndpoint.filter(id__in=ids, claim=token).order_by("id")


class _CursorMoved(Exception):
    """The endpoint's cursor changed under this turn (a replay): its batch is dropped."""


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
        try:
            while True:
                claimed = 0
                try:
                    claimed = await self.claim_and_start()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("webhook claim failed; retrying")
                if claimed:
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), settings.webhook_poll_seconds)
                await asyncio.sleep(GATHER_SECONDS)
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
        try:
            try:
                await self._take_new_events(endpoint, token)
            except _CursorMoved:
                return
            for _ in range(TURN):
                if time.monotonic() > last_start:
                    break
                delivery = (
                    await WebhookDelivery.filter(
                        endpoint_id=endpoint.id, status=WebhookDeliveryStatus.PENDING
                    )
                    .order_by("event_id", "id")
                    .first()
                )
                if delivery is None or not await self._attempt(endpoint, delivery):
                    break
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("webhook endpoint %s: turn failed", endpoint.id)
        finally:
            with contextlib.suppress(Exception):
                await WebhookEndpoint.filter(id=endpoint.id, claim=token).update(
                    claim=None, claimed_until=None
                )

    async def _take_new_events(self, endpoint: WebhookEndpoint, token: str) -> None:
        """A delivery row per new event of the endpoint's types; the cursor past them all."""
        wanted = set(endpoint.event_types)
        while True:
            rows = (
                await Event.filter(agency_id=endpoint.agency_id, id__gt=endpoint.cursor)
                .order_by("id")
                .limit(PUMP_BATCH)
                .values("id", "type")
            )
            if not rows:
                return
            now = utcnow()
            async with in_transaction():
                # Compare and set: a replay may have moved the cursor back meanwhile; then
                # nothing of this batch is kept, and the next turn starts from there.
                moved = await WebhookEndpoint.filter(
                    id=endpoint.id, claim=token, cursor=endpoint.cursor
                ).update(cursor=rows[-1]["id"])
                if not moved:
                    raise _CursorMoved()
                taken = [
                    WebhookDelivery(
                        endpoint_id=endpoint.id,
                        event_id=row["id"],
                        event_type=str(row["type"]),
                        created_at=now,
                    )
                    for row in rows
                    if str(row["type"]) in wanted
                ]
                if taken:
                    await WebhookDelivery.bulk_create(taken)
            endpoint.cursor = int(rows[-1]["id"])
            if len(rows) < PUMP_BATCH:
                return

    def signing_secrets(self, endpoint: WebhookEndpoint, now: datetime) -> list[str]:
        found = [self.sealer.open(endpoint.secret_sealed)]
        until = endpoint.previous_secret_until
        if endpoint.previous_secret_sealed and until is not None and until > now:
            found.append(self.sealer.open(endpoint.previous_secret_sealed))
        return found

    async def _attempt(self, endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> bool:
        """Sends one delivery; True when the endpoint took it."""
        event = await Event.get_or_none(id=delivery.event_id)
        now = utcnow()
        if event is None:  # erased from the log since: nothing left to send
            await WebhookDelivery.filter(id=delivery.id).update(
                status=WebhookDeliveryStatus.FAILED, last_error="event gone", last_attempt_at=now
            )
            return True
        body = body_of(event)
        headers = webhook_signing.headers(
            self.signing_secrets(endpoint, now), cursor_of(event.id), int(time.time()), body
        )
        outcome = await self.client.post(endpoint.url, headers, body)
        if outcome.ok:
            await self._delivered(endpoint, delivery, outcome)
            return True
        await webhook_failures.failed(self.rt, endpoint, delivery, outcome, self._retry_at)
        return False

    def _retry_at(self, attempts: int, now: datetime) -> datetime:
        settings = self.rt.settings
        delay = backoff(
            settings.webhook_retry_base_seconds, settings.webhook_retry_max_seconds, attempts
        )
        return now + delay

    async def _delivered(
        self, endpoint: WebhookEndpoint, delivery: WebhookDelivery, outcome: Outcome
    ) -> None:
        now = utcnow()
        await WebhookDelivery.filter(id=delivery.id).update(
            status=WebhookDeliveryStatus.DELIVERED,
            attempts=delivery.attempts + 1,
            last_status_code=outcome.status_code,
            last_error="",
            last_attempt_at=now,
            next_attempt_at=None,
            delivered_at=now,
        )
        if endpoint.failing_since is not None:
            endpoint.failing_since = None
            await WebhookEndpoint.filter(id=endpoint.id).update(failing_since=None)


async def run(rt: Runtime) -> None:
    """The delivery loop of this process (started with the app's other loops)."""
    await Deliverer(rt).run()
