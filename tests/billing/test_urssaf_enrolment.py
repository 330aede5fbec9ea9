"""Enrolling households with URSSAF through the API, against the stand-in over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from models.billing.tax_credit import ClientBillingProfile
from models.billing.urssaf import UrssafEnrolment, UrssafExchange
from resolvers.billing.urssaf import personal_data
from tests.billing import factories as bh
from tests.billing.urssaf_helpers import ENROLMENT, IBAN, enrol


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def test_staff_enrol_a_household_which_is_enrolled_once_urssaf_gave_its_id(
    agency_app, settings, sandbox
):
    t = await bh.team(agency_app.api, settings)
    payload = await enrol(agency_app.api, t.staff_token, t.client_id)
    assert payload["userErrors"] == []
    enrolment = payload["enrolment"]
    assert enrolment["status"] == "ENROLLED"
    assert enrolment["urssafId"] in sandbox.ledger.households
    assert enrolment["iban"] == "**** 0189" and enrolment["mobile"] == "+33612345678"
    # The advance is on for the household's next invoices.
    profile = await ClientBillingProfile.get(client_id=t.client_id)
    assert profile.advance_enrolled
    # The IBAN is sealed at rest; the audit keeps neither it nor the client secret.
    row = await UrssafEnrolment.get(client_id=t.client_id)
    assert "30006000011234567890189" not in row.iban_sealed
    audit = await UrssafExchange.filter(operation__in=["token", "particulier"]).order_by("-id")
    text = " ".join(a.request_body + a.response_body for a in audit[:4])
    assert "FR76" in text and "0189" in text
    assert "3000600001123456789" not in text and "secret-de-test" not in text
    # The household sees its enrolment; a second enrolment is refused.
    seen = await agency_app.api.data(ENROLMENT, token=t.client_token)
    assert seen["urssafEnrolment"]["status"] == "ENROLLED"
    again = await enrol(agency_app.api, t.staff_token, t.client_id)
    assert codes(again) == ["ALREADY_ENROLLED"]


async def test_a_household_enrols_itself(agency_app, settings, sandbox):
    t = await bh.team(agency_app.api, settings)
    payload = await enrol(agency_app.api, t.client_token, None, civility="MONSIEUR")
    assert payload["userErrors"] == [] and payload["enrolment"]["status"] == "ENROLLED"
    # Someone else's household is out of reach, for a household and for other staff.
    other = await bh.team(agency_app.api, settings)
    assert codes(await enrol(agency_app.api, t.client_token, other.client_id)) == ["NOT_FOUND"]
    assert codes(await enrol(agency_app.api, other.staff_token, t.client_id)) == ["NOT_FOUND"]


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"birthName": "Dupont2"}, "birthName", "INVALID_NAME"),
        ({"firstNames": "-Jean"}, "firstNames", "INVALID_NAME"),
        ({"birthDate": "2099-01-01"}, "birthDate", "INVALID_DATE"),
        ({"birthCountryCode": "100"}, "birthCountryCode", "INVALID_INSEE_CODE"),
        ({"birthCommuneCode": "7505"}, "birthCommuneCode", "INVALID_INSEE_CODE"),
        ({"birthCountryCode": "99134"}, "birthCommuneCode", "INVALID_INSEE_CODE"),
        ({"communeCode": "ABCDE"}, "communeCode", "INVALID_INSEE_CODE"),
        ({"postalCode": "9231"}, "postalCode", "INVALID"),
        ({"mobile": "01 45 67 89 10"}, "mobile", "INVALID_PHONE"),
        ({"mobile": "+44 7911 123456"}, "mobile", "INVALID_PHONE"),
        ({"iban": "FR76 3000 6000 0112 3456 7890 188"}, "iban", "INVALID_IBAN"),
        ({"bic": "BNP"}, "bic", "INVALID_BIC"),
        ({"email": "pas-une-adresse"}, "email", "INVALID_EMAIL"),
        ({"streetName": "", "addressComplement": ""}, "streetName", "REQUIRED"),
    ],
)
async def test_nothing_goes_to_urssaf_before_every_field_is_right(
    agency_app, settings, sandbox, overrides, field, code
):
    t = await bh.team(agency_app.api, settings)
    payload = await enrol(agency_app.api, t.staff_token, t.client_id, **overrides)
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [([field], code)]
    assert all(e["message"] for e in payload["userErrors"])
    assert payload["enrolment"] is None
    assert sandbox.ledger.households == {}
    assert not await UrssafEnrolment.exists(client_id=t.client_id)


@pytest.mark.parametrize(
    ("overrides", "code", "words"),
    [
        ({"birthName": "Inconnu"}, "ERR_DGFIP_R2P_INCONNU", "état civil"),
        ({"birthName": "Nondeclarant"}, "ERR_DGFIP_IMPOTPART_INCONNU", "déclaration de revenus"),
        ({"birthName": "Bloque"}, "ERR_COMPTE_BLOQUE", "bloqué"),
        ({"bic": "DEUTDEFFXXX"}, "ERR_COORDONNEES_BANCAIRES", "coordonnées bancaires"),
    ],
)
async def test_urssaf_coded_refusals_come_back_in_french(
    agency_app, settings, sandbox, overrides, code, words
):
    t = await bh.team(agency_app.api, settings)
    payload = await enrol(agency_app.api, t.staff_token, t.client_id, **overrides)
    [error] = payload["userErrors"]
    assert error["code"] == code and words in error["message"]
    enrolment = payload["enrolment"]
    assert (enrolment["status"], enrolment["urssafId"], enrolment["errorCode"]) == (
        "REFUSED",
        None,
        code,
    )
    profile = await ClientBillingProfile.get_or_none(client_id=t.client_id)
    assert profile is None or not profile.advance_enrolled
    # Corrected, the same household is enrolled.
    fixed = await enrol(agency_app.api, t.staff_token, t.client_id)
    assert fixed["userErrors"] == [] and fixed["enrolment"]["status"] == "ENROLLED"


async def test_one_e_mail_and_mobile_pair_belongs_to_one_household(agency_app, settings, sandbox):
    first, second = await bh.team(agency_app.api, settings), await bh.team(agency_app.api, settings)
    pair = {"email": "partage@example.com", "mobile": "07 81 23 45 67"}
    assert (await enrol(agency_app.api, first.staff_token, first.client_id, **pair))[
        "userErrors"
    ] == []
    payload = await enrol(
        agency_app.api, second.staff_token, second.client_id, birthName="Martin", **pair
    )
    assert codes(payload) == ["ERREUR_REFERENCE_PARTICULIER_EXISTANTE_TYPE"]
    assert payload["userErrors"][0]["field"] == ["email"]
    # Both calls went out with the one token the process asked for (cached).
    assert len(sandbox.ledger.tokens) == 1


async def test_urssaf_down_leaves_the_enrolment_pending(agency_app, settings, sandbox):
    t = await bh.team(agency_app.api, settings)
    await sandbox.stop()
    payload = await enrol(agency_app.api, t.staff_token, t.client_id)
    assert codes(payload) == ["URSSAF_UNAVAILABLE"]
    assert payload["enrolment"]["status"] == "PENDING"
    failed = await UrssafExchange.filter(status=None).order_by("-id").first()
    assert failed is not None and failed.error


async def test_without_urssaf_credentials_enrolment_is_not_open(api, settings):
    t = await bh.team(api, settings)
    payload = await enrol(api, t.staff_token, t.client_id, iban=IBAN)
    assert codes(payload) == ["URSSAF_NOT_CONFIGURED"]


async def test_the_household_urssaf_data_can_be_exported_and_erased(agency_app, settings, sandbox):
    t = await bh.team(agency_app.api, settings)
    assert (await enrol(agency_app.api, t.staff_token, t.client_id))["userErrors"] == []
    exported = await personal_data.export(t.client_id)
    assert exported["enrolment"]["birthName"] == "Béranger"
    assert exported["enrolment"]["iban"] == "**** 0189"
    assert await UrssafExchange.exists(client_id=t.client_id)
    await personal_data.erase(t.client_id)
    assert not await UrssafEnrolment.exists(client_id=t.client_id)
    assert not await UrssafExchange.exists(client_id=t.client_id)
    assert (await personal_data.export(t.client_id))["enrolment"] is None
