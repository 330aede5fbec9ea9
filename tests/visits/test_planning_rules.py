"""Planning rules through the API: each rule refused with bad input, and nothing changed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from models.accounts.people import Client
from models.enums import Role
from models.events import Event
from models.visits.visits import Address, Intervention
from resolvers.visits.planning import billing_address
from schema.core.ids import to_global_id
from tests import factories
from tests.client import WsClient
from tests.factories import (
    CHECK_IN,
    CHECK_OUT,
    EVENTS,
    HEAD,
    Agency,
    codes,
    next_event,
    pk,
    schedule,
    slot,
)
from tests.visits.factories import CALENDAR, CANCEL, cancel, setup_elsewhere, worker_of

RESCHEDULE = """
mutation Reschedule($input: RescheduleInterventionInput!) {
  rescheduleIntervention(input: $input) {
    intervention { id status scheduledStart scheduledEnd }
    userErrors { field message code }
  }
}
"""

REASSIGN = """
mutation Reassign($input: ReassignInterventionInput!) {
  reassignIntervention(input: $input) {
    intervention { id status worker { id } }
    userErrors { field message code }
  }
}
"""


SCHEDULE_WITH_ADDRESS = """
mutation ScheduleIntervention($input: ScheduleInterventionInput!) {
  scheduleIntervention(input: $input) {
    intervention { id address { line1 postalCode } }
    userErrors { field message code }
  }
}
"""


async def second_worker(api, settings, home_agency) -> tuple[str, str]:
    """Another worker of the home agency: (global id, token)."""
    email = await factories.staff(settings, home_agency, Role.WORKER)
    return to_global_id("Worker", (await worker_of(email)).id), await factories.log_in(api, email)


@pytest.fixture(scope="module")
async def elsewhere(server, settings) -> Agency:
    return await setup_elsewhere(server.api, settings)


async def reschedule(api, team: Agency, visit_id: str, start: str, end: str) -> dict[str, Any]:
    variables = {
        "input": {"interventionId": visit_id, "scheduledStart": start, "scheduledEnd": end}
    }
    return dict(
        (await api.data(RESCHEDULE, variables, token=team.staff_token))["rescheduleIntervention"]
    )


async def reassign(api, team: Agency, visit_id: str, worker_id: str) -> dict[str, Any]:
    variables = {"input": {"interventionId": visit_id, "workerId": worker_id}}
    return dict(
        (await api.data(REASSIGN, variables, token=team.staff_token))["reassignIntervention"]
    )


async def test_a_worker_is_never_booked_twice_at_overlapping_times(
    api, team, settings, home_agency
):
    first = await schedule(api, team, hours_from_now=30)
    assert first["userErrors"] == []
    overlapping = await schedule(api, team, hours_from_now=31)
    assert overlapping["intervention"] is None
    assert overlapping["userErrors"] == [
        {
            "field": ["workerId"],
            "message": "L'intervenant est déjà pris sur ce créneau.",
            "code": "WORKER_UNAVAILABLE",
        }
    ]
    # Back to back is not overlapping: the slot [start, end) ends where the next begins.
    after = await schedule(api, team, hours_from_now=32)
    assert after["userErrors"] == []

    # Moving the second visit onto the first is refused, and the visit stays where it was.
    start, end = slot(31)
    moved = await reschedule(api, team, after["intervention"]["id"], start, end)
    assert codes(moved) == ["WORKER_UNAVAILABLE"]
    row = await Intervention.get(id=pk(after["intervention"]["id"]))
    assert row.scheduled_start.isoformat() == after["intervention"]["scheduledStart"]

    # Giving another worker's overlapping visit to this worker is refused too.
    other_worker, _ = await second_worker(api, settings, home_agency)
    theirs = await schedule(api, team, hours_from_now=30.5, workerId=other_worker)
    assert theirs["userErrors"] == []
    refused = await reassign(api, team, theirs["intervention"]["id"], team.worker_id)
    assert codes(refused) == ["WORKER_UNAVAILABLE"]
    assert (await Intervention.get(id=pk(theirs["intervention"]["id"]))).worker_id == pk(
        other_worker
    )


async def test_a_cancelled_visit_frees_the_workers_slot(api, team):
    visit = (await schedule(api, team, hours_from_now=40))["intervention"]
    assert codes(await schedule(api, team, hours_from_now=40)) == ["WORKER_UNAVAILABLE"]
    blank = await cancel(api, team, visit["id"], reason="   ")
    assert codes(blank) == ["INVALID_REASON"]
    assert codes(await cancel(api, team, visit["id"], reason="x" * 501)) == ["INVALID_REASON"]
    cancelled = await cancel(api, team, visit["id"], reason="  Client hospitalisé  ")
    assert cancelled["userErrors"] == []
    assert cancelled["intervention"] == {
        "id": visit["id"],
        "status": "CANCELLED",
        "cancellationReason": "Client hospitalisé",
    }
    again = await schedule(api, team, hours_from_now=40)
    assert again["userErrors"] == []
    # A cancelled visit cannot be cancelled, moved or handed over any more.
    start, end = slot(50)
    assert codes(await cancel(api, team, visit["id"])) == ["NOT_EDITABLE"]
    assert codes(await reschedule(api, team, visit["id"], start, end)) == ["NOT_EDITABLE"]


@pytest.mark.parametrize(
    ("hours_from_now", "length_hours", "code"),
    [
        (5, 0, "END_BEFORE_START"),
        (5, -1, "END_BEFORE_START"),
        (5, 12 + 1 / 60, "TOO_LONG"),
        (5, 29 / 60, "TOO_SHORT"),
        (-1, 2, "PAST_START"),
        (-48, 2, "PAST_START"),
    ],
)
async def test_a_slot_must_be_a_sensible_future_span(api, team, hours_from_now, length_hours, code):
    start, end = slot(hours_from_now, length_hours)
    payload = await schedule(api, team, scheduledStart=start, scheduledEnd=end)
    assert payload["intervention"] is None
    assert codes(payload) == [code]

    visit = (await schedule(api, team, hours_from_now=60))["intervention"]
    moved = await reschedule(api, team, visit["id"], start, end)
    assert codes(moved) == [code]
    row = await Intervention.get(id=pk(visit["id"]))
    assert row.scheduled_start.isoformat() == visit["scheduledStart"]


async def test_the_longest_and_shortest_slots_are_accepted(api, team):
    for hours_from_now, length in ((70, 12), (90, 0.5)):
        start, end = slot(hours_from_now, length)
        payload = await schedule(api, team, scheduledStart=start, scheduledEnd=end)
        assert payload["userErrors"] == [], (length, payload)


async def test_times_are_read_with_their_offset_and_answered_with_one(api, team):
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    start = later.astimezone(ZoneInfo("Europe/Paris"))
    end = start + timedelta(hours=2)
    payload = await schedule(
        api, team, scheduledStart=start.isoformat(), scheduledEnd=end.isoformat()
    )
    assert payload["userErrors"] == []
    shown = datetime.fromisoformat(payload["intervention"]["scheduledStart"])
    assert shown.utcoffset() is not None
    assert shown == start
    row = await Intervention.get(id=pk(payload["intervention"]["id"]))
    assert row.scheduled_start == start
    assert row.scheduled_start.utcoffset() == timedelta(0)  # stored in UTC
    naive = await schedule(
        api,
        team,
        scheduledStart=start.replace(tzinfo=None).isoformat(),
        scheduledEnd=end.replace(tzinfo=None).isoformat(),
    )
    assert codes(naive) == ["NAIVE_DATETIME"]


async def test_workers_and_clients_of_another_agency_are_refused(api, team, elsewhere):
    stranger_worker = await schedule(api, team, hours_from_now=80, workerId=elsewhere.worker_id)
    assert stranger_worker["userErrors"] == [
        {
            "field": ["workerId"],
            "message": "Intervenant inconnu dans votre agence.",
            "code": "NOT_IN_AGENCY",
        }
    ]
    stranger_client = await schedule(api, team, hours_from_now=80, clientId=elsewhere.client_id)
    assert [(e["field"], e["code"]) for e in stranger_client["userErrors"]] == [
        (["clientId"], "NOT_IN_AGENCY")
    ]
    visit = (await schedule(api, team, hours_from_now=80))["intervention"]
    handed = await reassign(api, team, visit["id"], elsewhere.worker_id)
    assert codes(handed) == ["NOT_IN_AGENCY"]
    assert (await Intervention.get(id=pk(visit["id"]))).worker_id == pk(team.worker_id)
    assert await Intervention.filter(worker_id=pk(elsewhere.worker_id)).count() == 0


async def test_an_address_must_belong_to_the_client(api, team, elsewhere):
    own = await Address.create(
        client_id=pk(team.client_id),
        label="Résidence secondaire",
        line1="2 quai de Bourbon",
        postal_code="75004",
        city="Paris",
    )
    someone_elses = await billing_address(await Client.get(id=pk(elsewhere.client_id)))
    refused = await schedule(
        api,
        team,
        hours_from_now=100,
        addressId=to_global_id("Address", someone_elses.id),
    )
    assert refused["intervention"] is None
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
        (["addressId"], "UNKNOWN_ADDRESS")
    ]
    variables: dict[str, Any] = {
        "input": {
            "clientId": team.client_id,
            "workerId": team.worker_id,
            "serviceTypeCode": "WINDOWS",
            "scheduledStart": slot(100)[0],
            "scheduledEnd": slot(100)[1],
            "addressId": to_global_id("Address", own.id),
        }
    }
    accepted = await api.data(SCHEDULE_WITH_ADDRESS, variables, token=team.staff_token)
    assert accepted["scheduleIntervention"]["userErrors"] == []
    assert accepted["scheduleIntervention"]["intervention"]["address"] == {
        "line1": "2 quai de Bourbon",
        "postalCode": "75004",
    }


async def test_a_client_with_two_billing_addresses_can_still_be_booked(api, team):
    """Two first bookings of a new client at once may each write its billing address."""
    client = await Client.get(id=pk(team.client_id))
    first = await billing_address(client)
    await Address.create(
        client=client,
        line1=first.line1,
        postal_code=first.postal_code,
        city=first.city,
        is_billing=True,
    )
    payload = await schedule(api, team, hours_from_now=110)
    assert payload["userErrors"] == []
    row = await Intervention.get(id=pk(payload["intervention"]["id"]))
    assert row.address_id == first.id


async def test_a_visit_in_progress_or_finished_cannot_be_changed(api, team, settings, home_agency):
    other_worker, _ = await second_worker(api, settings, home_agency)
    visit = (await schedule(api, team, hours_from_now=0.5))["intervention"]
    start, end = slot(120)

    async def refused_everything() -> None:
        assert codes(await reschedule(api, team, visit["id"], start, end)) == ["NOT_EDITABLE"]
        assert codes(await reassign(api, team, visit["id"], other_worker)) == ["NOT_EDITABLE"]
        assert codes(await cancel(api, team, visit["id"])) == ["NOT_EDITABLE"]

    arrived = await api.data(
        CHECK_IN, {"input": {"interventionId": visit["id"]}}, token=team.worker_token
    )
    assert arrived["checkIn"]["userErrors"] == []
    await refused_everything()
    departed = await api.data(
        CHECK_OUT, {"input": {"interventionId": visit["id"]}}, token=team.worker_token
    )
    assert departed["checkOut"]["intervention"]["status"] == "COMPLETED"
    await refused_everything()
    row = await Intervention.get(id=pk(visit["id"]))
    assert (row.status, row.worker_id) == ("COMPLETED", pk(team.worker_id))
    assert row.scheduled_start.isoformat() == visit["scheduledStart"]


async def test_a_visit_of_another_agency_is_not_found(api, team, elsewhere):
    theirs = (await schedule(api, elsewhere, hours_from_now=130))["intervention"]
    start, end = slot(131)
    for payload in (
        await reschedule(api, team, theirs["id"], start, end),
        await reassign(api, team, theirs["id"], team.worker_id),
        await cancel(api, team, theirs["id"]),
    ):
        assert payload["intervention"] is None
        assert codes(payload) == ["NOT_FOUND"]
    row = await Intervention.get(id=pk(theirs["id"]))
    assert (row.status, row.worker_id) == ("SCHEDULED", pk(elsewhere.worker_id))
    assert row.scheduled_start.isoformat() == theirs["scheduledStart"]


async def test_the_previous_worker_is_told_of_a_reassignment(api, team, settings, home_agency):
    other_worker, other_token = await second_worker(api, settings, home_agency)
    visit = (await schedule(api, team, hours_from_now=140))["intervention"]
    head = (await api.data(HEAD, token=team.worker_token))["interventionEventsCursor"]

    handed = await reassign(api, team, visit["id"], other_worker)
    assert handed["userErrors"] == []
    assert handed["intervention"]["worker"] == {"id": other_worker}
    # Same worker again: nothing to do, no event.
    assert (await reassign(api, team, visit["id"], other_worker))["userErrors"] == []

    # The previous worker no longer has the visit in the calendar ...
    start, end = slot(139, 4)
    for token, sees in ((team.worker_token, False), (other_token, True)):
        page = await api.data(CALENDAR, {"from": start, "to": end}, token=token)
        ids = [edge["node"]["id"] for edge in page["interventions"]["edges"]]
        assert (visit["id"] in ids) is sees
    # ... but the REASSIGNED event reaches them, replayed from their cursor.
    ws = await WsClient.connect(api, token=team.worker_token)
    try:
        await ws.ack()
        op = await ws.subscribe(EVENTS, {"since": head})
        event = await next_event(ws, op)
        assert event["type"] == "REASSIGNED"
        assert event["intervention"] == {"id": visit["id"], "status": "SCHEDULED"}
    finally:
        await ws.close()
    logged = await Event.filter(intervention_id=pk(visit["id"])).order_by("id")
    assert [(e.type, e.worker_id, e.previous_worker_id) for e in logged] == [
        ("SCHEDULED", pk(team.worker_id), None),
        ("REASSIGNED", pk(other_worker), pk(team.worker_id)),
    ]


def _mutations(team: Agency, visit_id: str) -> list[tuple[str, dict[str, Any]]]:
    start, end = slot(150)
    return [
        (
            SCHEDULE_WITH_ADDRESS,
            {
                "input": {
                    "clientId": team.client_id,
                    "workerId": team.worker_id,
                    "serviceTypeCode": "WINDOWS",
                    "scheduledStart": start,
                    "scheduledEnd": end,
                }
            },
        ),
        (
            RESCHEDULE,
            {"input": {"interventionId": visit_id, "scheduledStart": start, "scheduledEnd": end}},
        ),
        (REASSIGN, {"input": {"interventionId": visit_id, "workerId": team.worker_id}}),
        (CANCEL, {"input": {"interventionId": visit_id, "reason": "Essai"}}),
    ]


async def test_only_staff_plan_visits(api, team):
    visit = (await schedule(api, team, hours_from_now=160))["intervention"]
    before = await Intervention.filter(client_id=pk(team.client_id)).count()
    for query, variables in _mutations(team, visit["id"]):
        for token in (team.client_token, team.worker_token):
            assert await api.error_code(query, variables, token=token) == "FORBIDDEN", query
        assert await api.error_code(query, variables) == "UNAUTHENTICATED", query
    assert await Intervention.filter(client_id=pk(team.client_id)).count() == before
    row = await Intervention.get(id=pk(visit["id"]))
    assert row.status == "SCHEDULED"
    assert row.scheduled_start.isoformat() == visit["scheduledStart"]


async def test_concurrent_moves_and_handovers_never_book_a_worker_twice(
    api, team, settings, home_agency
):
    """A move and a handover of one visit at once: never both when together they clash."""
    other_worker, _ = await second_worker(api, settings, home_agency)
    for attempt in range(6):
        base = 300 + attempt * 10
        busy = await schedule(api, team, hours_from_now=base, workerId=other_worker)
        assert busy["userErrors"] == []
        visit = (await schedule(api, team, hours_from_now=base + 4))["intervention"]
        start, end = slot(base + 0.5)
        moved, handed = await asyncio.gather(
            reschedule(api, team, visit["id"], start, end),
            reassign(api, team, visit["id"], other_worker),
        )
        assert moved["userErrors"] == [] or handed["userErrors"] == [], (moved, handed)
        row = await Intervention.get(id=pk(visit["id"]))
        clashes = await Intervention.filter(
            worker_id=row.worker_id,
            status="SCHEDULED",
            scheduled_start__lt=row.scheduled_end,
            scheduled_end__gt=row.scheduled_start,
        ).count()
        assert clashes == 1, (attempt, moved, handed)
