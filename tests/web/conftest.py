"""The web tests' shared Chromium."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests import backends
from tests.clock import ClockedBrowser

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        message = f"chromium not found at {CHROMIUM} (apt-get install -y chromium)"
        if backends.services_required():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.async_api import async_playwright

    playwright = await async_playwright().start()
    # Root in CI containers: Chromium's sandbox needs user namespaces it may not have.
    chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    yield ClockedBrowser(chromium)
    await chromium.close()
    await playwright.stop()
