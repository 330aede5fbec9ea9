"""Staff corrections of check-in and check-out: rules, status, events and the audit trail."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from models.enums import InterventionStatus, Role
from models.events import Event
from models.visits.visits import AttendanceCorrection, Intervention
from schema.core.ids import to_global_id
from tests import factories
from tests.factories import codes
from tests.visits.factories import CHECK_IN_DETAILED as CHECK_IN
from tests.visits.factories import CHECK_OUT_DETAILED as CHECK_OUT
from tests.visits.factories import CORRECT, correct, hours_ago, past_visit, setup_elsewhere

CORRECTIONS = """
query Corrections($id: ID!) {
  attendanceCorrections(interventionId: $id) {
    id reason status previousStatus checkedInAt checkedOutAt plannedDurationInvoiced
    correctedBy { displayName }
  }
}
"""

NODE = """
query Node($id: ID!) { node(id: $id) { __typename id ... on AttendanceCorrection { reason } } }
"""

ME = "query { me { id } }"


async def attendance_events(visit: Intervention) -> list[tuple[str, str]]:
    rows = await Event.filter(intervention_id=visit.id, type__in=["ARRIVED", "DEPARTED"]).order_by(
        "id"
    )
    return [(str(e.type), str(e.status)) for e in rows]


async def test_a_forgotten_check_out_is_set_and_the_visit_completed(api, team):
    checked_in = hours_ago(3)
    visit = await past_visit(
        team, 3, status=InterventionStatus.IN_PROGRESS, checked_in_at=checked_in
    )
    out = hours_ago(1)
    payload = await correct(
        api,
        team.staff_token,
        visit,
        checkedOutAt=out.isoformat(),
        reason="  Téléphone déchargé à la sortie  ",
    )
    assert payload["userErrors"] == []
    shown = payload["intervention"]
    assert shown["status"] == "COMPLETED"
    assert datetime.fromisoformat(shown["checkedInAt"]) == checked_in
    assert datetime.fromisoformat(shown["checkedOutAt"]) == out
    assert shown["actualMinutes"] == 120
    correction = payload["correction"]
    me = (await api.data(ME, token=team.staff_token))["me"]
    assert correction["correctedBy"] == {"id": me["id"], "displayName": "Claire M."}
    assert correction["reason"] == "Téléphone déchargé à la sortie"
    assert (correction["previousStatus"], correction["status"]) == ("IN_PROGRESS", "COMPLETED")
    assert datetime.fromisoformat(correction["previousCheckedInAt"]) == checked_in
    assert correction["previousCheckedOutAt"] is None
    assert datetime.fromisoformat(correction["checkedOutAt"]) == out
    assert correction["plannedDurationInvoiced"] is False
    corrected_at = datetime.fromisoformat(correction["correctedAt"])
    assert abs(datetime.now(UTC) - corrected_at) < timedelta(minutes=1)

    assert await attendance_events(visit) == [("DEPARTED", "COMPLETED")]
    row = await Intervention.get(id=visit.id)
    assert row.checked_out_at == out
    assert row.checked_out_at.utcoffset() == timedelta(0)
    assert row.bill_planned_duration is False


async def test_a_missed_visit_is_corrected_to_completed_with_the_planned_duration(api, team):
    visit = await past_visit(team, 5, status=InterventionStatus.MISSED)
    arrived, left = hours_ago(5) + timedelta(minutes=10), hours_ago(3) - timedelta(minutes=5)
    payload = await correct(
        api,
        team.staff_token,
        visit,
        checkedInAt=arrived.isoformat(),
        checkedOutAt=left.isoformat(),
        plannedDurationInvoiced=True,
        reason="Présence confirmée par la cliente au téléphone",
    )
    assert payload["userErrors"] == []
    assert payload["intervention"]["status"] == "COMPLETED"
    assert payload["intervention"]["actualMinutes"] == 105
    assert payload["correction"]["previousStatus"] == "MISSED"
    assert payload["correction"]["plannedDurationInvoiced"] is True
    # One status change, one event.
    assert await attendance_events(visit) == [("DEPARTED", "COMPLETED")]
    assert (await Intervention.get(id=visit.id)).bill_planned_duration is True


async def test_a_missing_check_in_starts_the_visit_and_the_phone_checks_out(api, team):
    visit = await past_visit(team, 0.5)  # begun, nobody checked in
    arrived = hours_ago(0.4)
    payload = await correct(api, team.staff_token, visit, checkedInAt=arrived.isoformat())
    assert payload["userErrors"] == []
    assert payload["intervention"]["status"] == "IN_PROGRESS"
    assert payload["intervention"]["actualMinutes"] is None
    assert await attendance_events(visit) == [("ARRIVED", "IN_PROGRESS")]
    departed = await api.data(
        CHECK_OUT,
        {"input": {"interventionId": to_global_id("Intervention", visit.id)}},
        token=team.worker_token,
    )
    assert departed["checkOut"]["userErrors"] == []
    assert departed["checkOut"]["intervention"]["status"] == "COMPLETED"
    assert departed["checkOut"]["intervention"]["actualMinutes"] in (23, 24)


async def test_a_wrong_time_is_fixed_without_a_status_change_or_event(api, team, settings):
    checked_in, checked_out = hours_ago(4), hours_ago(2)
    visit = await past_visit(
        team,
        4,
        status=InterventionStatus.COMPLETED,
        checked_in_at=checked_in,
        checked_out_at=checked_out,
    )
    admin = await factories.log_in(
        api, await factories.staff(settings, visit.agency_id, Role.ADMIN)
    )
    fixed = checked_in + timedelta(minutes=30)
    payload = await correct(
        api, admin, visit, checkedInAt=fixed.isoformat(), reason="Arrivée pointée trop tôt"
    )
    assert payload["userErrors"] == []
    assert payload["intervention"]["status"] == "COMPLETED"
    assert payload["intervention"]["actualMinutes"] == 90
    assert (payload["correction"]["previousStatus"], payload["correction"]["status"]) == (
        "COMPLETED",
        "COMPLETED",
    )
    assert await attendance_events(visit) == []

    second = await correct(
        api,
        team.staff_token,
        visit,
        checkedOutAt=(checked_out + timedelta(minutes=15)).isoformat(),
        plannedDurationInvoiced=True,
        reason="Sortie oubliée puis pointée en retard",
    )
    assert second["intervention"]["actualMinutes"] == 105
    listed = (
        await api.data(
            CORRECTIONS, {"id": to_global_id("Intervention", visit.id)}, token=team.staff_token
        )
    )["attendanceCorrections"]
    assert [c["reason"] for c in listed] == [
        "Arrivée pointée trop tôt",
        "Sortie oubliée puis pointée en retard",
    ]
    assert [c["plannedDurationInvoiced"] for c in listed] == [False, True]
    assert {c["correctedBy"]["displayName"] for c in listed} == {"Claire M."}
    node = (await api.data(NODE, {"id": listed[0]["id"]}, token=team.staff_token))["node"]
    assert node == {
        "__typename": "AttendanceCorrection",
        "id": listed[0]["id"],
        "reason": "Arrivée pointée trop tôt",
    }


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"reason": " ", "checkedOutAt": "an hour ago"}, [(["reason"], "INVALID_REASON")]),
        ({"reason": "x" * 501, "checkedOutAt": "an hour ago"}, [(["reason"], "INVALID_REASON")]),
        ({"checkedInAt": None, "checkedOutAt": None}, [(None, "NOTHING_TO_CORRECT")]),
        ({"checkedOutAt": "in the future"}, [(["checkedOutAt"], "IN_FUTURE")]),
        (
            {"checkedOutAt": "before the check-in"},
            [(["checkedOutAt"], "CHECK_OUT_BEFORE_CHECK_IN")],
        ),
        ({"checkedInAt": "13 h before the slot"}, [(["checkedInAt"], "OUTSIDE_SLOT")]),
        ({"checkedOutAt": "naive"}, [(["checkedOutAt"], "NAIVE_DATETIME")]),
    ],
)
async def test_a_correction_is_checked_and_a_refused_one_changes_nothing(
    api, team, fields, expected
):
    checked_in = hours_ago(2)
    visit = await past_visit(
        team, 2, length_hours=3, status=InterventionStatus.IN_PROGRESS, checked_in_at=checked_in
    )
    values = {
        "an hour ago": hours_ago(1).isoformat(),
        "in the future": (datetime.now(UTC) + timedelta(minutes=5)).isoformat(),
        "before the check-in": (checked_in - timedelta(minutes=1)).isoformat(),
        "13 h before the slot": (visit.scheduled_start - timedelta(hours=13)).isoformat(),
        "naive": hours_ago(1).replace(tzinfo=None).isoformat(),
    }
    resolved = {key: values.get(value, value) for key, value in fields.items()}
    payload = await correct(api, team.staff_token, visit, **resolved)
    assert payload["intervention"] is None and payload["correction"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == expected
    row = await Intervention.get(id=visit.id)
    assert (row.status, row.checked_in_at, row.checked_out_at) == (
        "IN_PROGRESS",
        checked_in,
        None,
    )
    assert not await AttendanceCorrection.exists(intervention_id=visit.id)
    assert await attendance_events(visit) == []


async def test_a_check_out_needs_a_check_in(api, team):
    visit = await past_visit(team, 3, status=InterventionStatus.MISSED)
    payload = await correct(api, team.staff_token, visit, checkedOutAt=hours_ago(1).isoformat())
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
        (["checkedInAt"], "MISSING_CHECK_IN")
    ]
    assert (await Intervention.get(id=visit.id)).status == "MISSED"


async def test_a_cancelled_visit_is_not_corrected(api, team):
    visit = await past_visit(team, 3, status=InterventionStatus.CANCELLED)
    payload = await correct(api, team.staff_token, visit, checkedInAt=hours_ago(3).isoformat())
    assert codes(payload) == ["NOT_CORRECTABLE"]
    assert (await Intervention.get(id=visit.id)).checked_in_at is None


async def test_only_staff_of_the_agency_correct_and_read_corrections(api, team, settings):
    visit = await past_visit(team, 3, status=InterventionStatus.MISSED)
    variables = {
        "input": {
            "interventionId": to_global_id("Intervention", visit.id),
            "checkedInAt": hours_ago(3).isoformat(),
            "reason": "Essai",
        }
    }
    listing = {"id": to_global_id("Intervention", visit.id)}
    for token in (team.client_token, team.worker_token):
        assert await api.error_code(CORRECT, variables, token=token) == "FORBIDDEN"
        assert await api.error_code(CORRECTIONS, listing, token=token) == "FORBIDDEN"
    assert await api.error_code(CORRECT, variables) == "UNAUTHENTICATED"
    assert await api.error_code(CORRECTIONS, listing) == "UNAUTHENTICATED"

    stranger = await setup_elsewhere(api, settings)
    refused = await correct(api, stranger.staff_token, visit, checkedInAt=hours_ago(3).isoformat())
    assert codes(refused) == ["NOT_FOUND"]
    assert await api.error_code(CORRECTIONS, listing, token=stranger.staff_token) == "NOT_FOUND"
    row = await Intervention.get(id=visit.id)
    assert (row.status, row.checked_in_at) == ("MISSED", None)
    assert not await AttendanceCorrection.exists(intervention_id=visit.id)

    done = await correct(api, team.staff_token, visit, checkedInAt=hours_ago(3).isoformat())
    hidden = await api.data(NODE, {"id": done["correction"]["id"]}, token=stranger.staff_token)
    assert hidden["node"] is None


async def test_a_correction_and_a_phone_check_in_at_once_arrive_once(api, team):
    """Whichever lands first, the visit is started once and one ARRIVED event is written."""
    for attempt in range(4):
        # Starting within the hour or so: the phone may check in now.
        visit = await past_visit(team, -(0.1 + 0.5 * attempt), length_hours=0.4)
        visit_id = to_global_id("Intervention", visit.id)
        corrected, phoned = await asyncio.gather(
            correct(api, team.staff_token, visit, checkedInAt=hours_ago(0.1).isoformat()),
            api.data(CHECK_IN, {"input": {"interventionId": visit_id}}, token=team.worker_token),
        )
        assert corrected["userErrors"] == []
        assert codes(phoned["checkIn"]) in ([], ["ALREADY_CHECKED_IN"])
        assert await attendance_events(visit) == [("ARRIVED", "IN_PROGRESS")], attempt
        assert (await Intervention.get(id=visit.id)).status == "IN_PROGRESS"
