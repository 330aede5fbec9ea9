"""Partner applications and API keys (issue 18), through the public API."""

from __future__ import annotations

from typing import Any

from models.enums import Role
from services.config import Settings
from tests import factories
from tests.client import Api

REGISTER = """
mutation Register($input: RegisterPartnerApplicationInput!) {
  registerPartnerApplication(input: $input) {
    application { id name description createdAt disabledAt }
    userErrors { field message code }
  }
}
"""

APPLICATIONS = "query { partnerApplications { id name } }"


async def _admin(api: Api, settings: Settings, agency_id: int | None = None) -> tuple[int, str]:
    """A new agency (unless given) and a signed-in ADMIN of it: (agency id, token)."""
    agency_id = agency_id or await factories.agency(settings)
    email = await factories.staff(settings, agency_id, Role.ADMIN)
    return agency_id, await factories.log_in(api, email)


async def _register(api: Api, token: str, name: str = "Compta") -> dict[str, Any]:
    result = await api.data(
        REGISTER, {"input": {"name": name, "description": "Logiciel comptable"}}, token
    )
    payload = result["registerPartnerApplication"]
    assert payload["userErrors"] == [], payload
    return dict(payload["application"])


async def test_an_admin_registers_applications_its_agency_alone_sees(
    api: Api, settings: Settings
) -> None:
    _, admin = await _admin(api, settings)
    _, other_admin = await _admin(api, settings)

    application = await _register(api, admin, "Compta")
    assert application["name"] == "Compta" and application["disabledAt"] is None

    listed = await api.data(APPLICATIONS, token=admin)
    assert [a["id"] for a in listed["partnerApplications"]] == [application["id"]]
    assert (await api.data(APPLICATIONS, token=other_admin))["partnerApplications"] == []

    again = await api.data(REGISTER, {"input": {"name": "Compta"}}, admin)
    assert again["registerPartnerApplication"]["userErrors"][0]["code"] == "TAKEN"
    too_long = await api.data(REGISTER, {"input": {"name": "x" * 101}}, admin)
    assert too_long["registerPartnerApplication"]["userErrors"][0]["field"] == ["name"]


async def test_only_an_admin_registers_or_lists_applications(api: Api, settings: Settings) -> None:
    agency_id, _ = await _admin(api, settings)
    advisor = await factories.log_in(api, await factories.staff(settings, agency_id, Role.ADVISOR))
    assert await api.error_code(REGISTER, {"input": {"name": "X"}}, advisor) == "FORBIDDEN"
    assert await api.error_code(APPLICATIONS, token=advisor) == "FORBIDDEN"
    assert await api.error_code(APPLICATIONS) == "UNAUTHENTICATED"
