"""`passage simulate`: the demo day played through the public API of a running server."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from cli import main
from models.accounts.people import Agency
from models.enums import ChangeRequestKind, ChangeRequestStatus, EventType, InterventionStatus
from models.events import Event
from models.messaging import Message
from models.ratings import Rating
from models.requests import ChangeRequest
from models.visits.visits import IdempotentRequest, Intervention
from resolvers.core.runtime import build_runtime
from simulation import simulate
from simulation.seed.demo import DEMO_AGENCY, seed_demo


async def test_a_short_simulation_checks_workers_in_and_out_through_the_api(
    daytime, api, settings, home_agency
):
    # It plays the rest of today: at 23:55 there would be nothing left to play.
    await seed_demo(build_runtime(settings))
    agency = await Agency.get(name=DEMO_AGENCY)
    started = datetime.now(UTC)

    # One simulated hour per second, for a few seconds.
    report = await simulate(api.base_url, speed=60, duration=6)

    assert report.check_ins >= 1
    assert report.check_outs >= 1
    arrivals = await Event.filter(
        agency_id=agency.id, type=EventType.ARRIVED, occurred_at__gte=started
    ).count()
    departures = await Event.filter(
        agency_id=agency.id, type=EventType.DEPARTED, occurred_at__gte=started
    ).count()
    assert arrivals == report.check_ins
    assert departures == report.check_outs
    # The phones' idempotency keys show the check-ins came from the simulation's requests.
    keys = IdempotentRequest.filter(created_at__gte=started, key__startswith="sim-checkIn-")
    assert await keys.count() == report.check_ins
    checked_in = await Intervention.filter(
        agency_id=agency.id, checked_in_at__gte=started
    ).values_list("status", flat=True)
    assert len(checked_in) == report.check_ins
    assert set(checked_in) <= {InterventionStatus.IN_PROGRESS, InterventionStatus.COMPLETED}
    assert report.ratings == 1
    assert await Rating.filter(intervention__agency_id=agency.id, created_at__gte=started).count()
    # A household wrote and the advisor answered, through sendMessage.
    assert (report.messages, report.replies) == (1, 1)
    written = await Event.filter(
        agency_id=agency.id, type=EventType.MESSAGE_SENT, occurred_at__gte=started
    ).count()
    assert written == 2
    sent = await Message.filter(conversation__agency_id=agency.id, sent_at__gte=started).order_by(
        "id"
    )
    assert [m.from_client for m in sent] == [True, False]
    # A household asked for a new slot (requestChange) and the advisor decided it.
    assert (report.requests, report.reviews) == (1, 1)
    asked = await ChangeRequest.filter(agency_id=agency.id, created_at__gte=started).values(
        "kind", "status"
    )
    assert len(asked) == 1
    assert asked[0]["kind"] == ChangeRequestKind.NEW_SLOT
    assert asked[0]["status"] in {ChangeRequestStatus.APPROVED, ChangeRequestStatus.REJECTED}
    decided = await Event.filter(
        agency_id=agency.id,
        type__in=[EventType.REQUEST_APPROVED, EventType.REQUEST_REJECTED],
        occurred_at__gte=started,
    ).count()
    assert decided == 1
    assert report.skipped == []


@pytest.fixture
def logging_restored() -> Iterator[None]:
    """`main` installs log handlers on this test's captured streams: put the old ones back,
    or threads still running (the SMTP server) would log to closed files."""
    loggers = [logging.getLogger(), logging.getLogger("passage.simulate")]
    saved = [(logger.handlers[:], logger.propagate) for logger in loggers]
    yield
    for logger, (handlers, propagate) in zip(loggers, saved, strict=True):
        logger.handlers, logger.propagate = handlers, propagate


def test_the_command_refuses_a_bad_speed_or_an_unreachable_server(capsys, logging_restored):
    assert main(["simulate", "--speed", "0"]) == 2
    assert "--speed" in capsys.readouterr().err
    assert main(["simulate", "--url", "http://127.0.0.1:9", "--duration", "1"]) == 1
    assert "simulation stopped" in capsys.readouterr().err
