"""Billing's tests start from an agency with its legal details and a household to bill;
the URSSAF tests also from the stand-in on loopback and a Passage process pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from simulation import urssaf_sandbox
from simulation.urssaf_ledger import Ledger
from tests.billing import factories as bh
from tests.billing.urssaf_helpers import urssaf_settings
from tests.conftest import RunningServer, start_server


@pytest.fixture
async def t(api, settings) -> bh.Team:
    """A billing team: staff, a worker and a client of an agency ready to invoice."""
    return await bh.team(api, settings)


@pytest.fixture
async def mandataire(api, t: bh.Team) -> bh.Team:
    """The billing team, its household employing the worker itself (mandataire mode)."""
    await bh.enrol(api, t, serviceMode="MANDATAIRE")
    return t


@pytest.fixture
async def sandbox() -> AsyncIterator[urssaf_sandbox.RunningSandbox]:
    running = await urssaf_sandbox.start(Ledger())
    yield running
    await running.stop()


@pytest.fixture
async def agency_app(server, settings, sandbox) -> AsyncIterator[RunningServer]:
    """A Passage process on the test database whose URSSAF is the stand-in."""
    running = await start_server(urssaf_settings(settings, sandbox.url))
    yield running
    await running.stop()
