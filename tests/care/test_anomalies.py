"""Attendance anomalies: each kind flagged on the visit, counted, filtered, and resolved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tortoise.transactions import in_transaction

from models.accounts.people import Client
from models.enums import AnomalyKind, EventType, InterventionStatus, Role
from models.events import Event
from models.visits.visits import Intervention
from resolvers.visits import anomalies
from schema.core.ids import to_global_id
from tests.factories import Agency, log_in, pk, staff
from tests.visits.factories import CHECK_IN_DETAILED as CHECK_IN
from tests.visits.factories import CHECK_OUT_DETAILED as CHECK_OUT
from tests.visits.factories import attend, correct, locate_home, north_of_home, past_visit

VISIT = """
query Visit($id: ID!) {
  intervention(id: $id) { id status anomalies { kind label detail resolved correctionId } }
}
"""
LISTED = """
query Listed($kind: AnomalyKind, $openOnly: Boolean) {
  attendanceAnomalies(kind: $kind, openOnly: $openOnly) { interventionId kind resolved }
}
"""
COUNTS = "query { attendanceAnomalyCounts { kind label count } }"


@pytest.fixture
async def team(team: Agency) -> Agency:
    """The shared team, its client's home placed on the map."""
    await locate_home(team)
    return team


def gid(visit: Intervention) -> str:
    return to_global_id("Intervention", visit.id)


async def flags(api, token: str, visit: Intervention) -> list[dict[str, Any]]:
    found = (await api.data(VISIT, {"id": gid(visit)}, token=token))["intervention"]
    return list(found["anomalies"])


async def kinds(api, team: Agency, visit: Intervention) -> list[str]:
    return [f["kind"] for f in await flags(api, team.staff_token, visit)]


async def counts(api, team: Agency) -> dict[str, int]:
    rows = (await api.data(COUNTS, token=team.staff_token))["attendanceAnomalyCounts"]
    return {row["kind"]: row["count"] for row in rows}


async def test_an_early_check_in_is_accepted_flagged_and_resolved_by_a_correction(api, team):
    visit = await past_visit(team, -1)  # starts in an hour; the agency allows 15 minutes
    before = await counts(api, team)
    arrived = await attend(api, team, CHECK_IN, gid(visit), latitude=48.8533, longitude=2.3768)
    assert arrived["userErrors"] == [] and arrived["intervention"]["status"] == "IN_PROGRESS"
    flagged = await flags(api, team.staff_token, visit)
    assert [(f["kind"], f["label"], f["resolved"]) for f in flagged] == [
        ("EARLY_CHECK_IN", "Arrivée trop tôt", False)
    ]
    assert flagged[0]["detail"].endswith("min avant le début")
    assert await flags(api, team.worker_token, visit) == []
    assert (await counts(api, team))["EARLY_CHECK_IN"] == before["EARLY_CHECK_IN"] + 1

    checked_in = (await Intervention.get(id=visit.id)).checked_in_at
    assert checked_in is not None
    fixed = await correct(
        api, team.staff_token, visit, checkedInAt=checked_in.isoformat(), reason="Arrivée vérifiée"
    )
    assert fixed["userErrors"] == []
    resolved = await flags(api, team.staff_token, visit)
    assert resolved[0]["resolved"] is True
    assert resolved[0]["correctionId"] == fixed["correction"]["id"]
    assert (await counts(api, team))["EARLY_CHECK_IN"] == before["EARLY_CHECK_IN"]


async def test_far_positions_are_flagged_on_check_in_and_on_check_out(api, team):
    visit = await past_visit(team, 0.25)
    far = north_of_home(2_000)
    await attend(api, team, CHECK_IN, gid(visit), latitude=far[0], longitude=far[1])
    await Intervention.filter(id=visit.id).update(
        checked_in_at=datetime.now(UTC) - timedelta(hours=1, minutes=45)
    )
    await attend(api, team, CHECK_OUT, gid(visit), latitude=far[0], longitude=far[1])
    assert await kinds(api, team, visit) == ["FAR_CHECK_IN", "FAR_CHECK_OUT"]
    far_ones = (await api.data(LISTED, {"kind": "FAR_CHECK_OUT"}, token=team.staff_token))[
        "attendanceAnomalies"
    ]
    assert gid(visit) in [row["interventionId"] for row in far_ones]
    assert {row["kind"] for row in far_ones} == {"FAR_CHECK_OUT"}
    await correct(api, team.staff_token, visit, checkedOutAt=datetime.now(UTC).isoformat())
    assert [f["resolved"] for f in await flags(api, team.staff_token, visit)] == [True, True]


async def test_a_check_out_a_second_after_check_in_is_too_short(api, team):
    visit = await past_visit(team, 3)  # the phone checks in late, then out at once
    near = north_of_home(20)
    await attend(api, team, CHECK_IN, gid(visit), latitude=near[0], longitude=near[1])
    await attend(api, team, CHECK_OUT, gid(visit), latitude=near[0], longitude=near[1])
    flagged = await flags(api, team.staff_token, visit)
    assert [f["kind"] for f in flagged] == ["TOO_SHORT"]
    assert flagged[0]["detail"].endswith("pour 120 prévues")
    start = visit.scheduled_start
    fixed = await correct(
        api,
        team.staff_token,
        visit,
        checkedInAt=start.isoformat(),
        checkedOutAt=(start + timedelta(hours=2)).isoformat(),
        reason="Le téléphone s'est éteint",
    )
    assert fixed["intervention"]["actualMinutes"] == 120
    open_short = (
        await api.data(LISTED, {"kind": "TOO_SHORT", "openOnly": True}, token=team.staff_token)
    )["attendanceAnomalies"]
    assert gid(visit) not in [row["interventionId"] for row in open_short]


async def test_a_visit_far_longer_than_planned_is_too_long(api, team):
    visit = await past_visit(
        team,
        5,
        status=InterventionStatus.IN_PROGRESS,
        checked_in_at=datetime.now(UTC) - timedelta(hours=5),
    )
    await attend(api, team, CHECK_OUT, gid(visit))
    assert await kinds(api, team, visit) == ["TOO_LONG"]


async def test_a_check_out_still_missing_when_the_day_is_over_is_flagged_once(api, team, server):
    visit = await past_visit(
        team,
        50,
        status=InterventionStatus.IN_PROGRESS,
        checked_in_at=datetime.now(UTC) - timedelta(hours=50),
    )
    runtime = server.app.state.runtime
    assert await anomalies.sweep(runtime) >= 1
    await anomalies.sweep(runtime)
    assert await kinds(api, team, visit) == ["MISSING_CHECK_OUT"]
    fixed = await correct(
        api,
        team.staff_token,
        visit,
        checkedOutAt=(visit.scheduled_end + timedelta(minutes=5)).isoformat(),
    )
    assert fixed["intervention"]["status"] == "COMPLETED"
    assert [f["resolved"] for f in await flags(api, team.staff_token, visit)] == [True]
    await anomalies.sweep(runtime)  # completed now: nothing more to flag on it
    assert await kinds(api, team, visit) == ["MISSING_CHECK_OUT"]


async def test_only_staff_read_anomalies(api, team):
    for token in (team.client_token, team.worker_token):
        assert await api.error_code(COUNTS, token=token) == "FORBIDDEN"
        assert await api.error_code(LISTED, {}, token=token) == "FORBIDDEN"


def test_a_visit_of_yesterday_evening_has_its_day_over_after_midnight_in_paris():
    paris = ZoneInfo("Europe/Paris")
    visit = Intervention(
        scheduled_start=datetime(2026, 3, 6, 20, 0, tzinfo=paris),
        scheduled_end=datetime(2026, 3, 6, 22, 30, tzinfo=paris),
    )
    assert not anomalies.day_over(visit, paris, datetime(2026, 3, 6, 23, 59, tzinfo=paris))
    assert anomalies.day_over(visit, paris, datetime(2026, 3, 7, 0, 0, tzinfo=paris))


SETTINGS = """
mutation Settings($input: UpdateCareSettingsInput!) {
  updateCareSettings(input: $input) { userErrors { code } }
}
"""


async def test_the_agencys_own_thresholds_decide_the_flags(api, settings, team):
    """Read with the visit in the check-in's one statement: the defaults without a row,
    the agency's values once it has one."""
    client = await Client.get(id=pk(team.client_id))
    admin = await log_in(api, await staff(settings, client.agency_id, Role.ADMIN))
    lenient = {"earlyCheckInMinutes": 90, "durationTolerancePercent": 300}
    assert (await api.data(SETTINGS, {"input": lenient}, token=admin))["updateCareSettings"] == {
        "userErrors": []
    }
    try:
        early = await past_visit(team, -1)  # an hour early: within 90 minutes
        await attend(api, team, CHECK_IN, gid(early))
        long = await past_visit(
            team,
            5,
            status=InterventionStatus.IN_PROGRESS,
            checked_in_at=datetime.now(UTC) - timedelta(hours=5),
        )  # 5 hours for 2 planned: within 300 % more
        await attend(api, team, CHECK_OUT, gid(long))
        assert await kinds(api, team, early) == []
        assert await kinds(api, team, long) == []

        strict = {"earlyCheckInMinutes": 30, "durationTolerancePercent": 100}
        await api.data(SETTINGS, {"input": strict}, token=admin)
        early = await past_visit(team, -1)
        await attend(api, team, CHECK_IN, gid(early))
        assert await kinds(api, team, early) == ["EARLY_CHECK_IN"]
    finally:
        defaults = {"earlyCheckInMinutes": 15, "durationTolerancePercent": 50}
        await api.data(SETTINGS, {"input": defaults}, token=admin)


async def test_a_flagged_check_in_writes_its_events_in_order_the_arrival_first(api, team):
    visit = await past_visit(team, -1)
    await attend(api, team, CHECK_IN, gid(visit))
    written = await Event.filter(intervention_id=visit.id).order_by("id")
    assert [e.type for e in written] == [EventType.ARRIVED, EventType.ANOMALY_FLAGGED]
    assert written[1].id == written[0].id + 1  # one transaction, the order lock held
    assert [e.status for e in written] == [InterventionStatus.IN_PROGRESS] * 2
    assert (written[1].client_id, written[1].worker_id) == (None, None)  # staff only


async def test_a_visit_is_flagged_once_per_kind(api, team):
    visit = await past_visit(team, -1)
    await attend(api, team, CHECK_IN, gid(visit))
    first = await flags(api, team.staff_token, visit)
    again = [
        anomalies.Found(AnomalyKind.EARLY_CHECK_IN, "encore"),
        anomalies.Found(AnomalyKind.FAR_CHECK_IN, "à 900 m"),
    ]
    async with in_transaction():
        written = await anomalies.write(visit, again, datetime.now(UTC))
    assert [f.kind for f in written] == [AnomalyKind.FAR_CHECK_IN]
    now_flagged = await flags(api, team.staff_token, visit)
    assert [(f["kind"], f["detail"]) for f in now_flagged] == [
        ("EARLY_CHECK_IN", first[0]["detail"]),
        ("FAR_CHECK_IN", "à 900 m"),
    ]
