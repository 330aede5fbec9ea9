"""Webinars: the admin plans them, clients register once, before the start, within capacity."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from models.help import Webinar
from schema.core.ids import from_global_id
from tests.help.factories import CREATE_WEBINAR, REGISTER, later, webinar

CANCEL = """
mutation Cancel($input: WebinarRegistrationInput!) {
  cancelWebinarRegistration(input: $input) {
    webinar { id registered seatsLeft link }
    userErrors { field message code }
  }
}
"""

WEBINARS = """
query Webinars($includePast: Boolean) {
  webinars(includePast: $includePast, first: 50) {
    edges { node { id title registered seatsLeft link status } }
  }
}
"""

UPDATE = """
mutation Update($input: UpdateWebinarInput!) {
  updateWebinar(input: $input) { webinar { id capacity startsAt } userErrors { field code } }
}
"""

DELETE = """
mutation Delete($input: HelpContentInput!) {
  deleteWebinar(input: $input) { deletedId userErrors { field code } }
}
"""

UNPUBLISH = """
mutation Unpublish($input: HelpContentInput!) {
  unpublishWebinar(input: $input) { webinar { id status } userErrors { field code } }
}
"""


async def codes(api, document: str, webinar_id: str, token: str) -> list[str]:
    result = await api.data(document, {"input": {"webinarId": webinar_id}}, token=token)
    return [error["code"] for error in next(iter(result.values()))["userErrors"]]


async def test_a_client_registers_once_gets_the_link_and_may_cancel(api, team):
    planned = await webinar(api, team, capacity=2)
    listed = (await api.data(WEBINARS, token=team.client))["webinars"]["edges"]
    before = next(edge["node"] for edge in listed if edge["node"]["id"] == planned["id"])
    assert before["registered"] is False and before["link"] is None
    assert before["seatsLeft"] == 2

    done = await api.data(REGISTER, {"input": {"webinarId": planned["id"]}}, token=team.client)
    seat = done["registerForWebinar"]["webinar"]
    assert seat["registered"] is True and seat["seatsLeft"] == 1
    assert seat["link"] == "https://visio.example.com/salle/42"
    assert await codes(api, REGISTER, planned["id"], team.client) == ["ALREADY_REGISTERED"]

    cancelled = await api.data(CANCEL, {"input": {"webinarId": planned["id"]}}, token=team.client)
    assert cancelled["cancelWebinarRegistration"]["webinar"]["registered"] is False
    assert cancelled["cancelWebinarRegistration"]["webinar"]["seatsLeft"] == 2
    assert await codes(api, CANCEL, planned["id"], team.client) == ["NOT_REGISTERED"]


async def test_no_registration_beyond_capacity_even_at_once(api, team):
    planned = await webinar(api, team, capacity=1)
    tokens = [team.client] + [await team.another_client(api) for _ in range(4)]
    results = await asyncio.gather(
        *[
            api.data(REGISTER, {"input": {"webinarId": planned["id"]}}, token=token)
            for token in tokens
        ]
    )
    errors = [r["registerForWebinar"]["userErrors"] for r in results]
    assert sum(1 for e in errors if e == []) == 1
    assert sorted(e[0]["code"] for e in errors if e) == ["FULL"] * 4
    # A cancelled seat can be taken again.
    winner = tokens[errors.index([])]
    await api.data(CANCEL, {"input": {"webinarId": planned["id"]}}, token=winner)
    loser = tokens[(errors.index([]) + 1) % len(tokens)]
    assert await codes(api, REGISTER, planned["id"], loser) == []


async def test_no_registration_or_cancellation_once_started(api, team):
    planned = await webinar(api, team)
    await api.data(REGISTER, {"input": {"webinarId": planned["id"]}}, token=team.client)
    row = await Webinar.get(id=from_global_id(planned["id"])[1])
    row.starts_at -= timedelta(days=7, minutes=5)
    row.ends_at = row.starts_at + timedelta(minutes=row.duration_minutes)
    await row.save()
    other = await team.another_client(api)
    assert await codes(api, REGISTER, planned["id"], other) == ["ALREADY_STARTED"]
    assert await codes(api, CANCEL, planned["id"], team.client) == ["ALREADY_STARTED"]


async def test_drafts_are_hidden_from_clients_and_past_ones_listed_on_demand(api, team):
    draft = await webinar(api, team, publish=False, title="Brouillon de webinaire")
    assert await codes(api, REGISTER, draft["id"], team.client) == ["NOT_FOUND"]
    for_client = (await api.data(WEBINARS, token=team.client))["webinars"]["edges"]
    assert draft["id"] not in [edge["node"]["id"] for edge in for_client]
    for_staff = (await api.data(WEBINARS, token=team.advisor))["webinars"]["edges"]
    staff_view = next(edge["node"] for edge in for_staff if edge["node"]["id"] == draft["id"])
    assert staff_view["status"] == "DRAFT" and staff_view["link"].startswith("https://")

    past = await webinar(api, team, title="Webinaire passé")
    row = await Webinar.get(id=from_global_id(past["id"])[1])
    row.starts_at -= timedelta(days=30)
    row.ends_at = row.starts_at + timedelta(minutes=45)
    await row.save()
    upcoming = (await api.data(WEBINARS, token=team.client))["webinars"]["edges"]
    assert past["id"] not in [edge["node"]["id"] for edge in upcoming]
    everything = await api.data(WEBINARS, {"includePast": True}, token=team.client)
    assert past["id"] in [edge["node"]["id"] for edge in everything["webinars"]["edges"]]


async def test_webinar_input_is_checked(api, team):
    async def create_codes(**values) -> list[str]:
        data = {
            "title": "Atelier",
            "startsAt": later(days=3),
            "durationMinutes": 60,
            "link": "https://visio.example.com/x",
            "capacity": 10,
        }
        data.update(values)
        result = await api.data(CREATE_WEBINAR, {"input": data}, token=team.admin)
        return [error["code"] for error in result["createWebinar"]["userErrors"]]

    for link in (
        "http://visio.example.com/x",
        "javascript:alert(1)",
        "https://",
        "https://user:pw@visio.example.com/",
        "https://visio.example.com/a b",
        "https://visio.example.com:99999/",
        "https://x.fr/" + "a" * 500,
    ):
        assert await create_codes(link=link) == ["INVALID_URL"], link
    assert await create_codes(startsAt=later(hours=-1)) == ["DATE_IN_PAST"]
    assert await create_codes(startsAt=later(days=800)) == ["DATE_TOO_FAR"]
    assert await create_codes(startsAt="2030-01-01T10:00:00") == ["INVALID_DATE"]
    assert await create_codes(durationMinutes=5) == ["OUT_OF_RANGE"]
    assert await create_codes(capacity=0) == ["OUT_OF_RANGE"]
    assert await create_codes(capacity=10_001) == ["OUT_OF_RANGE"]
    assert await create_codes(title="") == ["INVALID_LENGTH"]
    assert await create_codes() == []


async def test_capacity_and_removal_respect_registered_clients(api, team):
    planned = await webinar(api, team, capacity=5)
    tokens = [team.client, await team.another_client(api)]
    for token in tokens:
        await api.data(REGISTER, {"input": {"webinarId": planned["id"]}}, token=token)
    lowered = await api.data(
        UPDATE, {"input": {"id": planned["id"], "capacity": 1}}, token=team.admin
    )
    assert lowered["updateWebinar"]["userErrors"] == [
        {"field": ["capacity"], "code": "BELOW_REGISTRATIONS"}
    ]
    moved = await api.data(
        UPDATE, {"input": {"id": planned["id"], "startsAt": later(days=9)}}, token=team.admin
    )
    assert moved["updateWebinar"]["userErrors"] == []
    for document, name in ((DELETE, "deleteWebinar"), (UNPUBLISH, "unpublishWebinar")):
        refused = await api.data(document, {"input": {"id": planned["id"]}}, token=team.admin)
        assert refused[name]["userErrors"] == [{"field": ["id"], "code": "HAS_REGISTRATIONS"}]
    for token in tokens:
        await api.data(CANCEL, {"input": {"webinarId": planned["id"]}}, token=token)
    deleted = await api.data(DELETE, {"input": {"id": planned["id"]}}, token=team.admin)
    assert deleted["deleteWebinar"]["deletedId"] == planned["id"]
