"""Listing visits costs a constant number of SQL statements, whatever the page size."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from models.accounts.people import Client, Worker
from models.visits.visits import Intervention, ServiceType
from resolvers.visits.planning import billing_address
from services.logs import request_id_var
from tests.conftest import unique
from tests.test_interventions import CALENDAR, setup_agency


class QueryCounter(logging.Handler):
    """Counts the statements the ORM runs while serving one request id."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.by_request: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        request_id = request_id_var.get()
        self.by_request[request_id] = self.by_request.get(request_id, 0) + 1


async def _make_visits(team, count: int, day: datetime) -> None:
    client = await Client.get(id=int_id(team.client_id))
    worker = await Worker.get(id=int_id(team.worker_id))
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


def int_id(global_id: str) -> int:
    from schema.core.ids import from_global_id

    return from_global_id(global_id)[1]


async def test_listing_100_visits_costs_the_same_queries_as_listing_10(api, settings, home_agency):
    small, large = (
        await setup_agency(api, settings, home_agency),
        await setup_agency(api, settings, home_agency),
    )
    day = datetime(2031, 3, 3, 8, tzinfo=UTC)
    await _make_visits(small, 10, day)
    await _make_visits(large, 100, day)

    counter = QueryCounter()
    db_log = logging.getLogger("tortoise.db_client")
    previous = db_log.level
    db_log.setLevel(logging.DEBUG)
    db_log.addHandler(counter)
    try:
        counts = {}
        for name, team, size in (("small", small, 10), ("large", large, 100)):
            request_id = unique("calendar-request-")
            result = await api.data(
                CALENDAR,
                {
                    "from": day.isoformat(),
                    "to": (day + timedelta(days=1)).isoformat(),
                    "first": 100,
                },
                token=team.staff_token if False else team.client_token,
                headers={"X-Request-ID": request_id},
            )
            edges = result["interventions"]["edges"]
            assert len(edges) == size
            assert all(
                e["node"]["worker"]["displayName"]
                and e["node"]["serviceType"]["code"] == "WINDOWS"
                and e["node"]["address"]["city"] == "Paris"
                for e in edges
            )
            counts[name] = counter.by_request.get(request_id, 0)
    finally:
        db_log.removeHandler(counter)
        db_log.setLevel(previous)
    assert counts["small"] == counts["large"]
    assert counts["large"] <= 4  # session, scope, the page; nothing per row
