"""Planning rules through the API, between parties: other agencies' workers, clients and
visits, a client's own addresses, the worker told of a handover, staff alone planning;
each rule refused with bad input, and nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from models.accounts.people import Client
from models.events import Event
from models.visits.visits import Address, Intervention
from resolvers.visits.planning import billing_address
from schema.core.ids import to_global_id
from tests.client import WsClient
from tests.factories import (
    EVENTS,
    HEAD,
    Agency,
    codes,
    next_event,
    pk,
    schedule,
    slot,
)
from tests.visits.factories import (
    CALENDAR,
    CANCEL,
    REASSIGN,
    RESCHEDULE,
    cancel,
    reassign,
    reschedule,
    second_worker,
    setup_elsewhere,
)

SCHEDULE_WITH_ADDRESS = """
mutation ScheduleIntervention($input: ScheduleInterventionInput!) {
  scheduleIntervention(input: $input) {
    intervention { id address { line1 postalCode } }
    userErrors { field message code }
  }
}
"""


@pytest.fixture(scope="module")
async def elsewhere(server, settings) -> Agency:
    return await setup_elsewhere(server.api, settings)


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
