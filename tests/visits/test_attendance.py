"""Check-in and check-out ("pointage"): the state machine, positions and safe retries."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from models.accounts.people import Agency as AgencyModel
from models.accounts.people import Client
from models.visits.visits import Intervention
from tests.factories import codes, pk, schedule, slot, unique
from tests.visits.factories import CHECK_IN_DETAILED as CHECK_IN
from tests.visits.factories import CHECK_OUT_DETAILED as CHECK_OUT
from tests.visits.factories import attend, cancel, locate_home, north_of_home, setup_elsewhere

VISIT = """
query Visit($id: ID!) {
  intervention(id: $id) { id status positionFlagged checkedInAt checkedOutAt actualMinutes }
}
"""


async def test_a_visit_goes_scheduled_in_progress_completed_and_no_other_way(api, team):
    visit = (await schedule(api, team, hours_from_now=0.5))["intervention"]
    assert codes(await attend(api, team, CHECK_OUT, visit["id"])) == ["NOT_CHECKED_IN"]

    arrived = await attend(api, team, CHECK_IN, visit["id"])
    assert arrived["userErrors"] == []
    assert arrived["intervention"]["status"] == "IN_PROGRESS"
    assert arrived["intervention"]["checkedOutAt"] is None
    assert arrived["intervention"]["actualMinutes"] is None
    assert codes(await attend(api, team, CHECK_IN, visit["id"])) == ["ALREADY_CHECKED_IN"]

    departed = await attend(api, team, CHECK_OUT, visit["id"])
    assert departed["userErrors"] == []
    shown = departed["intervention"]
    assert shown["status"] == "COMPLETED"
    assert shown["checkedInAt"] == arrived["intervention"]["checkedInAt"]
    checked_in = datetime.fromisoformat(shown["checkedInAt"])
    checked_out = datetime.fromisoformat(shown["checkedOutAt"])
    assert checked_in.utcoffset() is not None and checked_out.utcoffset() is not None
    assert shown["actualMinutes"] == (checked_out - checked_in) // timedelta(minutes=1) == 0
    for query, code in ((CHECK_IN, "INVALID_STATE"), (CHECK_OUT, "INVALID_STATE")):
        assert codes(await attend(api, team, query, visit["id"])) == [code]

    row = await Intervention.get(id=pk(visit["id"]))
    assert row.checked_in_at == checked_in
    assert row.checked_in_at.utcoffset() == timedelta(0)  # stored in UTC


async def test_checking_in_opens_two_hours_before_the_start(api, team):
    early = (await schedule(api, team, hours_from_now=2.5))["intervention"]
    refused = await attend(api, team, CHECK_IN, early["id"])
    assert refused["intervention"] is None
    assert refused["userErrors"] == [
        {
            "field": ["interventionId"],
            "message": "Trop tôt pour pointer cette intervention.",
            "code": "TOO_EARLY",
        }
    ]
    assert (await Intervention.get(id=pk(early["id"]))).status == "SCHEDULED"
    start, end = slot(1.9, 0.5)
    soon = (await schedule(api, team, scheduledStart=start, scheduledEnd=end))["intervention"]
    assert (await attend(api, team, CHECK_IN, soon["id"]))["userErrors"] == []


async def test_a_cancelled_visit_cannot_be_checked_in(api, team):
    visit = (await schedule(api, team, hours_from_now=0.5))["intervention"]
    assert (await cancel(api, team, visit["id"]))["userErrors"] == []
    assert codes(await attend(api, team, CHECK_IN, visit["id"])) == ["INVALID_STATE"]
    assert codes(await attend(api, team, CHECK_OUT, visit["id"])) == ["INVALID_STATE"]
    row = await Intervention.get(id=pk(visit["id"]))
    assert (row.status, row.checked_in_at) == ("CANCELLED", None)


async def test_positions_are_kept_with_their_distance_and_far_ones_flagged(api, team):
    await locate_home(team)
    visit = (await schedule(api, team, hours_from_now=0.5))["intervention"]
    near = north_of_home(120)
    arrived = await attend(api, team, CHECK_IN, visit["id"], latitude=near[0], longitude=near[1])
    assert arrived["userErrors"] == []
    assert arrived["intervention"]["positionFlagged"] is False
    far = north_of_home(2_000)
    departed = await attend(api, team, CHECK_OUT, visit["id"], latitude=far[0], longitude=far[1])
    # Accepted, but staff see it was recorded far from the address.
    assert departed["userErrors"] == []
    assert departed["intervention"]["status"] == "COMPLETED"
    assert departed["intervention"]["positionFlagged"] is True
    seen = (await api.data(VISIT, {"id": visit["id"]}, token=team.staff_token))["intervention"]
    assert seen["positionFlagged"] is True

    row = await Intervention.get(id=pk(visit["id"]))
    assert (row.check_in_latitude, row.check_in_longitude) == near
    assert row.check_in_distance_m == pytest.approx(120, abs=2)
    assert (row.check_out_latitude, row.check_out_longitude) == far
    assert row.check_out_distance_m == pytest.approx(2_000, abs=5)


async def test_a_far_check_in_is_accepted_and_flagged(api, team):
    await locate_home(team)
    visit = (await schedule(api, team, hours_from_now=0.5))["intervention"]
    far = north_of_home(450)
    arrived = await attend(api, team, CHECK_IN, visit["id"], latitude=far[0], longitude=far[1])
    assert arrived["userErrors"] == []
    assert arrived["intervention"]["status"] == "IN_PROGRESS"
    assert arrived["intervention"]["positionFlagged"] is True
    assert (await Intervention.get(id=pk(visit["id"]))).check_in_distance_m == pytest.approx(
        450, abs=2
    )


async def test_the_radius_is_the_agencys_setting(api, settings):
    team = await setup_elsewhere(api, settings)
    client = await Client.get(id=pk(team.client_id))
    assert (await AgencyModel.get(id=client.agency_id)).check_in_radius_m == 300
    await AgencyModel.filter(id=client.agency_id).update(check_in_radius_m=1_000)
    await locate_home(team)
    inside = (await schedule(api, team, hours_from_now=0.5))["intervention"]
    far = north_of_home(800)
    arrived = await attend(api, team, CHECK_IN, inside["id"], latitude=far[0], longitude=far[1])
    assert arrived["intervention"]["positionFlagged"] is False
    farther = north_of_home(1_200)
    departed = await attend(
        api, team, CHECK_OUT, inside["id"], latitude=farther[0], longitude=farther[1]
    )
    assert departed["intervention"]["positionFlagged"] is True


async def test_no_distance_without_coordinates_for_the_address(api, team):
    visit = (await schedule(api, team, hours_from_now=0.5))["intervention"]
    far = north_of_home(50_000)
    arrived = await attend(api, team, CHECK_IN, visit["id"], latitude=far[0], longitude=far[1])
    assert arrived["intervention"]["positionFlagged"] is False
    row = await Intervention.get(id=pk(visit["id"]))
    assert (row.check_in_latitude, row.check_in_distance_m) == (far[0], None)


@pytest.mark.parametrize(
    "position",
    [
        {"latitude": 48.85},
        {"longitude": 2.35},
        {"latitude": 90.5, "longitude": 2.35},
        {"latitude": -91, "longitude": 2.35},
        {"latitude": 48.85, "longitude": 180.01},
        {"latitude": 48.85, "longitude": -200},
    ],
)
async def test_an_invalid_position_is_refused_and_changes_nothing(api, team, position):
    visit = (await schedule(api, team, hours_from_now=0.5))["intervention"]
    for query in (CHECK_IN, CHECK_OUT):
        payload = await attend(api, team, query, visit["id"], **position)
        assert payload["intervention"] is None
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
            (["latitude"], "INVALID_POSITION")
        ]
    assert (await Intervention.get(id=pk(visit["id"]))).status == "SCHEDULED"


async def test_an_idempotency_key_is_one_to_a_hundred_characters(api, team):
    visit = (await schedule(api, team, hours_from_now=0.5))["intervention"]
    for key in ("", "k" * 101):
        payload = await attend(api, team, CHECK_IN, visit["id"], idempotencyKey=key)
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [
            (["idempotencyKey"], "INVALID_IDEMPOTENCY_KEY")
        ]
    assert (await Intervention.get(id=pk(visit["id"]))).status == "SCHEDULED"
    longest = await attend(api, team, CHECK_IN, visit["id"], idempotencyKey="k" * 100)
    assert longest["userErrors"] == []


async def test_one_key_serves_check_in_and_check_out_independently(api, team):
    visit = (await schedule(api, team, hours_from_now=0.5))["intervention"]
    key = unique("phone-")
    arrived = await attend(api, team, CHECK_IN, visit["id"], idempotencyKey=key)
    assert arrived["intervention"]["status"] == "IN_PROGRESS"
    departed = await attend(api, team, CHECK_OUT, visit["id"], idempotencyKey=key)
    assert departed["userErrors"] == []
    assert departed["intervention"]["status"] == "COMPLETED"
    retried = await attend(api, team, CHECK_OUT, visit["id"], idempotencyKey=key)
    assert retried == departed
    row = await Intervention.get(id=pk(visit["id"]))
    assert row.checked_out_at is not None
    assert row.checked_out_at.isoformat() == departed["intervention"]["checkedOutAt"]


async def test_a_key_used_for_one_visit_does_not_check_in_another(api, team):
    key = unique("phone-")
    first = (await schedule(api, team, hours_from_now=0.5))["intervention"]
    second = (await schedule(api, team, hours_from_now=3))["intervention"]
    assert (await attend(api, team, CHECK_IN, first["id"], idempotencyKey=key))["userErrors"] == []
    reused = await attend(api, team, CHECK_IN, second["id"], idempotencyKey=key)
    assert reused["intervention"] is None
    assert [(e["field"], e["code"]) for e in reused["userErrors"]] == [
        (["idempotencyKey"], "IDEMPOTENCY_KEY_REUSED")
    ]
    assert (await Intervention.get(id=pk(second["id"]))).status == "SCHEDULED"


async def test_only_the_assigned_worker_checks_in_or_out(api, team, settings):
    visit = (await schedule(api, team, hours_from_now=0.5))["intervention"]
    variables = {"input": {"interventionId": visit["id"]}}
    for query in (CHECK_IN, CHECK_OUT):
        for token in (team.staff_token, team.client_token):
            assert await api.error_code(query, variables, token=token) == "FORBIDDEN"
        assert await api.error_code(query, variables) == "UNAUTHENTICATED"
    stranger = await setup_elsewhere(api, settings)
    for query in (CHECK_IN, CHECK_OUT):
        payload = await attend(api, stranger, query, visit["id"])
        assert codes(payload) == ["NOT_FOUND"]
    assert (await Intervention.get(id=pk(visit["id"]))).status == "SCHEDULED"


SHOWN = """
  id status scheduledStart scheduledEnd checkedInAt checkedOutAt late positionFlagged
  instructions cancellationReason actualMinutes
  serviceType { code label } worker { id displayName } client { id displayName }
  address { line1 line2 postalCode city }
"""
CHECK_IN_SHOWN = (
    "mutation CheckIn($input: CheckInInput!) { checkIn(input: $input) {"
    f" intervention {{ {SHOWN} }} userErrors {{ code }} }} }}"
)
CHECK_OUT_SHOWN = CHECK_IN_SHOWN.replace("CheckIn", "CheckOut").replace("checkIn", "checkOut")
VISIT_SHOWN = f"query Visit($id: ID!) {{ intervention(id: $id) {{ {SHOWN} }} }}"


async def test_the_answer_shows_the_visit_as_its_worker_reads_it_afterwards(api, team):
    await locate_home(team)
    visit = (await schedule(api, team, hours_from_now=0.5))["intervention"]
    far = north_of_home(2_000)
    for query, field in ((CHECK_IN_SHOWN, "checkIn"), (CHECK_OUT_SHOWN, "checkOut")):
        variables = {
            "input": {"interventionId": visit["id"], "latitude": far[0], "longitude": far[1]}
        }
        answer = (await api.data(query, variables, token=team.worker_token))[field]
        assert answer["userErrors"] == []
        read = await api.data(VISIT_SHOWN, {"id": visit["id"]}, token=team.worker_token)
        assert answer["intervention"] == read["intervention"]
    assert answer["intervention"]["status"] == "COMPLETED"
    assert answer["intervention"]["positionFlagged"] is True
    assert answer["intervention"]["address"]["line1"]
    assert answer["intervention"]["worker"]["displayName"]
