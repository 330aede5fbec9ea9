"""One turn of one claimed endpoint: take its new events, send what waits, in order.

The turn goes round until nothing is left, the endpoint fails, or the claim nears its
end: take the agency's new events from the log (a delivery row for each event of the
endpoint's types, the cursor moved past all of them, in one transaction), then send
the waiting deliveries oldest event first, one at a time. Successes are marked in
batches (one statement for many): should the process die before a mark, those
deliveries are sent again, which at-least-once allows and the partner's deduplication
by id absorbs. The first failure ends the turn and puts the endpoint off until its
retry time (resolvers/partners/webhook_failures.py), so no later event overtakes it.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from tortoise.transactions import in_transaction

from models.events import Event
from models.webhooks import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint
from resolvers.core.runtime import Runtime
from resolvers.partners import webhook_failures
from resolvers.partners.webhook_payload import body_of, cursor_of
from services import webhook_signing
from services.clock import utcnow
from services.sealing import Sealer
from services.webhook_http import WebhookClient

# Events read from the log at once; deliveries read (and their events) at once.
PUMP_BATCH = 500
SEND_BATCH = 100
# Successes are marked at least this often (and at the end of the turn).
MARK_AFTER_SECONDS = 0.2


class CursorMoved(Exception):
    """The endpoint's cursor changed under this turn (a replay): its batch is dropped."""


class Turn:
    def __init__(
        self,
        rt: Runtime,
        client: WebhookClient,
        sealer: Sealer,
        endpoint: WebhookEndpoint,
        token: str,
        retry_at: Callable[[int, datetime], datetime],
    ) -> None:
        self.rt, self.client, self.sealer = rt, client, sealer
        self.endpoint, self.token, self.retry_at = endpoint, token, retry_at
        # (attempts after this one, status code) -> delivery ids sent with that outcome
        self._sent: dict[tuple[int, int], list[int]] = defaultdict(list)
        self._unmarked_since = 0.0

    async def run(self, last_start: float) -> None:
        """Until done, failed, or `last_start` (monotonic) passed; marks what it sent."""
        try:
            while time.monotonic() < last_start:
                await self.take_new_events()
                batch = (
                    await WebhookDelivery.filter(
                        endpoint_id=self.endpoint.id, status=WebhookDeliveryStatus.PENDING
                    )
                    .order_by("event_id", "id")
                    .limit(SEND_BATCH)
                )
                if not batch or not await self._send(batch, last_start):
                    return
                await self._mark()  # before reading the next batch, which would hold them
        finally:
            await self._mark()

    async def take_new_events(self) -> None:
        endpoint = self.endpoint
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
                    id=endpoint.id, claim=self.token, cursor=endpoint.cursor
                ).update(cursor=rows[-1]["id"])
                if not moved:
                    raise CursorMoved()
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

    def signing_secrets(self, now: datetime) -> list[str]:
        endpoint = self.endpoint
        found = [self.sealer.open(endpoint.secret_sealed)]
        until = endpoint.previous_secret_until
        if endpoint.previous_secret_sealed and until is not None and until > now:
            found.append(self.sealer.open(endpoint.previous_secret_sealed))
        return found

    async def _send(self, batch: list[WebhookDelivery], last_start: float) -> bool:
        """Sends `batch` in order; False once one fails (or time is up)."""
        events = {e.id: e for e in await Event.filter(id__in=[d.event_id for d in batch])}
        now = utcnow()
        secrets_in_use = self.signing_secrets(now)
        for delivery in batch:
            if time.monotonic() > last_start:
                return False
            event = events.get(delivery.event_id)
            if event is None:  # erased from the log since: nothing left to send
                await WebhookDelivery.filter(id=delivery.id).update(
                    status=WebhookDeliveryStatus.FAILED, last_error="event gone"
                )
                continue
            body = body_of(event)
            headers = webhook_signing.headers(
                secrets_in_use, cursor_of(event.id), int(time.time()), body
            )
            outcome = await self.client.post(self.endpoint.url, headers, body)
            if not outcome.ok:
                await self._mark()
                await webhook_failures.failed(
                    self.rt, self.endpoint, delivery, outcome, self.retry_at
                )
                return False
            await self._succeeded(delivery, outcome.status_code or 200)
        return True

    async def _succeeded(self, delivery: WebhookDelivery, status_code: int) -> None:
        if not self._sent:
            self._unmarked_since = time.monotonic()
        self._sent[(delivery.attempts + 1, status_code)].append(delivery.id)
        if self.endpoint.failing_since is not None:
            self.endpoint.failing_since = None
            await WebhookEndpoint.filter(id=self.endpoint.id).update(failing_since=None)
        if time.monotonic() - self._unmarked_since > MARK_AFTER_SECONDS:
            await self._mark()

    async def _mark(self) -> None:
        """Marks what was sent as delivered: one statement per (attempts, status code)."""
        sent, self._sent = self._sent, defaultdict(list)
        if not sent:
            return
        now = utcnow()
        async with in_transaction():
            for (attempts, status_code), ids in sent.items():
                await WebhookDelivery.filter(id__in=ids).update(
                    status=WebhookDeliveryStatus.DELIVERED,
                    attempts=attempts,
                    last_status_code=status_code,
                    last_error="",
                    last_attempt_at=now,
                    next_attempt_at=None,
                    delivered_at=now,
                )
