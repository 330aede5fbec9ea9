"""`passage simulate`: the demo day played through the public API of a running server."""

from __future__ import annotations

from datetime import UTC, datetime

from app import build_runtime
from cli import main
from models.accounts import Agency
from models.enums import EventType, InterventionStatus
from models.events import Event
from models.interventions import IdempotentRequest, Intervention
from models.ratings import Rating
from resolvers.demo import DEMO_AGENCY, seed_demo
from simulation import simulate


async def test_a_short_simulation_checks_workers_in_and_out_through_the_api(api, settings):
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
    assert await Rating.filter(created_at__gte=started).count() >= 1
    # Features not offered yet are skipped with a word, not a crash.
    assert any("sendMessage" in reason for reason in report.skipped)
    assert any("change-request" in reason for reason in report.skipped)


def test_the_command_refuses_a_bad_speed_or_an_unreachable_server(capsys):
    assert main(["simulate", "--speed", "0"]) == 2
    assert "--speed" in capsys.readouterr().err
    assert main(["simulate", "--url", "http://127.0.0.1:9", "--duration", "1"]) == 1
    assert "simulation stopped" in capsys.readouterr().err
