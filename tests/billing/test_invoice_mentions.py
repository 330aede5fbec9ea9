"""Every mention of an SAP invoice (D.7233-1, arrêté du 17 mars 2015), read back from the
PDF and the CSV, in prestataire and mandataire mode, with travel costs, paid or not."""

from __future__ import annotations

import csv
import io
from typing import Any

from models.enums import Role, VatRegime
from tests import factories
from tests.billing import factories as bh
from tests.billing.factories import local, paris, pay, pdf_text

RULE = """
mutation R($input: SetAgencyBillingRuleInput!) {
  setAgencyBillingRule(input: $input) { rule { travelFee } userErrors { field code } }
}
"""
LINES = """
query { invoices(first: 5) { edges { node { id number amountDue pdfUrl csvUrl
  lines { label hours amountIncludingTax taxCreditEligible } } } } }
"""


async def billing_rule(api: Any, settings: Any, t: bh.Team, travel_fee: str) -> dict[str, Any]:
    admin = await factories.log_in(api, await factories.staff(settings, t.agency_id, Role.ADMIN))
    values = {
        "roundingStepMinutes": 15,
        "roundingMode": "NEAREST",
        "paymentTermsDays": 15,
        "mandateFee": "2.50",
        "travelFee": travel_fee,
    }
    return dict((await api.data(RULE, {"input": values}, token=admin))["setAgencyBillingRule"])


async def documents(api: Any, invoice: dict[str, Any]) -> tuple[str, dict[str, str], list[Any]]:
    text = pdf_text((await api.http.get(local(invoice["pdfUrl"]))).content)
    body = (await api.http.get(local(invoice["csvUrl"]))).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    return text, {r[0]: r[1] for r in rows if len(r) == 2}, rows


async def test_a_prestataire_invoice_with_travel_costs_and_a_payment(api, settings):
    t = await bh.team(api, settings)
    await bh.enrol(api, t)
    assert await billing_rule(api, settings, t, "4.00") == {
        "rule": {"travelFee": "4.00"},
        "userErrors": [],
    }
    await bh.visit(t, paris(2026, 10, 6, 9), hours=2, worked=(0, 120))
    await bh.visit(t, paris(2026, 10, 13, 9), hours=1, worked=(0, 60), service="IRONING")
    await bh.run(api, t, "2026-10")
    [invoice] = [
        edge["node"] for edge in (await api.data(LINES, token=t.client_token))["invoices"]["edges"]
    ]
    labels = [
        (line["label"], line["hours"], line["amountIncludingTax"]) for line in invoice["lines"]
    ]
    assert labels[1] == ("Frais de déplacement", "0.00", "4.40")
    assert len(labels) == 4 and all(line["taxCreditEligible"] for line in invoice["lines"])
    # 66,00 + 4,40 + ironing + 4,40; half of it advanced.
    await pay(api, t.staff_token, invoice["id"], "20.00", day="2026-11-20")
    text, totals, rows = await documents(api, invoice)
    for mention in (
        "Agence Ménage Île-de-France",
        "5 rue de l'Église, 75015 Paris",
        "Déclaration SAP n° SAP812345678 du 14/03/2019",
        "SIRET 81234567600017",
        "Hélène Béranger",
        "8 allée des Cèdres",
        "Mode prestataire : l'agence est l'employeur de l'intervenant",
        f"matricule {t.employee_number}",
        "Prix TTC/h",
        "Frais de déplacement",
        "forfait",
        "dont frais de déplacement TTC (€) 8,80",
        "Déjà payé (€) 20,00",
        "BOI-IR-RICI-150-20",
        "article 199 sexdecies",
    ):
        assert mention in text, mention
    due = int(invoice["amountDue"].replace(".", ""))
    assert totals["Montant à votre charge (€)"] == invoice["amountDue"].replace(".", ",")
    assert totals["Déjà payé (€)"] == "20,00"
    remaining = f"{(due - 2000) // 100},{(due - 2000) % 100:02d}"
    assert totals["Reste à payer (€)"] == remaining
    travel = next(r for r in rows if len(r) == 11 and r[2] == "Frais de déplacement")
    assert (travel[5], travel[6], travel[7], travel[10]) == ("forfait", "4,00", "4,40", "4,40")
    [cleaning] = [r for r in rows if len(r) == 11 and r[2] == "Ménage régulier"]
    assert (cleaning[6], cleaning[7]) == ("30,00", "33,00")  # hourly price excl. and incl. tax


async def test_a_mandataire_invoice_bills_the_fees_only(api, settings):
    t = await bh.team(api, settings)
    await bh.enrol(api, t, serviceMode="MANDATAIRE")
    await billing_rule(api, settings, t, "4.00")
    await bh.visit(t, paris(2026, 10, 6, 9), hours=2, worked=(0, 120))
    await bh.run(api, t, "2026-10")
    [invoice] = [
        edge["node"] for edge in (await api.data(LINES, token=t.client_token))["invoices"]["edges"]
    ]
    assert [line["label"] for line in invoice["lines"]] == [
        "Frais de gestion (mandataire) – Ménage régulier"
    ]
    text, totals, _ = await documents(api, invoice)
    assert "Mode mandataire : vous êtes l'employeur de l'intervenant" in text
    assert "frais de déplacement" not in text
    assert totals["Total HT (€)"] == "5,00"  # 2 h at 2,50
    assert totals["Reste à payer (€)"] == totals["Montant à votre charge (€)"]


async def test_an_agency_exempt_from_vat_says_so(api, settings):
    t = await bh.team(api, settings)
    await bh.complete_identity(t.agency_id, vat_regime=VatRegime.EXEMPT)
    await bh.visit(t, paris(2026, 10, 6, 9), hours=2, worked=(0, 120))
    await bh.run(api, t, "2026-10")
    [invoice] = await bh.invoices(api, t.client_token)
    text, totals, _ = await documents(api, invoice)
    assert "TVA non applicable, art. 293 B du CGI." in text
    assert (totals["TVA (€)"], totals["Total TTC (€)"]) == ("0,00", "60,00")
