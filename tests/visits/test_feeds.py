"""Secret .ics links: a calendar app sees the visits, until the link is revoked."""

from __future__ import annotations

from urllib.parse import urlsplit

from icalendar import Calendar

from tests.factories import schedule, setup_agency

CREATE = "mutation { createCalendarFeed { url feed { id } } }"
REVOKE = "mutation Revoke($id: ID!) { revokeCalendarFeed(id: $id) { ok } }"
FEEDS = "query { calendarFeeds { id createdAt } }"


async def test_a_client_subscribes_a_calendar_app_to_their_visits(api, settings, home_agency):
    team = await setup_agency(api, settings, home_agency)
    visit = (await schedule(api, team, hours_from_now=30))["intervention"]
    created = (await api.data(CREATE, token=team.client_token))["createCalendarFeed"]
    path = urlsplit(created["url"]).path
    assert path.startswith("/calendar/ics_") and path.endswith(".ics")

    response = await api.http.get(path)  # no Authorization: calendar apps have none
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Ménage régulier — Claire"]
    assert str(events[0]["LOCATION"]) == "12 rue de Charonne, 75011 Paris"
    assert events[0].decoded("DTSTART").isoformat().startswith(visit["scheduledStart"][:16])

    listed = (await api.data(FEEDS, token=team.client_token))["calendarFeeds"]
    assert [f["id"] for f in listed] == [created["feed"]["id"]]
    assert (await api.data(REVOKE, {"id": created["feed"]["id"]}, token=team.client_token))[
        "revokeCalendarFeed"
    ]["ok"]
    assert (await api.http.get(path)).status_code == 404
    assert (await api.http.get("/calendar/ics_forged.ics")).status_code == 404


async def test_feed_links_are_personal(api, settings, home_agency):
    team = await setup_agency(api, settings, home_agency)
    other = await setup_agency(api, settings, home_agency)
    created = (await api.data(CREATE, token=team.worker_token))["createCalendarFeed"]
    assert (
        await api.error_code(REVOKE, {"id": created["feed"]["id"]}, token=other.worker_token)
        == "NOT_FOUND"
    )
    assert await api.error_code(CREATE, token=team.staff_token) == "FORBIDDEN"
    assert await api.error_code(CREATE) == "UNAUTHENTICATED"
