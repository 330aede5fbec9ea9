"""Notes, preferences, needs and access codes: the worker knows what to do, codes stay secret."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from cryptography.fernet import Fernet

from models.households.profile import HouseholdProfile
from services.config import ConfigError, Settings
from services.sealing import Sealer, SealError
from tests.factories import SECRET, at, household, office, soon, visit, weekday_ahead

UPDATE = """
mutation Update($input: UpdateHouseholdProfileInput!) {
  updateHouseholdProfile(input: $input) {
    household { favourProducts avoidProducts instructions hasAccessCodes accessCodes
                reducedMobility pets allergies }
    userErrors { field code }
  }
}
"""

MINE = "query { myHousehold { instructions hasAccessCodes accessCodes largeFamily } }"

STAFF = """
query Staff($id: ID!) { clientHousehold(clientId: $id) { accessCodes allergies } }
"""

BRIEFING = """
query Briefing($id: ID!) {
  visitBriefing(interventionId: $id) {
    interventionId note
    household { instructions avoidProducts hasAccessCodes accessCodes reducedMobility pets }
  }
}
"""

NOTE = """
mutation Note($input: SetVisitNoteInput!) {
  setVisitNote(input: $input) { briefing { note } userErrors { field code } }
}
"""

CODES = "Boîte à clés 4821, portail A1234"


async def profile(api, token, **values) -> dict[str, Any]:
    result = await api.data(UPDATE, {"input": values}, token=token)
    return dict(result["updateHouseholdProfile"])


async def brief(api, token, visit_id) -> dict[str, Any] | None:
    return (await api.data(BRIEFING, {"id": visit_id}, token=token))["visitBriefing"]  # type: ignore[no-any-return]


async def brief_both_ways(api, server, token, visit_id) -> dict[str, Any] | None:
    """`brief`, answered by the planner and by graphql-core (the planner off): the same."""
    planner = server.app.state.planner
    before = planner.answered
    planned = await api.gql(BRIEFING, {"id": visit_id}, token)
    # A briefing the viewer may see is planned; none is graphql-core's to say.
    assert planner.answered == before + (planned["data"]["visitBriefing"] is not None)
    planner.enabled = False
    try:
        plain = await api.gql(BRIEFING, {"id": visit_id}, token)
    finally:
        planner.enabled = True
    assert planned == plain
    return planned["data"]["visitBriefing"]  # type: ignore[no-any-return]


async def test_codes_are_encrypted_and_never_shown_back_to_the_client(api, settings, team):
    saved = await profile(
        api,
        team.client,
        accessCodes=CODES,
        instructions="Arroser les plantes",
        avoidProducts="Eau de Javel",
        reducedMobility=True,
        pets="Un chat",
        allergies="Acariens",
    )
    assert saved["userErrors"] == []
    assert saved["household"]["hasAccessCodes"] is True
    assert saved["household"]["accessCodes"] is None
    mine = (await api.data(MINE, token=team.client))["myHousehold"]
    assert mine == {
        "instructions": "Arroser les plantes",
        "hasAccessCodes": True,
        "accessCodes": None,
        "largeFamily": False,
    }
    row = await HouseholdProfile.get(client__account__email=team.client_email)
    assert "4821" not in row.access_codes_sealed and row.access_codes_sealed
    assert Sealer("", SECRET).open(row.access_codes_sealed) == CODES
    with pytest.raises(SealError):
        Sealer("", "another-secret-key-of-sufficient-length-000").open(row.access_codes_sealed)
    staff = (await api.data(STAFF, {"id": team.client_id}, token=team.advisor))["clientHousehold"]
    assert staff == {"accessCodes": CODES, "allergies": "Acariens"}


async def test_the_assigned_worker_gets_the_codes_on_the_day_only(
    daytime, api, server, settings, mailbox, team
):
    # "Today's visit" starts in minutes: at 23:57 it would be tomorrow's (daytime).
    await profile(api, team.client, accessCodes=CODES, instructions="Fermer le portail")
    today = await visit(api, team, soon(0.05, 1))
    later = await visit(api, team, at(weekday_ahead(), 10))
    on_the_day = await brief_both_ways(api, server, team.worker, today)
    assert on_the_day is not None
    assert on_the_day["household"]["accessCodes"] == CODES
    assert on_the_day["household"]["instructions"] == "Fermer le portail"
    ahead = await brief_both_ways(api, server, team.worker, later)
    assert ahead is not None and ahead["household"]["accessCodes"] is None
    assert ahead["household"]["hasAccessCodes"] is True
    # Nobody else: another worker of the agency, another client, staff of another agency.
    other_worker_visit = await visit(api, team, at(weekday_ahead(), 15), team.other_worker_id)
    assert (await brief_both_ways(api, server, team.worker, other_worker_visit)) is None
    stranger = await household(api, mailbox, team.postal_code)
    assert (await brief_both_ways(api, server, stranger["token"], today)) is None
    elsewhere = await office(api, settings, mailbox)
    assert (await brief_both_ways(api, server, elsewhere.advisor, today)) is None
    assert (await brief_both_ways(api, server, elsewhere.worker, today)) is None
    outsider = await api.data(STAFF, {"id": team.client_id}, token=elsewhere.advisor)
    assert outsider["clientHousehold"] is None
    # The client reads its own briefing, without the codes; staff read them.
    own = await brief_both_ways(api, server, team.client, today)
    assert own is not None and own["household"]["accessCodes"] is None
    staff = await brief_both_ways(api, server, team.advisor, later)
    assert staff is not None and staff["household"]["accessCodes"] == CODES
    assert await api.error_code(BRIEFING, {"id": today}) == "UNAUTHENTICATED"


async def test_a_note_on_a_visit_reaches_its_worker(api, mailbox, team):
    visit_id = await visit(api, team, at(weekday_ahead(), 10))
    await profile(api, team.client, reducedMobility=True, pets="Deux chiens")
    note = "Ma fille dort dans la chambre du fond : commencer par le salon."
    result = await api.data(
        NOTE, {"input": {"interventionId": visit_id, "note": note}}, token=team.client
    )
    assert result["setVisitNote"] == {"briefing": {"note": note}, "userErrors": []}
    seen = await brief(api, team.worker, visit_id)
    assert seen is not None and seen["note"] == note
    assert (
        seen["household"]["reducedMobility"] is True and seen["household"]["pets"] == "Deux chiens"
    )
    cleared = await api.data(
        NOTE, {"input": {"interventionId": visit_id, "note": " "}}, token=team.client
    )
    assert cleared["setVisitNote"]["briefing"]["note"] == ""
    stranger = await household(api, mailbox, team.postal_code)
    theirs = await api.data(
        NOTE, {"input": {"interventionId": visit_id, "note": "x"}}, token=stranger["token"]
    )
    assert theirs["setVisitNote"]["userErrors"][0]["code"] == "NOT_FOUND"
    too_long = await api.data(
        NOTE, {"input": {"interventionId": visit_id, "note": "x" * 1001}}, token=team.client
    )
    assert too_long["setVisitNote"]["userErrors"][0]["code"] == "TOO_LONG"
    for token in (team.worker, team.advisor):
        code = await api.error_code(
            NOTE, {"input": {"interventionId": visit_id, "note": "x"}}, token
        )
        assert code == "FORBIDDEN"


async def test_no_note_on_a_visit_under_way(api, team):
    visit_id = await visit(api, team, soon(0.05, 1))
    check_in = (
        "mutation($id: ID!) { checkIn(input: {interventionId: $id}) { userErrors { code } } }"
    )
    await api.data(check_in, {"id": visit_id}, token=team.worker)
    result = await api.data(
        NOTE, {"input": {"interventionId": visit_id, "note": "x"}}, token=team.client
    )
    assert result["setVisitNote"]["userErrors"][0]["code"] == "NOT_EDITABLE"


@pytest.mark.parametrize(
    ("field", "limit"),
    [("favourProducts", 500), ("instructions", 1000), ("accessCodes", 500), ("pets", 200)],
)
async def test_long_texts_are_refused(api, team, field, limit):
    result = await profile(api, team.client, **{field: "x" * (limit + 1)})
    assert result["household"] is None
    assert result["userErrors"] == [{"field": [field], "code": "TOO_LONG"}]


async def test_only_the_client_edits_its_profile(api, team):
    for token in (team.worker, team.advisor):
        assert await api.error_code(UPDATE, {"input": {"pets": "x"}}, token) == "FORBIDDEN"
        assert await api.error_code(MINE, token=token) == "FORBIDDEN"
    assert await api.error_code(UPDATE, {"input": {"pets": "x"}}) == "UNAUTHENTICATED"
    for token in (team.worker, team.client):
        assert await api.error_code(STAFF, {"id": team.client_id}, token) == "FORBIDDEN"


async def test_codes_never_reach_the_logs(daytime, api, team, caplog):
    caplog.set_level(logging.DEBUG)  # SQL statements and their parameters included
    await profile(api, team.client, accessCodes="Digicode 9F31B")
    visit_id = await visit(api, team, soon(0.05, 1))
    seen = await brief(api, team.worker, visit_id)
    assert seen is not None and seen["household"]["accessCodes"] == "Digicode 9F31B"
    assert caplog.records and "9F31B" not in caplog.text


def test_a_dedicated_encryption_key_is_checked_and_used():
    with pytest.raises(ConfigError, match="DATA_ENCRYPTION_KEY"):
        Settings(data_encryption_key="not-a-fernet-key").validate()
    key = Fernet.generate_key().decode()
    assert Settings(data_encryption_key=key).validate().data_encryption_key == key
    sealed = Sealer(key, SECRET).seal(CODES)
    assert Sealer(key, "whatever").open(sealed) == CODES
    with pytest.raises(SealError):
        Sealer("", SECRET).open(sealed)  # the key derived from SECRET_KEY is another key
    assert key not in repr(Settings(data_encryption_key=key))
