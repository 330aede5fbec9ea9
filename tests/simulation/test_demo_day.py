"""The demo day on the shared clock (what `make demo` runs): a whole day through the API,
with arrivals, lateness, a no-show, a message, a request, a rating, a claim and a call-back,
and not one refused action. The day is a fixed Tuesday, played at an hour per second."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from models.accounts.people import Agency
from models.enums import EventType
from models.events import Event
from resolvers.core.runtime import build_runtime
from services.clock import Warp, set_warp
from simulation import simulate
from simulation.seed.demo import DEMO_AGENCY, seed_demo
from tests.factories import PARIS

SEEDED_AT = datetime(2026, 3, 10, 6, 0, tzinfo=PARIS)
MORNING = datetime(2026, 3, 10, 7, 30, tzinfo=PARIS)
EVENING = datetime(2026, 3, 10, 20, 0, tzinfo=PARIS)


@pytest.fixture
def shared_clock() -> Iterator[None]:
    yield
    set_warp(None)


async def test_a_whole_day_plays_with_no_refused_action(api, settings, shared_clock, caplog):
    set_warp(Warp(datetime.now(UTC), SEEDED_AT, 0.0))
    await seed_demo(build_runtime(settings))
    agency = await Agency.get(name=DEMO_AGENCY)
    # From 07:30, one simulated hour per real second, for the server and the phones alike.
    set_warp(Warp(datetime.now(UTC), MORNING, 3600.0))
    with caplog.at_level(logging.INFO, logger="passage.simulate"):
        report = await simulate(api.base_url, speed=60, duration=40)
    lines = [record.getMessage() for record in caplog.records if record.name == "passage.simulate"]
    assert not [line for line in lines if "refused" in line or "unreachable" in line], lines

    assert report.check_ins >= 20 and report.check_outs >= report.check_ins
    assert report.ratings == 1 and (report.messages, report.replies) == (1, 1)
    assert (report.claims, report.claim_steps) == (1, 3)
    assert (report.callbacks, report.calls) == (1, 1)
    assert any("no-show" in line for line in lines)
    assert any("checks in late" in line for line in lines)
    day = Event.filter(
        agency_id=agency.id,
        occurred_at__gte=MORNING.astimezone(UTC),
        occurred_at__lt=EVENING.astimezone(UTC),
    )
    kinds = {str(kind) for kind in await day.values_list("type", flat=True)}
    for kind in (
        EventType.ARRIVED,
        EventType.DEPARTED,
        EventType.RATED,
        EventType.MESSAGE_SENT,
        EventType.CLAIM_REPORTED,
        EventType.CLAIM_UPDATED,
        EventType.CALLBACK_REQUESTED,
        EventType.CALLBACK_LOGGED,
        EventType.ANOMALY_FLAGGED,
    ):
        assert kind.value in kinds, kind
