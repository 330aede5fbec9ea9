"""A client's history of visits (seed: "l'historique complet des prestations")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from models.enums import InterventionStatus
from schema.core.ids import to_global_id
from tests.factories import schedule, setup_agency
from tests.visits.factories import past_visit

HISTORY = """
query History($first: Int, $after: String) {
  interventionHistory(first: $first, after: $after) {
    edges { cursor node { id status scheduledStart client { id } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def read_all(api, token: str, page: int) -> list[dict[str, Any]]:
    nodes, after, pages = [], None, 0
    while True:
        result = await api.data(HISTORY, {"first": page, "after": after}, token=token)
        history = result["interventionHistory"]
        nodes += [edge["node"] for edge in history["edges"]]
        pages += 1
        assert pages < 20
        if not history["pageInfo"]["hasNextPage"]:
            return nodes
        after = history["pageInfo"]["endCursor"]


async def test_a_client_sees_its_own_past_visits_newest_first(api, settings, home_agency):
    team = await setup_agency(api, settings, home_agency)
    neighbour = await setup_agency(api, settings, home_agency)
    # Written out of order, as staff enter visits after the fact or plans fill weeks ahead.
    statuses = {
        30: InterventionStatus.COMPLETED,
        100: InterventionStatus.COMPLETED,
        50: InterventionStatus.MISSED,
        200: InterventionStatus.CANCELLED,
        75: InterventionStatus.COMPLETED,
    }
    mine = {
        hours: await past_visit(team, hours, status=status) for hours, status in statuses.items()
    }
    await past_visit(neighbour, 40, status=InterventionStatus.COMPLETED)
    await past_visit(neighbour, 60, status=InterventionStatus.CANCELLED)
    upcoming = (await schedule(api, team, hours_from_now=3))["intervention"]
    # Two visits at the same time (two workers) keep a stable order across pages.
    twin = await past_visit(team, 75, status=InterventionStatus.COMPLETED, worker_id=None)

    expected = sorted([*mine.values(), twin], key=lambda v: (v.scheduled_start, v.id), reverse=True)
    for page in (1, 2, 100):
        nodes = await read_all(api, team.client_token, page)
        assert [node["id"] for node in nodes] == [
            to_global_id("Intervention", visit.id) for visit in expected
        ]
        assert {node["client"]["id"] for node in nodes} == {team.client_id}
        assert upcoming["id"] not in [node["id"] for node in nodes]
        starts = [datetime.fromisoformat(node["scheduledStart"]) for node in nodes]
        assert starts == sorted(starts, reverse=True)
        assert [node["status"] for node in nodes] == [str(v.status) for v in expected]

    neighbours = await read_all(api, neighbour.client_token, 10)
    assert [node["status"] for node in neighbours] == ["COMPLETED", "CANCELLED"]
    assert abs(
        datetime.fromisoformat(neighbours[0]["scheduledStart"])
        - (datetime.now(UTC) - timedelta(hours=40))
    ) < timedelta(minutes=5)
