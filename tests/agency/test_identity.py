"""The agency's legal identity: set by ADMIN or the command line, read by its people,
required before invoicing."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from models.accounts.people import Agency
from models.billing.invoices import Invoice, InvoiceCounter
from models.enums import Role
from schema.core.ids import from_global_id
from services.clock import utcnow
from tests import factories
from tests.billing import factories as bh
from tests.billing.factories import paris
from tests.cli.commands import Cli, last_line

UPDATE = """
mutation U($input: UpdateAgencyIdentityInput!) {
  updateAgencyIdentity(input: $input) {
    agency { name legalName phone email siret sapNumber sapDeclaredOn vatRegime
             address { line1 line2 postalCode city } }
    userErrors { field message code }
  }
}
"""
MY_AGENCY = """
query { me { agency { name legalName phone email siret sapNumber sapDeclaredOn vatRegime
                      address { line1 postalCode city }
                      openingHours { weekday opensAt closesAt } } } }
"""
IDENTITY = {
    "legalName": "Ménage Île-de-France SAS",
    "addressLine1": "12 rue de la Convention",
    "postalCode": "75015",
    "city": "Paris",
    "phone": "01 45 67 89 10",
    "email": "Contact@Menage-IDF.example",
    "siret": "732 829 320 00074",
    "sapNumber": "SAP732829320",
    "sapDeclaredOn": "2018-06-01",
    "vatRegime": "SUBJECT",
}


async def test_an_admin_sets_the_identity_and_its_people_read_it(api, settings):
    agency_id = await factories.agency(settings)
    admin = await factories.log_in(api, await factories.staff(settings, agency_id))
    payload = (await api.data(UPDATE, {"input": IDENTITY}, token=admin))["updateAgencyIdentity"]
    assert payload["userErrors"] == []
    assert payload["agency"]["phone"] == "+33145678910"
    assert payload["agency"]["email"] == "contact@menage-idf.example"
    assert payload["agency"]["siret"] == "73282932000074"
    worker = await factories.staff(settings, agency_id, Role.WORKER)
    for token in (admin, await factories.log_in(api, worker)):
        seen = (await api.data(MY_AGENCY, token=token))["me"]["agency"]
        assert seen["legalName"] == "Ménage Île-de-France SAS"
        assert seen["address"] == {
            "line1": "12 rue de la Convention",
            "postalCode": "75015",
            "city": "Paris",
        }
        assert (seen["phone"], seen["sapDeclaredOn"]) == ("+33145678910", "2018-06-01")
        assert {"weekday": 0, "opensAt": "08:00:00", "closesAt": "19:00:00"} in seen["openingHours"]


async def test_households_read_their_agency_s_contact_details(api, settings):
    t = await bh.team(api, settings)
    seen = (await api.data(MY_AGENCY, token=t.client_token))["me"]["agency"]
    assert seen["address"]["line1"] == "5 rue de l'Église"
    assert seen["siret"] == "81234567600017"
    assert seen["sapDeclaredOn"] == "2019-03-14"


async def test_bad_identity_input_is_refused_and_nothing_is_stored(api, settings):
    agency_id = await factories.agency(settings)
    admin = await factories.log_in(api, await factories.staff(settings, agency_id))
    tomorrow = (utcnow() + timedelta(days=2)).date().isoformat()
    bad = {
        **IDENTITY,
        "siret": "73282932000075",  # checksum off by one
        "sapDeclaredOn": tomorrow,
        "phone": "12",
        "email": "not an address",
        "postalCode": "7501",
    }
    payload = (await api.data(UPDATE, {"input": bad}, token=admin))["updateAgencyIdentity"]
    assert payload["agency"] is None
    assert {(e["field"][0], e["code"]) for e in payload["userErrors"]} == {
        ("siret", "INVALID_SIRET"),
        ("sapDeclaredOn", "FUTURE_DATE"),
        ("phone", "INVALID_PHONE"),
        ("email", "INVALID_EMAIL"),
        ("postalCode", "INVALID"),
    }
    stored = await Agency.get(id=agency_id)
    assert (stored.legal_name, stored.siret, stored.sap_declared_on) == ("", "", None)
    advisor = await factories.staff(settings, agency_id, Role.ADVISOR)
    token = await factories.log_in(api, advisor)
    assert await api.error_code(UPDATE, {"input": IDENTITY}, token) == "FORBIDDEN"


async def test_invoicing_refuses_an_incomplete_identity_and_issues_nothing(api, settings):
    t = await bh.team(api, settings)
    await Agency.filter(id=t.agency_id).update(address_line1="", sap_declared_on=None)
    await bh.visit(t, paris(2026, 10, 6, 9), worked=(0, 120))
    payload = await bh.run(api, t, "2026-10")
    assert payload["invoices"] == []
    [error] = payload["userErrors"]
    assert (error["field"], error["code"]) == (["agency"], "INCOMPLETE_IDENTITY")
    assert "adresse postale" in error["message"]
    assert "date de déclaration SAP" in error["message"]
    assert not await Invoice.filter(agency_id=t.agency_id).exists()
    assert not await InvoiceCounter.filter(agency_id=t.agency_id, last_number__gt=0).exists()
    await Agency.filter(id=t.agency_id).update(
        address_line1="5 rue de l'Église", sap_declared_on=date(2019, 3, 14)
    )
    payload = await bh.run(api, t, "2026-10")
    assert payload["userErrors"] == []
    assert [i["number"] for i in payload["invoices"]] == ["F2026-000001"]


def test_the_command_line_sets_and_checks_the_identity(migrated: Cli) -> None:
    refused = migrated.run(
        "create-agency",
        *("--name", "Agence Nice", "--postal-prefixes", "06"),
        *("--siret", "73282932000075", "--sap-date", "2999-01-01"),
    )
    assert refused.returncode == 1
    assert "--siret: SIRET invalide" in refused.stderr
    assert "--sap-date: La date de déclaration ne peut être future." in refused.stderr
    out = migrated.ok(
        "create-agency",
        *("--name", "Agence Nice", "--postal-prefixes", "06"),
        *("--siret", "73282932000074", "--phone", "04 93 00 00 00"),
    )
    agency = last_line(out)
    update = migrated.run(
        "update-agency",
        *("--agency", agency, "--address-line1", "1 promenade des Anglais"),
        *("--postal-code", "06000", "--city", "Nice", "--sap-number", "SAP732829320"),
        *("--vat-regime", "EXEMPT"),
    )
    assert update.returncode == 0, update.stderr
    assert "still missing for invoicing: date de déclaration SAP" in update.stderr
    assert (
        migrated.run("update-agency", "--agency", agency, "--sap-date", "2999-01-01").returncode
        == 1
    )
    migrated.ok("update-agency", "--agency", agency, "--sap-date", "2020-02-03")
    _, pk = from_global_id(agency)
    with sqlite3.connect(migrated.database) as db:
        row = db.execute(
            "SELECT siret, phone, address_line1, city, vat_regime, sap_declared_on "
            "FROM agency WHERE id = ?",
            (pk,),
        ).fetchone()
    assert row == (
        "73282932000074",
        "+33493000000",
        "1 promenade des Anglais",
        "Nice",
        "EXEMPT",
        "2020-02-03",
    )
