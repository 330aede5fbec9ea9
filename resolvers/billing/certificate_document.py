"""What the yearly tax certificate says (Code du travail D.7233-4, the annual attestation).

Its mentions: the provider's name, address, SAP declaration number and date; the
household; the year; the nature of the services and their hourly price; per worker
(identified by their number) the hours of each month; the sums actually paid that open
the tax credit, with the immediate advance received and every aid shown apart; the issue
date. Which box of the tax return each figure goes to: docs/tax-certificate.md.
"""

from __future__ import annotations

from models.accounts.people import Client
from models.enums import ServiceMode
from resolvers.billing import certificates
from resolvers.billing.invoice_document import sap_text
from services import billing
from services.documents import Document

MODE_TEXT = {
    ServiceMode.PRESTATAIRE: "Services rendus en mode prestataire : l'agence est l'employeur "
    "des intervenants.",
    ServiceMode.MANDATAIRE: "Mode mandataire : cette attestation porte sur les sommes versées "
    "à l'agence (frais de gestion) ; les salaires que vous versez comme employeur sont "
    "attestés par votre déclaration employeur (Cesu, Pajemploi).",
}
DECLARE_NOTICE = (
    "À reporter sur votre déclaration de revenus, formulaire 2042-RICI, rubrique « Emploi "
    "d'un salarié à domicile » : le montant payé ouvrant droit au crédit d'impôt comme "
    "sommes versées, et l'avance immédiate reçue à la ligne prévue pour elle (voir la "
    "notice de la déclaration). Seules les sommes effectivement payées sont déclarables."
)


def _money(cents: int) -> str:
    return billing.money_fr(cents)


def _totals(cert: certificates.Certificate) -> list[tuple[str, str]]:
    f = cert.figures
    totals = [
        ("Total des dépenses éligibles de l'année (€)", _money(f.eligible_cents)),
        ("Avance immédiate reçue, versée par l'URSSAF (€)", _money(f.advance_cents)),
        ("Aides APA / PCH, déduites (€)", _money(f.aid_cents)),
        ("CESU préfinancés, déduits (€)", _money(f.cesu_cents)),
        ("Montant payé par vous-même (€)", _money(f.household_cents)),
        ("Montant payé ouvrant droit au crédit d'impôt (€)", _money(f.declarable_cents)),
        ("dont avance immédiate déjà perçue (€)", _money(f.advance_cents)),
    ]
    if f.unpaid_cents:
        totals.append(
            (f"Restant dû au {cert.issued_on:%d/%m/%Y}, non déclarable (€)", _money(f.unpaid_cents))
        )
    if not cert.ceiling_cents:
        return totals
    totals.append(("Plafond annuel de dépenses de votre foyer (€)", _money(cert.ceiling_cents)))
    if f.declarable_cents > cert.ceiling_cents:
        over = f.declarable_cents - cert.ceiling_cents
        totals.append(("Dépenses au-delà du plafond, sans crédit d'impôt (€)", _money(over)))
    return totals


async def certificate_document(client: Client, year: int) -> Document:
    cert = await certificates.compute(client, year)
    rows = [
        [
            f"{worker.name} (matricule {worker.employee_number})",
            month,
            ", ".join(f"{d:%d/%m}" for d in dates),
            billing.hours_text(minutes),
        ]
        for worker in cert.workers
        for month, (dates, minutes) in worker.months.items()
    ]
    issued = f"Date d'émission : {cert.issued_on:%d/%m/%Y}"
    if not cert.published:
        issued += " (provisoire : attestation non encore publiée)"
    parties = [
        issued,
        f"Client : {cert.client_name}",
        f"Adresse : {cert.client_address}",
        f"Année : {year}",
        MODE_TEXT[cert.service_mode],
        "Nature des services : " + (", ".join(s.label for s in cert.services) or "aucun"),
        "Prix horaire TTC : "
        + ("; ".join(f"{s.label} {_money(s.hourly_incl_cents)} €" for s in cert.services) or "-"),
    ]
    title = f"Attestation fiscale {year}"
    if cert.superseded_versions:
        title += f" – version rectifiée n° {cert.version}"
        parties.append("Cette version rectifiée remplace la précédente, qui n'est plus valable.")
    header = [
        cert.agency_name,
        cert.agency_address,
        sap_text(cert.sap_number, cert.sap_declared_on),
    ]
    if cert.siret:
        header.append(f"SIRET {cert.siret}")
    return Document(
        title=title,
        filename=f"attestation-fiscale-{year}",
        header=header,
        parties=parties,
        columns=["Intervenant", "Mois", "Dates", "Heures"],
        rows=rows,
        totals=_totals(cert),
        notices=[
            "Attestation délivrée en application de l'article D.7233-4 du code du travail. "
            "Montant payé ouvrant droit au crédit d'impôt : sommes payées par vous et avance "
            "immédiate reçue, déduction faite des aides exonérées (APA, PCH, CESU préfinancés) ; "
            "une avance refusée, annulée ou non encore versée n'y figure pas.",
            DECLARE_NOTICE,
            *cert.notices,
        ],
    )
