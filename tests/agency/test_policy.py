"""The agency's request policy and opening hours: staff read them, only an ADMIN sets them."""

from __future__ import annotations

import pytest

from models.enums import Role
from tests import factories

POLICY = (
    "query { agencyPolicy { minNoticeHours autoApprove absencePolicy lateCancellationBillable } }"
)
HOURS = "query { openingHours { weekday opensAt closesAt } }"

UPDATE_POLICY = """
mutation Update($input: UpdateAgencyPolicyInput!) {
  updateAgencyPolicy(input: $input) {
    policy { minNoticeHours autoApprove absencePolicy lateCancellationBillable }
    userErrors { field message code }
  }
}
"""

SET_HOURS = """
mutation Set($input: SetOpeningHoursInput!) {
  setOpeningHours(input: $input) {
    spans { weekday opensAt closesAt }
    userErrors { field message code }
  }
}
"""


@pytest.fixture
async def agency(api, settings, home_agency):
    agency_id = await factories.agency(settings)
    admin = await factories.log_in(api, await factories.staff(settings, agency_id, Role.ADMIN))
    advisor = await factories.log_in(api, await factories.staff(settings, agency_id, Role.ADVISOR))
    worker = await factories.log_in(api, await factories.staff(settings, agency_id, Role.WORKER))
    return agency_id, admin, advisor, worker


async def test_a_new_agency_has_sensible_defaults(api, agency):
    _, admin, advisor, _ = agency
    policy = (await api.data(POLICY, token=advisor))["agencyPolicy"]
    assert policy == {
        "minNoticeHours": 48,
        "autoApprove": False,
        "absencePolicy": "OFFER_RESCHEDULE",
        "lateCancellationBillable": True,
    }
    hours = (await api.data(HOURS, token=admin))["openingHours"]
    assert hours[0] == {"weekday": 0, "opensAt": "08:00:00", "closesAt": "19:00:00"}
    assert hours[-1] == {"weekday": 5, "opensAt": "09:00:00", "closesAt": "12:00:00"}


async def test_the_admin_changes_the_policy_partially(api, agency):
    _, admin, advisor, _ = agency
    first = await api.data(
        UPDATE_POLICY,
        {"input": {"minNoticeHours": 24, "autoApprove": True}},
        token=admin,
    )
    assert first["updateAgencyPolicy"]["userErrors"] == []
    second = await api.data(
        UPDATE_POLICY,
        {"input": {"absencePolicy": "CANCEL", "lateCancellationBillable": False}},
        token=admin,
    )
    assert second["updateAgencyPolicy"]["policy"] == {
        "minNoticeHours": 24,
        "autoApprove": True,
        "absencePolicy": "CANCEL",
        "lateCancellationBillable": False,
    }
    assert (await api.data(POLICY, token=advisor))["agencyPolicy"]["minNoticeHours"] == 24


@pytest.mark.parametrize("hours", [-1, 721])
async def test_a_notice_out_of_range_is_refused(api, agency, hours):
    _, admin, _, _ = agency
    result = await api.data(UPDATE_POLICY, {"input": {"minNoticeHours": hours}}, token=admin)
    payload = result["updateAgencyPolicy"]
    assert payload["policy"] is None
    assert payload["userErrors"][0]["code"] == "INVALID_NOTICE"


async def test_only_an_admin_changes_the_policy_and_hours(api, agency):
    _, _, advisor, worker = agency
    client_email, _ = await factories.client(api)
    client = await factories.log_in(api, client_email)
    for token in (advisor, worker, client):
        assert await api.error_code(UPDATE_POLICY, {"input": {"autoApprove": True}}, token) == (
            "FORBIDDEN"
        )
        assert await api.error_code(SET_HOURS, {"input": {"spans": []}}, token) == "FORBIDDEN"
    for token in (worker, client):
        assert await api.error_code(POLICY, token=token) == "FORBIDDEN"
    assert await api.error_code(POLICY) == "UNAUTHENTICATED"
    assert await api.error_code(SET_HOURS, {"input": {"spans": []}}) == "UNAUTHENTICATED"


async def test_each_admin_changes_their_own_agency_only(api, settings, agency):
    _, admin, advisor, _ = agency
    other_id = await factories.agency(settings)
    other_admin = await factories.log_in(api, await factories.staff(settings, other_id, Role.ADMIN))
    await api.data(UPDATE_POLICY, {"input": {"minNoticeHours": 1}}, token=other_admin)
    await api.data(
        SET_HOURS,
        {"input": {"spans": [{"weekday": 6, "opensAt": "10:00", "closesAt": "11:00"}]}},
        token=other_admin,
    )
    assert (await api.data(POLICY, token=advisor))["agencyPolicy"]["minNoticeHours"] == 48
    assert len((await api.data(HOURS, token=admin))["openingHours"]) == 6


async def test_the_admin_sets_the_week_and_clients_read_it(api, agency):
    _, admin, _, worker = agency
    spans = [
        {"weekday": 0, "opensAt": "08:00:00", "closesAt": "12:00:00"},
        {"weekday": 0, "opensAt": "14:00:00", "closesAt": "18:00:00"},
        {"weekday": 2, "opensAt": "07:30:00", "closesAt": "20:00:00"},
    ]
    result = await api.data(SET_HOURS, {"input": {"spans": spans[::-1]}}, token=admin)
    assert result["setOpeningHours"] == {"spans": spans, "userErrors": []}
    assert (await api.data(HOURS, token=worker))["openingHours"] == spans
    # An empty week goes back to the default hours.
    reset = await api.data(SET_HOURS, {"input": {"spans": []}}, token=admin)
    assert len(reset["setOpeningHours"]["spans"]) == 6


@pytest.mark.parametrize(
    ("spans", "code"),
    [
        ([{"weekday": 7, "opensAt": "08:00", "closesAt": "12:00"}], "INVALID_WEEKDAY"),
        ([{"weekday": 1, "opensAt": "12:00", "closesAt": "08:00"}], "END_BEFORE_START"),
        (
            [
                {"weekday": 1, "opensAt": "08:00", "closesAt": "12:00"},
                {"weekday": 1, "opensAt": "11:00", "closesAt": "13:00"},
            ],
            "OVERLAPPING_SPANS",
        ),
        ([{"weekday": 1, "opensAt": "08:00", "closesAt": "09:00"}] * 22, "TOO_MANY_SPANS"),
    ],
)
async def test_bad_hours_are_refused_and_nothing_changes(api, agency, spans, code):
    _, admin, _, _ = agency
    result = await api.data(SET_HOURS, {"input": {"spans": spans}}, token=admin)
    assert result["setOpeningHours"]["spans"] is None
    assert result["setOpeningHours"]["userErrors"][0]["code"] == code
    assert len((await api.data(HOURS, token=admin))["openingHours"]) == 6
