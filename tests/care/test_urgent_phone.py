"""The phone channel: a number for urgent matters only, shown to staff on the household's card."""

from __future__ import annotations

from models.enums import Role
from tests import factories

UPDATE = """
mutation Update($input: UpdateContactPreferencesInput!) {
  updateContactPreferences(input: $input) { preferences { urgentPhone } userErrors { field code } }
}
"""
READ = "query { contactPreferences { urgentPhone } }"
CARD = "query Card($id: ID!) { clientHousehold(clientId: $id) { clientId urgentPhone } }"


async def test_a_household_gives_an_urgent_number_that_its_agency_sees(api, office, settings):
    changed = await api.data(
        UPDATE, {"input": {"urgentPhone": "06 98 76 54 32"}}, token=office.client
    )
    assert changed["updateContactPreferences"] == {
        "preferences": {"urgentPhone": "+33698765432"},
        "userErrors": [],
    }
    assert (await api.data(READ, token=office.client))["contactPreferences"] == {
        "urgentPhone": "+33698765432"
    }
    card = (await api.data(CARD, {"id": office.client_id}, token=office.advisor))["clientHousehold"]
    assert card["urgentPhone"] == "+33698765432"

    elsewhere = await factories.agency(settings, [], name="Autre agence")
    stranger = await factories.log_in(api, await factories.staff(settings, elsewhere, Role.ADVISOR))
    assert (await api.data(CARD, {"id": office.client_id}, token=stranger))[
        "clientHousehold"
    ] is None

    # Leaving it out keeps it; an empty string removes it; a wrong number is refused.
    kept = await api.data(UPDATE, {"input": {"topics": []}}, token=office.client)
    assert kept["updateContactPreferences"]["preferences"] == {"urgentPhone": "+33698765432"}
    wrong = await api.data(UPDATE, {"input": {"urgentPhone": "12"}}, token=office.client)
    assert wrong["updateContactPreferences"]["userErrors"] == [
        {"field": ["urgentPhone"], "code": "INVALID_PHONE"}
    ]
    removed = await api.data(UPDATE, {"input": {"urgentPhone": ""}}, token=office.client)
    assert removed["updateContactPreferences"]["preferences"] == {"urgentPhone": None}
    card = (await api.data(CARD, {"id": office.client_id}, token=office.advisor))["clientHousehold"]
    assert card["urgentPhone"] is None
