"""The help centre's tests share one cast per module: articles and webinars pile up in it."""

from __future__ import annotations

import pytest

from tests.help.factories import Cast, cast


@pytest.fixture(scope="module")
async def team(server, settings) -> Cast:
    """An agency with its admin, advisor, worker and a client, all signed in."""
    return await cast(server.api, settings)
