"""Planning visits, checking in and out, and what each viewer sees of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from models.enums import Role
from models.visits.visits import Intervention
from schema.core.ids import from_global_id
from tests import factories
from tests.factories import CHECK_IN, CHECK_OUT, schedule, setup_agency, slot, unique
from tests.visits.factories import CALENDAR

STAFF_CALENDAR = """
query StaffCalendar($from: DateTime!, $to: DateTime!, $clientId: ID) {
  interventions(filter: { from: $from, to: $to, clientId: $clientId }, first: 100) {
    edges { node { id } }
  }
}
"""


async def test_staff_schedule_a_visit_that_each_party_sees(api, team):
    payload = await schedule(api, team)
    assert payload["userErrors"] == []
    visit = payload["intervention"]
    assert visit["status"] == "SCHEDULED"

    start, end = slot(-1, 6)
    # Staff see the whole agency, busy with other tests' visits: narrow to this client.
    staff_page = await api.data(
        STAFF_CALENDAR,
        {"from": start, "to": end, "clientId": team.client_id},
        token=team.staff_token,
    )
    assert [e["node"]["id"] for e in staff_page["interventions"]["edges"]] == [visit["id"]]
    for token in (team.worker_token, team.client_token):
        page = (await api.data(CALENDAR, {"from": start, "to": end}, token=token))["interventions"]
        ids = [edge["node"]["id"] for edge in page["edges"]]
        assert visit["id"] in ids
        node = next(e["node"] for e in page["edges"] if e["node"]["id"] == visit["id"])
        assert node["serviceType"] == {"code": "REGULAR_CLEANING", "label": "Ménage régulier"}
        assert node["worker"]["displayName"] == "Claire M."
        assert node["address"] == {
            "line1": "12 rue de Charonne",
            "postalCode": "75011",
            "city": "Paris",
        }


async def test_check_in_and_out_by_the_assigned_worker_with_safe_retries(api, team):
    visit = (await schedule(api, team, hours_from_now=0.5))["intervention"]
    key = unique("phone-retry-")
    first = await api.data(
        CHECK_IN,
        {
            "input": {
                "interventionId": visit["id"],
                "idempotencyKey": key,
                "latitude": 48.853,
                "longitude": 2.38,
            }
        },
        token=team.worker_token,
    )
    assert first["checkIn"]["userErrors"] == []
    assert first["checkIn"]["intervention"]["status"] == "IN_PROGRESS"
    retry = await api.data(
        CHECK_IN,
        {"input": {"interventionId": visit["id"], "idempotencyKey": key}},
        token=team.worker_token,
    )
    assert retry["checkIn"] == first["checkIn"]
    twice = await api.data(
        CHECK_IN, {"input": {"interventionId": visit["id"]}}, token=team.worker_token
    )
    assert twice["checkIn"]["userErrors"][0]["code"] == "ALREADY_CHECKED_IN"
    out = await api.data(
        CHECK_OUT, {"input": {"interventionId": visit["id"]}}, token=team.worker_token
    )
    assert out["checkOut"]["intervention"]["status"] == "COMPLETED"
    row = await Intervention.get(id=from_global_id(visit["id"])[1])
    assert row.checked_in_at is not None
    assert row.checked_out_at is not None
    assert row.check_in_distance_m is None  # the address has no coordinates to compare with


async def test_only_the_assigned_worker_checks_in(api, team, settings, home_agency):
    visit = (await schedule(api, team, hours_from_now=0.5))["intervention"]
    other = await factories.log_in(api, await factories.staff(settings, home_agency, Role.WORKER))
    result = await api.data(CHECK_IN, {"input": {"interventionId": visit["id"]}}, token=other)
    assert result["checkIn"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert (
        await api.error_code(
            CHECK_IN, {"input": {"interventionId": visit["id"]}}, token=team.client_token
        )
        == "FORBIDDEN"
    )
    early = await api.data(
        CHECK_OUT, {"input": {"interventionId": visit["id"]}}, token=team.worker_token
    )
    assert early["checkOut"]["userErrors"][0]["code"] == "NOT_CHECKED_IN"


async def test_times_sent_with_an_offset_are_stored_in_utc(api, team):
    paris = timezone(timedelta(hours=1))
    start = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0).astimezone(paris)
    payload = await schedule(
        api,
        team,
        scheduledStart=start.isoformat(),
        scheduledEnd=(start + timedelta(hours=2)).isoformat(),
    )
    assert payload["userErrors"] == []
    row = await Intervention.get(id=from_global_id(payload["intervention"]["id"])[1])
    assert row.scheduled_start == start
    assert row.scheduled_start.utcoffset() == timedelta(0)
    window = {
        "from": (start - timedelta(minutes=1)).astimezone(UTC).isoformat(),
        "to": (start + timedelta(minutes=1)).astimezone(UTC).isoformat(),
    }
    page = (await api.data(CALENDAR, window, token=team.client_token))["interventions"]
    assert [e["node"]["id"] for e in page["edges"]] == [payload["intervention"]["id"]]


INTERVENTION = "query One($id: ID!) { intervention(id: $id) { id status } }"
HISTORY = """
query History($after: String) {
  interventionHistory(first: 5, after: $after) { edges { node { id } } }
}
"""


async def test_calendar_reads_refuse_bad_input_and_strangers(api, settings, home_agency, team):
    visit = (await schedule(api, team, hours_from_now=2))["intervention"]
    start, end = slot(0, 24)
    too_long = (datetime.now(UTC) + timedelta(days=93)).isoformat()
    cases = [
        ({"from": end, "to": start}, team.client_token),  # period ends before it starts
        ({"from": start, "to": too_long}, team.client_token),  # more than 92 days
        ({"from": start, "to": end, "first": 101}, team.client_token),
        ({"from": start, "to": end, "after": "not-a-cursor"}, team.client_token),
    ]
    for variables, token in cases:
        assert await api.error_code(CALENDAR, variables, token=token) == "BAD_USER_INPUT"
    assert await api.error_code(CALENDAR, {"from": start, "to": end}) == "UNAUTHENTICATED"

    assert (await api.data(INTERVENTION, {"id": visit["id"]}, token=team.client_token))[
        "intervention"
    ]["id"] == visit["id"]
    stranger = await setup_agency(api, settings, home_agency)
    for token in (stranger.client_token, stranger.worker_token):
        assert await api.error_code(INTERVENTION, {"id": visit["id"]}, token=token) == "NOT_FOUND"
    assert await api.error_code(INTERVENTION, {"id": team.client_id}, token=team.client_token) == (
        "BAD_USER_INPUT"
    )
    assert await api.error_code(HISTORY, {"after": "garbage"}, token=team.client_token) == (
        "BAD_USER_INPUT"
    )
