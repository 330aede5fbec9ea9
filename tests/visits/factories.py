"""Visits for tests: the calendar, detailed check-in and check-out, cancelling, corrections,
visits written directly where the API only plans ahead, and weekly plans."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from models.accounts.people import AgencyPostalPrefix, Client, Worker
from models.enums import InterventionStatus, Role
from models.visits.visits import Intervention, ServiceType
from resolvers.visits.planning import billing_address
from schema.core.ids import to_global_id
from tests import factories
from tests.factories import Agency, pk

CALENDAR = """
query Calendar($from: DateTime!, $to: DateTime!, $first: Int, $after: String) {
  interventions(filter: { from: $from, to: $to }, first: $first, after: $after) {
    edges { cursor node {
      id status scheduledStart scheduledEnd checkedInAt checkedOutAt
      serviceType { code label }
      worker { id displayName }
      client { id }
      address { line1 postalCode city }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

CHECK_IN_DETAILED = """
mutation CheckIn($input: CheckInInput!) {
  checkIn(input: $input) {
    intervention { id status checkedInAt checkedOutAt positionFlagged actualMinutes }
    userErrors { field message code }
  }
}
"""

CHECK_OUT_DETAILED = """
mutation CheckOut($input: CheckOutInput!) {
  checkOut(input: $input) {
    intervention { id status checkedInAt checkedOutAt positionFlagged actualMinutes }
    userErrors { field message code }
  }
}
"""


# 12 rue de Charonne, Paris 11e; 0.0009° of latitude is about 100 m.
HOME = (48.8533, 2.3768)

METRES_PER_DEGREE = 111_195


def north_of_home(metres: float) -> tuple[float, float]:
    return HOME[0] + metres / METRES_PER_DEGREE, HOME[1]


async def locate_home(team: Agency) -> None:
    """Gives the client's billing address coordinates (geocoding is not Passage's job)."""
    address = await billing_address(await Client.get(id=pk(team.client_id)))
    address.latitude, address.longitude = HOME
    await address.save()


async def attend(api, team: Agency, query: str, visit_id: str, **fields: Any) -> dict[str, Any]:
    result = await api.data(
        query, {"input": {"interventionId": visit_id, **fields}}, token=team.worker_token
    )
    return dict(result["checkIn" if query is CHECK_IN_DETAILED else "checkOut"])


CANCEL = """
mutation Cancel($input: CancelInterventionInput!) {
  cancelIntervention(input: $input) {
    intervention { id status cancellationReason }
    userErrors { field message code }
  }
}
"""


async def setup_elsewhere(api, settings) -> Agency:
    """A team in an agency of its own (its own postal prefix), for cross-agency checks."""
    agency_id = await factories.agency(settings)
    prefix = (await AgencyPostalPrefix.get(agency_id=agency_id)).prefix
    team = Agency()
    advisor = await factories.staff(settings, agency_id, Role.ADVISOR)
    worker_email = await factories.staff(settings, agency_id, Role.WORKER)
    client_email, _ = await factories.client(
        api,
        billingAddress={
            "line1": "3 place de la Mairie",
            "postalCode": factories.postal_code(prefix),
            "city": "X",
        },
    )
    team.staff_token = await factories.log_in(api, advisor)
    team.worker_token = await factories.log_in(api, worker_email)
    team.client_token = await factories.log_in(api, client_email)
    client = await Client.get(account__email=client_email)
    assert client.agency_id == agency_id
    team.worker_id = to_global_id("Worker", (await worker_of(worker_email)).id)
    team.client_id = to_global_id("Client", client.id)
    return team


async def worker_of(email: str):
    from models.accounts.people import Worker

    return await Worker.get(account__email=email)


async def cancel(api, team: Agency, visit_id: str, reason: str = "Client absent") -> dict[str, Any]:
    variables = {"input": {"interventionId": visit_id, "reason": reason}}
    return dict((await api.data(CANCEL, variables, token=team.staff_token))["cancelIntervention"])


CORRECT = """
mutation Correct($input: CorrectAttendanceInput!) {
  correctAttendance(input: $input) {
    intervention { id status checkedInAt checkedOutAt actualMinutes }
    correction {
      id interventionId reason correctedAt correctedBy { id displayName }
      previousStatus previousCheckedInAt previousCheckedOutAt
      status checkedInAt checkedOutAt plannedDurationInvoiced
    }
    userErrors { field message code }
  }
}
"""


def hours_ago(hours: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(hours=hours)


async def past_visit(
    team: Agency, started_hours_ago: float, length_hours: float = 2, **fields: Any
) -> Intervention:
    """A visit whose slot has begun: the API only plans ahead, so it is written directly."""
    client = await Client.get(id=pk(team.client_id))
    start = hours_ago(started_hours_ago)
    values: dict[str, Any] = {
        "agency_id": client.agency_id,
        "client": client,
        "address": await billing_address(client),
        "worker_id": pk(team.worker_id),
        "service_type": await ServiceType.get(code="REGULAR_CLEANING"),
        "scheduled_start": start,
        "scheduled_end": start + timedelta(hours=length_hours),
    }
    return await Intervention.create(**{**values, **fields})


async def correct(api, token: str, visit: Intervention, **fields: Any) -> dict[str, Any]:
    values = {"interventionId": to_global_id("Intervention", visit.id), "reason": "Oubli"}
    values.update(fields)
    return dict((await api.data(CORRECT, {"input": values}, token=token))["correctAttendance"])


async def make_visits(team, count: int, day: datetime) -> None:
    client = await Client.get(id=pk(team.client_id))
    worker = await Worker.get(id=pk(team.worker_id))
    address = await billing_address(client)
    service = await ServiceType.get(code="WINDOWS")
    await Intervention.bulk_create(
        [
            Intervention(
                agency_id=client.agency_id,
                client=client,
                address=address,
                worker=worker,
                service_type=service,
                scheduled_start=day + timedelta(minutes=5 * i),
                scheduled_end=day + timedelta(minutes=5 * i + 4),
            )
            for i in range(count)
        ]
    )


async def visits_in_every_state(team: Agency, starts: list[datetime]) -> list[Intervention]:
    """The team's client's visits, one per start, in every state: done (the third flagged),
    in progress (late), cancelled, missed, then scheduled; the last one has no worker.
    Returned in slot order."""
    client = await Client.get(id=pk(team.client_id))
    worker = await Worker.get(id=pk(team.worker_id))
    address = await billing_address(client)
    address.line2 = "Escalier C"
    await address.save()
    services = {s.code: s for s in await ServiceType.all()}
    rows = []
    for i, start in enumerate(starts):
        visit = Intervention(
            agency_id=client.agency_id,
            client=client,
            address=address,
            worker=None if i == len(starts) - 1 else worker,
            service_type=services["WINDOWS" if i % 2 else "REGULAR_CLEANING"],
            scheduled_start=start,
            scheduled_end=start + timedelta(minutes=50),
            instructions="Clé chez la gardienne « B »" if i % 3 == 0 else "",
        )
        if i < 4:
            visit.status = InterventionStatus.COMPLETED
            visit.checked_in_at = start + timedelta(minutes=4)
            visit.checked_out_at = start + timedelta(minutes=51, seconds=30)
            visit.position_flagged = i == 2
        elif i < 6:
            visit.status = InterventionStatus.IN_PROGRESS
            visit.checked_in_at = start + timedelta(minutes=20)
            visit.late_at = start + timedelta(minutes=15)
        elif i == 6:
            visit.status = InterventionStatus.CANCELLED
            visit.cancellation_reason = "Client absent"
        elif i == 7:
            visit.status = InterventionStatus.MISSED
        rows.append(visit)
    await Intervention.bulk_create(rows)
    return list(await Intervention.filter(client=client).order_by("scheduled_start", "id"))


CREATE_PLAN = """
mutation Create($input: RecurringPlanInput!) {
  createRecurringPlan(input: $input) {
    plan { id weekday startTime durationMinutes validFrom materialisedUntil }
    skippedDays
    userErrors { field code }
  }
}
"""


# Rescheduling and reassigning, by the agency's staff.

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


async def second_worker(api, settings, home_agency) -> tuple[str, str]:
    """Another worker of the home agency: (global id, token)."""
    email = await factories.staff(settings, home_agency, Role.WORKER)
    return to_global_id("Worker", (await worker_of(email)).id), await factories.log_in(api, email)


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
