"""The certificate's mentions and figures: advance received only when PAID, aid apart,
prestataire and mandataire, with or without the advance, ceilings by household."""

from __future__ import annotations

from tests.billing import factories as bh
from tests.billing.certificate_helpers import certificate, move_advance, read
from tests.billing.factories import paris, pay

YEAR = 2025


async def test_a_refused_advance_and_apa_are_shown_apart(api, settings):
    t = await bh.team(api, settings)
    await bh.enrol(api, t)
    await bh.visit(t, paris(2025, 10, 7, 9), hours=2, worked=(0, 120))
    await bh.visit(t, paris(2025, 11, 4, 9), hours=3, worked=(0, 180), service="IRONING")
    await bh.run(api, t, "2025-10")
    await bh.run(api, t, "2025-11")
    october, november = sorted(await bh.invoices(api, t.client_token), key=lambda i: i["number"])
    assert (october["amountDue"], november["amountDue"]) == ("33.00", "49.50")
    await move_advance(api, t, october["id"], "SENT", "VALIDATED", "PAID")
    refused = await move_advance(api, t, november["id"], "SENT", "REFUSED")
    correction = refused["correction"]
    assert correction["amountDue"] == "49.50"
    await pay(api, t.staff_token, october["id"], "33.00", day="2025-11-15")
    await pay(api, t.staff_token, november["id"], "20.00", method="APA", day="2025-12-10")
    await pay(api, t.staff_token, november["id"], "29.50", day="2025-12-12")
    await pay(api, t.staff_token, correction["id"], "49.50", method="TRANSFER", day="2025-12-20")
    cert = await certificate(api, t.client_token, YEAR)
    assert {k: cert[k] for k in ("eligibleExpenses", "advanceReceived", "aid", "amountPaid")} == {
        "eligibleExpenses": "165.00",  # 66,00 + 99,00 of services
        "advanceReceived": "33.00",  # the refused 49,50 was never received
        "aid": "20.00",
        "amountPaid": "112.00",  # 33,00 + 29,50 + the refused advance, 49,50
    }
    assert (cert["declarableAmount"], cert["ceiling"], cert["version"]) == ("145.00", "12000.00", 0)
    text, totals = await read(api, cert)
    for mention in (
        "Attestation fiscale 2025",
        "Déclaration SAP n° SAP812345678 du 14/03/2019",
        "SIRET 81234567600017",
        "5 rue de l'Église, 75015 Paris",
        f"Date d'émission : {cert['issuedOn'][8:]}/{cert['issuedOn'][5:7]}/{cert['issuedOn'][:4]}",
        "Services rendus en mode prestataire",
        "Nature des services : Ménage régulier, Repassage",
        "Ménage régulier 33,00 €",
        "Repassage 33,00 €",
        f"Claire Martin (matricule {t.employee_number})",
        "article D.7233-4",
        "APA et PCH",
        "2042-RICI",
    ):
        assert mention in text, mention
    assert totals["Total des dépenses éligibles de l'année (€)"] == "165,00"
    assert totals["Avance immédiate reçue, versée par l'URSSAF (€)"] == "33,00"
    assert totals["Aides APA / PCH, déduites (€)"] == "20,00"
    assert totals["Montant payé par vous-même (€)"] == "112,00"
    assert totals["Montant payé ouvrant droit au crédit d'impôt (€)"] == "145,00"
    assert totals["dont avance immédiate déjà perçue (€)"] == "33,00"


async def test_without_the_advance_the_household_paid_everything(api, settings):
    t = await bh.team(api, settings)
    await bh.visit(t, paris(2025, 10, 7, 9), hours=2, worked=(0, 120))
    await bh.run(api, t, "2025-10")
    [invoice] = await bh.invoices(api, t.client_token, year=None)
    await pay(api, t.staff_token, invoice["id"], "40.00", day="2025-11-15")
    cert = await certificate(api, t.client_token, YEAR)
    assert (cert["eligibleExpenses"], cert["advanceReceived"], cert["amountPaid"]) == (
        "66.00",
        "0.00",
        "40.00",
    )
    _, totals = await read(api, cert)
    # 26,00 still owed: not declarable for this year.
    assert [v for k, v in totals.items() if k.startswith("Restant dû")] == ["26,00"]


async def test_a_mandataire_household_s_certificate_covers_the_fees(api, settings):
    t = await bh.team(api, settings)
    await bh.enrol(api, t, serviceMode="MANDATAIRE", advanceEnrolled=False)
    await bh.visit(t, paris(2025, 10, 7, 9), hours=2, worked=(0, 120))
    await bh.run(api, t, "2025-10")
    [invoice] = await bh.invoices(api, t.client_token, year=None)
    await pay(api, t.staff_token, invoice["id"], invoice["amountDue"], day="2025-11-15")
    cert = await certificate(api, t.client_token, YEAR)
    assert cert["eligibleExpenses"] == cert["amountPaid"] == "5.50"  # 2 h of fees, VAT incl.
    text, _ = await read(api, cert)
    assert "Mode mandataire : cette attestation porte sur les sommes versées" in text
    assert "Frais de gestion (mandataire)" in text


async def test_the_ceiling_follows_the_household(api, settings):
    t = await bh.team(api, settings)
    cases = [
        ({"dependants": 2}, "15000.00"),  # 12 000 + 2 × 1 500
        ({"dependants": 4}, "15000.00"),  # raised, capped at 15 000
        ({"membersOver65": 1, "dependants": 1}, "15000.00"),
        ({"disability": True, "dependants": 3}, "20000.00"),
        ({"firstDirectEmploymentYear": YEAR}, "15000.00"),  # first year of direct employment
        ({}, "12000.00"),
    ]
    for facts, ceiling in cases:
        await bh.enrol(api, t, **facts)
        assert (await certificate(api, t.client_token, YEAR))["ceiling"] == ceiling, facts
    # A year older than the law table: the certificate, without a ceiling.
    assert (await certificate(api, t.client_token, 2020))["ceiling"] == "0.00"
    await bh.enrol(api, t, disability=True)
    _, totals = await read(api, await certificate(api, t.client_token, YEAR))
    assert totals["Plafond annuel de dépenses de votre foyer (€)"] == "20000,00"


async def test_the_yearly_ceiling_reached(api, settings):
    t = await bh.team(api, settings)
    await bh.enrol(api, t)
    for day in range(1, 32):  # 31 visits of 12 h: 372 h at 33,00 incl. tax
        await bh.visit(t, paris(2025, 3, day, 7), hours=12, worked=(0, 720))
    await bh.run(api, t, "2025-03")
    [invoice] = await bh.invoices(api, t.client_token, year=None)
    assert invoice["totalIncludingTax"] == "12276.00"
    assert invoice["immediateAdvance"] == "6000.00"  # half of the 12 000 ceiling
    assert invoice["amountDue"] == "6276.00"
    text, _ = await read(api, {"pdfUrl": invoice["pdfUrl"], "csvUrl": invoice["csvUrl"]})
    assert "Plafond annuel de 12000,00 € de dépenses atteint" in " ".join(text.split())
    await move_advance(api, t, invoice["id"], "SENT", "VALIDATED", "PAID")
    await pay(api, t.staff_token, invoice["id"], "6276.00", day="2025-04-10")
    cert = await certificate(api, t.client_token, YEAR)
    assert (cert["eligibleExpenses"], cert["advanceReceived"], cert["amountPaid"]) == (
        "12276.00",
        "6000.00",
        "6276.00",
    )
    _, totals = await read(api, cert)
    assert totals["Montant payé ouvrant droit au crédit d'impôt (€)"] == "12276,00"
    assert totals["Dépenses au-delà du plafond, sans crédit d'impôt (€)"] == "276,00"
