"""A visit names its client for those who may read it, in one query per page."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from models.accounts.people import Client
from models.enums import Role
from schema.core.ids import to_global_id
from tests import factories
from tests.factories import QueryCounter, schedule, setup_agency, unique

NAMES = """
query Names($from: DateTime!, $to: DateTime!) {
  interventions(filter: { from: $from, to: $to }, first: 100) {
    edges { node { id client { id displayName } } }
  }
}
"""
NODE = """
query Node($id: ID!) { node(id: $id) { ... on Intervention { client { displayName } } } }
"""


def _window(hours: float) -> dict[str, str]:
    start = datetime.now(UTC) + timedelta(hours=hours - 1)
    return {"from": start.isoformat(), "to": (start + timedelta(hours=14)).isoformat()}


async def test_the_client_the_worker_and_staff_read_the_clients_name(api, settings, home_agency):
    team = await setup_agency(api, settings, home_agency)
    visit = (await schedule(api, team, hours_from_now=30))["intervention"]
    client = await Client.get(id=_pk(team.client_id)).prefetch_related("account")
    expected = f"{client.account.first_name} {client.account.last_name}"
    for token in (team.staff_token, team.worker_token, team.client_token):
        node = (await api.data(NODE, {"id": visit["id"]}, token=token))["node"]
        assert node == {"client": {"displayName": expected}}


async def test_strangers_do_not_read_the_clients_name(api, settings, home_agency):
    team = await setup_agency(api, settings, home_agency)
    visit = (await schedule(api, team, hours_from_now=31))["intervention"]
    other_worker = await factories.log_in(
        api, await factories.staff(settings, home_agency, Role.WORKER)
    )
    elsewhere = await factories.agency(settings)
    other_staff = await factories.log_in(api, await factories.staff(settings, elsewhere))
    other_client = await factories.log_in(api, (await factories.client(api))[0])
    for token in (other_worker, other_staff, other_client, None):
        result = await api.gql(NODE, {"id": visit["id"]}, token=token)
        assert (result.get("data") or {}).get("node") is None
        assert "Jeanne" not in str(result)
        if token is not None:
            listed = await api.data(NAMES, _window(31), token=token)
            ids = [e["node"]["id"] for e in listed["interventions"]["edges"]]
            assert visit["id"] not in ids


async def test_names_of_many_clients_cost_one_query(api, settings, home_agency):
    team = await setup_agency(api, settings, home_agency)
    hours = 24 * 400 + 7  # a window of this test's own, far ahead
    await schedule(api, team, hours_from_now=hours)
    counter = QueryCounter()
    db_log = logging.getLogger("tortoise.db_client")
    previous = db_log.level
    db_log.setLevel(logging.DEBUG)
    db_log.addHandler(counter)
    counts = []
    try:
        for extra in (0, 4):
            for k in range(1, extra + 1):
                email, _account = await factories.client(api, lastName="Nom" + "abcdefghij"[k] * 3)
                client = await Client.get(account__email=email)
                await schedule(
                    api,
                    team,
                    hours_from_now=hours + 2.5 * k,
                    clientId=to_global_id("Client", client.id),
                )
            request_id = unique("names-")
            listed = await api.data(
                NAMES,
                _window(hours),
                token=team.staff_token,
                headers={"X-Request-ID": request_id},
            )
            names = [e["node"]["client"]["displayName"] for e in listed["interventions"]["edges"]]
            assert len(names) >= 1 + extra and all(names)
            counts.append(counter.beyond_the_kept(request_id))
    finally:
        db_log.removeHandler(counter)
        db_log.setLevel(previous)
    assert counts[0] == counts[1]


def _pk(global_id: str) -> int:
    from schema.core.ids import from_global_id

    return from_global_id(global_id)[1]
