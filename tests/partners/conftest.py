"""Webhooks' tests: a server of their module's own that delivers, and a partner's endpoint."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.config import Settings
from tests.client import Api
from tests.partners.factories import WINDOW_SECONDS
from tests.partners.webhook_receiver import Receiver


@pytest.fixture(scope="module")
async def hooks(start, settings: Settings) -> AsyncIterator[Api]:
    """A server that delivers webhooks: the API of it, on the suite's database."""
    running = await start(
        settings.with_(
            webhook_concurrency=8,
            webhook_allow_loopback=True,
            webhook_retry_base_seconds=0.05,
            webhook_retry_max_seconds=0.4,
            webhook_poll_seconds=0.2,
            webhook_failure_window_seconds=WINDOW_SECONDS,
            webhook_max_endpoints=3,
        )
    )
    yield running.api
    await running.stop()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = await Receiver().start()
    yield found
    await found.stop()
