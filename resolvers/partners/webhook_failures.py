"""A failed delivery: retried later, or, past the failure window, the endpoint disabled.

The window is counted from the endpoint's first failure since its last success, so an
endpoint that answers now and then is never disabled, and one that is down for the
whole window is, however few attempts the backoff allowed in it. Disabling marks the
waiting deliveries failed and tells the agency's ADMINs by e-mail (the outbox), in
the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from models.accounts.people import Account
from models.enums import AccountStatus, Role
from models.partners import PartnerApplication
from models.webhooks import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint
from notifications import notify
from notifications.texts import partners as partner_texts
from resolvers.core.runtime import Runtime
from services.clock import utcnow
from services.webhook_http import Outcome

log = logging.getLogger("passage.webhooks")

FAILING = "FAILING"  # the disabled reason of an endpoint that failed for its whole window


async def failed(
    rt: Runtime,
    endpoint: WebhookEndpoint,
    delivery: WebhookDelivery,
    outcome: Outcome,
    retry_at: Callable[[int, datetime], datetime],
) -> None:
    now = utcnow()
    attempts = delivery.attempts + 1
    since = endpoint.failing_since or now
    window = timedelta(seconds=rt.settings.webhook_failure_window_seconds)
    record = {
        "attempts": attempts,
        "last_status_code": outcome.status_code,
        "last_error": outcome.error[:100],
        "last_attempt_at": now,
    }
    if now - since >= window:
        await WebhookDelivery.filter(id=delivery.id).update(**record)
        await disable(rt, endpoint, now)
        return
    when = retry_at(attempts, now)
    async with in_transaction():
        await WebhookDelivery.filter(id=delivery.id).update(**record, next_attempt_at=when)
        await WebhookEndpoint.filter(id=endpoint.id).update(
            failing_since=since, next_attempt_at=when
        )
    endpoint.failing_since = since
    log.info(
        "webhook endpoint %s: attempt %d failed (%s), next at %s",
        endpoint.id,
        attempts,
        outcome.status_code or outcome.error,
        when.isoformat(),
    )


async def disable(rt: Runtime, endpoint: WebhookEndpoint, now: datetime) -> None:
    application = await PartnerApplication.get(id=endpoint.application_id)
    admins = await Account.filter(
        agency_id=endpoint.agency_id, role=Role.ADMIN, status=AccountStatus.ACTIVE
    )
    hours = rt.settings.webhook_failure_window_seconds / 3600
    async with in_transaction():
        changed = await WebhookEndpoint.filter(id=endpoint.id, disabled_at=None).update(
            disabled_at=now, disabled_reason=FAILING
        )
        if not changed:
            return  # disabled meanwhile (by an ADMIN or another process)
        await WebhookDelivery.filter(
            endpoint_id=endpoint.id, status=WebhookDeliveryStatus.PENDING
        ).update(status=WebhookDeliveryStatus.FAILED, next_attempt_at=None)
        for admin in admins:
            if not admin.email:
                continue
            notice = partner_texts.endpoint_disabled(
                admin.first_name, application.name, endpoint.url, round(hours, 2)
            )
            await notify.email_now(admin.email, notice, account_id=admin.id)
    rt.mailer.wake()
    log.warning("webhook endpoint %s disabled after failing for its window", endpoint.id)
