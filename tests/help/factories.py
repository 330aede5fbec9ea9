"""A help-centre cast: an agency with its admin, advisor, worker and a client, all signed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from models.accounts.people import AgencyPostalPrefix, Client
from models.enums import Role
from schema.core.ids import to_global_id
from tests import factories
from tests.client import Api

CREATE_ARTICLE = """
mutation Create($input: CreateHelpArticleInput!) {
  createHelpArticle(input: $input) {
    helpArticle { id slug kind category title body bodyHtml shared status publishedAt }
    userErrors { field message code }
  }
}
"""

PUBLISH_ARTICLE = """
mutation Publish($input: HelpContentInput!) {
  publishHelpArticle(input: $input) {
    helpArticle { id status publishedAt }
    userErrors { field message code }
  }
}
"""

CREATE_WEBINAR = """
mutation CreateWebinar($input: CreateWebinarInput!) {
  createWebinar(input: $input) {
    webinar { id title startsAt endsAt capacity seatsLeft link status }
    userErrors { field message code }
  }
}
"""

PUBLISH_WEBINAR = """
mutation PublishWebinar($input: HelpContentInput!) {
  publishWebinar(input: $input) { webinar { id status } userErrors { field message code } }
}
"""


@dataclass
class Cast:
    agency_id: int
    postal_code: str
    admin: str
    advisor: str
    worker: str
    client: str
    client_pk: int

    async def another_client(self, api: Api) -> str:
        email, _ = await factories.client(api, billingAddress=address(self.postal_code))
        return await factories.log_in(api, email)


def address(postal_code: str) -> dict[str, str]:
    return {"line1": "3 place de la Mairie", "postalCode": postal_code, "city": "Villeneuve"}


async def cast(api: Api, settings: Any) -> Cast:
    agency_id = await factories.agency(settings)
    prefix = (await AgencyPostalPrefix.get(agency_id=agency_id)).prefix
    postal_code = factories.postal_code(prefix)
    admin, advisor, worker = [
        await factories.log_in(api, await factories.staff(settings, agency_id, role))
        for role in (Role.ADMIN, Role.ADVISOR, Role.WORKER)
    ]
    email, _ = await factories.client(api, billingAddress=address(postal_code))
    client = await Client.get(account__email=email)
    token = await factories.log_in(api, email)
    return Cast(agency_id, postal_code, admin, advisor, worker, token, client.id)


async def article(
    api: Api, team: Cast, title: str, body: str, publish: bool = True, **values: Any
) -> dict[str, Any]:
    """An article written (and by default published) by the cast's admin."""
    data = {"kind": "ARTICLE", "category": "HOUSEKEEPING_TIPS", "title": title, "body": body}
    data.update(values)
    result = await api.data(CREATE_ARTICLE, {"input": data}, token=team.admin)
    payload = result["createHelpArticle"]
    assert payload["userErrors"] == [], payload
    if publish:
        published = await api.data(
            PUBLISH_ARTICLE, {"input": {"id": payload["helpArticle"]["id"]}}, token=team.admin
        )
        assert published["publishHelpArticle"]["helpArticle"]["status"] == "PUBLISHED"
    return dict(payload["helpArticle"])


def later(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).replace(microsecond=0).isoformat()


async def webinar(api: Api, team: Cast, publish: bool = True, **values: Any) -> dict[str, Any]:
    data = {
        "title": "Le crédit d'impôt en 30 minutes",
        "startsAt": later(days=7),
        "durationMinutes": 45,
        "link": "https://visio.example.com/salle/42",
        "capacity": 20,
    }
    data.update(values)
    result = await api.data(CREATE_WEBINAR, {"input": data}, token=team.admin)
    payload = result["createWebinar"]
    assert payload["userErrors"] == [], payload
    if publish:
        await api.data(
            PUBLISH_WEBINAR, {"input": {"id": payload["webinar"]["id"]}}, token=team.admin
        )
    return dict(payload["webinar"])


def client_gid(team: Cast) -> str:
    return to_global_id("Client", team.client_pk)


REGISTER = """
mutation Register($input: WebinarRegistrationInput!) {
  registerForWebinar(input: $input) {
    webinar { id registered seatsLeft registrationCount link }
    userErrors { field message code }
  }
}
"""

CATEGORIES = "query { helpCategories { code label articleCount } }"
