"""`node(id:)`: an object is shown to whom may see it; to anyone else it does not exist."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from models.accounts.people import AgencyPostalPrefix
from models.enums import Role
from schema.core.ids import to_global_id
from tests import factories

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Account { email role client { id } worker { id } agency { id } }
    ... on Client { clientNumber account { id email } }
    ... on Worker { employeeNumber account { id email } }
    ... on Agency { name }
    ... on Session { current device }
  }
}
"""

ME = "query { me { id client { id } worker { id } agency { id } } sessions { id current } }"


@dataclass
class Person:
    token: str
    account: str
    client: str | None
    worker: str | None
    agency: str
    session: str


@dataclass
class World:
    home_admin: Person
    home_advisor: Person
    home_worker: Person
    client: Person
    other_client: Person
    other_advisor: Person  # staff of another agency
    other_client_elsewhere: Person  # client of that other agency


async def _person(api, email: str) -> Person:
    token = await factories.log_in(api, email)
    data = await api.data(ME, token=token)
    me = data["me"]
    (session,) = [s["id"] for s in data["sessions"] if s["current"]]
    return Person(
        token=token,
        account=me["id"],
        client=me["client"]["id"] if me["client"] else None,
        worker=me["worker"]["id"] if me["worker"] else None,
        agency=me["agency"]["id"],
        session=session,
    )


@pytest.fixture(scope="module")
async def world(server, settings, home_agency) -> World:
    """Two agencies and their people, built once for the module."""
    api = server.api
    other = await factories.agency(settings)
    other_prefix = factories.postal_code(await _prefix_of(other))
    elsewhere, _ = await factories.client(
        api, billingAddress={"line1": "1 rue Haute", "postalCode": other_prefix, "city": "Ville"}
    )
    return World(
        home_admin=await _person(api, await factories.staff(settings, home_agency, Role.ADMIN)),
        home_advisor=await _person(api, await factories.staff(settings, home_agency, Role.ADVISOR)),
        home_worker=await _person(api, await factories.staff(settings, home_agency, Role.WORKER)),
        client=await _person(api, (await factories.client(api))[0]),
        other_client=await _person(api, (await factories.client(api))[0]),
        other_advisor=await _person(api, await factories.staff(settings, other, Role.ADVISOR)),
        other_client_elsewhere=await _person(api, elsewhere),
    )


async def _prefix_of(agency_id: int) -> str:
    return str((await AgencyPostalPrefix.get(agency_id=agency_id)).prefix)


async def node(api, viewer: Person, global_id: str) -> Any:
    result = await api.data(NODE, {"id": global_id}, token=viewer.token)
    return result["node"]


async def test_a_client_sees_itself_its_account_agency_and_sessions(api, world):
    me = world.client
    account = await node(api, me, me.account)
    assert account["__typename"] == "Account"
    assert account["id"] == me.account
    assert account["role"] == "CLIENT"
    assert account["client"] == {"id": me.client}
    assert account["agency"] == {"id": me.agency}

    client = await node(api, me, me.client)
    assert client["__typename"] == "Client"
    assert client["account"]["id"] == me.account
    assert client["clientNumber"].startswith("C")

    agency = await node(api, me, me.agency)
    assert agency == {"__typename": "Agency", "id": me.agency, "name": "Agence Paris Test"}

    session = await node(api, me, me.session)
    assert session["__typename"] == "Session"
    assert session["current"] is True


async def test_a_worker_sees_its_own_worker_node(api, world):
    me = world.home_worker
    worker = await node(api, me, me.worker)
    assert worker["__typename"] == "Worker"
    assert worker["account"]["id"] == me.account
    assert worker["employeeNumber"]
    account = await node(api, me, me.account)
    assert account["worker"] == {"id": me.worker}
    assert (await node(api, me, me.agency))["__typename"] == "Agency"


@pytest.mark.parametrize("staff", ["home_admin", "home_advisor"])
async def test_staff_see_the_people_of_their_agency(api, world, staff):
    viewer: Person = getattr(world, staff)
    client = await node(api, viewer, world.client.client)
    assert client["id"] == world.client.client
    assert client["account"]["id"] == world.client.account
    account = await node(api, viewer, world.client.account)
    assert account["client"] == {"id": world.client.client}
    worker = await node(api, viewer, world.home_worker.worker)
    assert worker["account"]["id"] == world.home_worker.account
    colleague = world.home_advisor if staff == "home_admin" else world.home_admin
    assert (await node(api, viewer, colleague.account))["id"] == colleague.account
    assert (await node(api, viewer, viewer.agency))["name"] == "Agence Paris Test"


@pytest.mark.parametrize(
    ("viewer", "target", "attribute"),
    [
        # Staff of another agency see nothing of this one.
        ("other_advisor", "client", "client"),
        ("other_advisor", "client", "account"),
        ("other_advisor", "home_worker", "worker"),
        ("other_advisor", "home_worker", "account"),
        ("other_advisor", "home_admin", "account"),
        ("other_advisor", "client", "agency"),
        # Nor do this agency's staff see another agency's clients.
        ("home_advisor", "other_client_elsewhere", "client"),
        ("home_admin", "other_client_elsewhere", "account"),
        ("home_admin", "other_advisor", "agency"),
        # A client sees no other client, no worker, no staff account.
        ("client", "other_client", "client"),
        ("client", "other_client", "account"),
        ("client", "home_worker", "worker"),
        ("client", "home_worker", "account"),
        ("client", "home_advisor", "account"),
        ("client", "other_advisor", "agency"),
        # A worker sees no client, colleague or staff account.
        ("home_worker", "client", "client"),
        ("home_worker", "client", "account"),
        ("home_worker", "home_advisor", "account"),
        # Sessions are their owner's only, even for staff of the agency.
        ("home_admin", "client", "session"),
        ("client", "other_client", "session"),
    ],
)
async def test_what_the_viewer_may_not_see_is_null(api, world, viewer, target, attribute):
    global_id = getattr(getattr(world, target), attribute)
    result = await api.gql(NODE, {"id": global_id}, token=getattr(world, viewer).token)
    assert "errors" not in result, result  # no error that would tell it exists
    assert result["data"] == {"node": None}


@pytest.mark.parametrize(
    "global_id",
    [
        to_global_id("Client", 2_000_000_000),
        to_global_id("Account", 2_000_000_000),
        to_global_id("Agency", 2_000_000_000),
        to_global_id("NoSuchType", 1),
        to_global_id("cursor", 1),
    ],
)
async def test_missing_objects_look_like_forbidden_ones(api, world, global_id):
    result = await api.gql(NODE, {"id": global_id}, token=world.home_admin.token)
    assert "errors" not in result, result
    assert result["data"] == {"node": None}


async def test_a_revoked_session_is_no_longer_a_node(api, world, home_agency, settings):
    email, _ = await factories.client(api)
    first = await _person(api, email)
    second = await _person(api, email)
    assert (await node(api, second, first.session))["current"] is False
    await api.data("mutation { logOut { ok } }", token=first.token)
    assert await node(api, second, first.session) is None


@pytest.mark.parametrize("global_id", ["garbage!", "", "Q2xpZW50OmFiYw", "x" * 200])
async def test_a_malformed_id_is_bad_input(api, world, global_id):
    code = await api.error_code(NODE, {"id": global_id}, world.home_admin.token)
    assert code == "BAD_USER_INPUT"


async def test_anonymous_callers_must_sign_in(api, world):
    assert await api.error_code(NODE, {"id": world.client.client}) == "UNAUTHENTICATED"
    assert await api.error_code(NODE, {"id": "garbage!"}) == "UNAUTHENTICATED"
