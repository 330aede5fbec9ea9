"""News of the agency: drafts, scheduled publication, expiry, newest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.help import NewsItem
from schema.core.ids import from_global_id
from tests.help.factories import Cast, later

CREATE = """
mutation Create($input: CreateNewsItemInput!) {
  createNewsItem(input: $input) {
    newsItem { id kind title body bodyHtml status publishedAt expiresAt }
    userErrors { field message code }
  }
}
"""
PUBLISH = """
mutation Publish($input: PublishNewsItemInput!) {
  publishNewsItem(input: $input) { newsItem { id status } userErrors { field code } }
}
"""
UPDATE = """
mutation Update($input: UpdateNewsItemInput!) {
  updateNewsItem(input: $input) { newsItem { id title expiresAt } userErrors { field code } }
}
"""
NEWS = "query { newsItems(first: 50) { edges { node { id title status } } } }"


async def create(api, team: Cast, title: str, **values) -> str:
    data = {"kind": "AGENCY_OPENING", "title": title, "body": "Venez nous voir **lundi**."}
    data.update(values)
    result = await api.data(CREATE, {"input": data}, token=team.admin)
    assert result["createNewsItem"]["userErrors"] == [], result
    return str(result["createNewsItem"]["newsItem"]["id"])


async def titles(api, token: str) -> list[str]:
    return [e["node"]["title"] for e in (await api.data(NEWS, token=token))["newsItems"]["edges"]]


async def test_clients_see_published_unexpired_news_newest_first(api, team):
    first = await create(api, team, "Ouverture à Vincennes")
    second = await create(api, team, "Offre de printemps", expiresAt=later(days=30))
    await create(api, team, "Brouillon d'actualité")
    scheduled = await create(api, team, "Nouveaux horaires")
    for news_id in (first, second):
        await api.data(PUBLISH, {"input": {"id": news_id}}, token=team.admin)
    later_on = await api.data(
        PUBLISH, {"input": {"id": scheduled, "publishAt": later(days=2)}}, token=team.admin
    )
    assert later_on["publishNewsItem"]["newsItem"]["status"] == "SCHEDULED"

    assert await titles(api, team.client) == ["Offre de printemps", "Ouverture à Vincennes"]
    staff_titles = await titles(api, team.advisor)
    assert {"Brouillon d'actualité", "Nouveaux horaires"} <= set(staff_titles)

    row = await NewsItem.get(id=from_global_id(second)[1])
    row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    await row.save(update_fields=["expires_at"])
    assert await titles(api, team.client) == ["Ouverture à Vincennes"]
    expired = [e["node"] for e in (await api.data(NEWS, token=team.admin))["newsItems"]["edges"]]
    assert {"id": second, "title": "Offre de printemps", "status": "EXPIRED"} in expired


async def test_news_input_is_checked(api, team):
    async def codes(**values) -> list[str]:
        data = {"kind": "OFFER", "title": "Offre", "body": "Texte."}
        data.update(values)
        result = await api.data(CREATE, {"input": data}, token=team.admin)
        return [error["code"] for error in result["createNewsItem"]["userErrors"]]

    assert await codes(expiresAt=later(days=-1)) == ["DATE_IN_PAST"]
    assert await codes(expiresAt=later(days=900)) == ["DATE_TOO_FAR"]
    assert await codes(title="ab", body="") == ["INVALID_LENGTH", "INVALID_LENGTH"]
    expiring = await create(api, team, "Bientôt fini", expiresAt=later(days=1))
    too_late = await api.data(
        PUBLISH, {"input": {"id": expiring, "publishAt": later(days=2)}}, token=team.admin
    )
    assert too_late["publishNewsItem"]["userErrors"] == [
        {"field": ["publishAt"], "code": "EXPIRES_BEFORE_PUBLISHED"}
    ]
    cleared = await api.data(
        UPDATE, {"input": {"id": expiring, "clearExpiry": True}}, token=team.admin
    )
    assert cleared["updateNewsItem"]["newsItem"]["expiresAt"] is None
