"""Demo data for `make run` and `passage seed-demo`: idempotent, believable, French.

Running it again creates nothing new, except on a new day: today's visits are
then added if today has none, so the live screens always have a day to show.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from tortoise.transactions import in_transaction

from models.accounts.people import Account, Agency, AgencyPostalPrefix, Client
from models.care.settings import AgencyCare
from models.enums import Role
from models.messaging import ClientPremium
from models.visits.visits import Address
from resolvers.agency.staff import SetupError, create_agency, create_user
from resolvers.core.runtime import Runtime
from services.clock import utcnow
from simulation.seed import demo_day, help_demo
from subscriptions.bus import Bus

DEMO_AGENCY = "Passage Paris Centre"
DEMO_PASSWORD = "Jardin-Lilas-7-Pluie!"
DEMO_PREFIXES = ["75", "92", "93", "94"]
STAFF = [
    (Role.ADMIN, "admin@demo.passage.example", "Claire", "Martin"),
    (Role.ADVISOR, "conseil@demo.passage.example", "Karim", "Benali"),
]
WORKERS = [
    ("Fatou", "Diallo"),
    ("Sophie", "Bernard"),
    ("Lucas", "Petit"),
    ("Amina", "Haddad"),
    ("Julien", "Moreau"),
    ("Nadia", "Rousseau"),
    ("Thomas", "Lefèvre"),
    ("Inès", "Garnier"),
    ("Marc", "Faure"),
    ("Léa", "Chevalier"),
    ("Yacine", "Mercier"),
    ("Chloé", "Blanc"),
]
# One or two real streets per arrondissement, with rough coordinates for check-in distances.
STREETS = [
    ("rue de Rivoli", "75001", 48.8600, 2.3410),
    ("rue Saint-Honoré", "75001", 48.8635, 2.3370),
    ("rue Montorgueil", "75002", 48.8650, 2.3470),
    ("rue du Sentier", "75002", 48.8690, 2.3450),
    ("rue de Bretagne", "75003", 48.8630, 2.3620),
    ("rue des Archives", "75003", 48.8610, 2.3570),
    ("rue Saint-Antoine", "75004", 48.8540, 2.3650),
    ("rue des Rosiers", "75004", 48.8570, 2.3590),
    ("rue Mouffetard", "75005", 48.8420, 2.3500),
    ("rue Monge", "75005", 48.8450, 2.3520),
    ("rue de Vaugirard", "75006", 48.8470, 2.3280),
    ("rue du Cherche-Midi", "75006", 48.8490, 2.3260),
    ("rue Cler", "75007", 48.8560, 2.3060),
    ("rue de Grenelle", "75007", 48.8570, 2.3150),
    ("rue de Miromesnil", "75008", 48.8750, 2.3160),
    ("boulevard Malesherbes", "75008", 48.8770, 2.3150),
    ("rue des Martyrs", "75009", 48.8800, 2.3390),
    ("rue de Clichy", "75009", 48.8790, 2.3290),
    ("rue du Faubourg-Saint-Denis", "75010", 48.8720, 2.3540),
    ("quai de Valmy", "75010", 48.8720, 2.3640),
    ("rue de Charonne", "75011", 48.8540, 2.3800),
    ("boulevard Voltaire", "75011", 48.8600, 2.3750),
    ("rue Oberkampf", "75011", 48.8650, 2.3770),
    ("avenue Daumesnil", "75012", 48.8400, 2.3950),
    ("rue de Charenton", "75012", 48.8440, 2.3850),
    ("avenue d'Italie", "75013", 48.8260, 2.3570),
    ("rue de la Butte-aux-Cailles", "75013", 48.8270, 2.3500),
    ("rue Daguerre", "75014", 48.8340, 2.3270),
    ("avenue du Maine", "75014", 48.8350, 2.3200),
    ("rue du Commerce", "75015", 48.8460, 2.2960),
    ("rue de la Convention", "75015", 48.8390, 2.2900),
    ("avenue Mozart", "75016", 48.8530, 2.2700),
    ("rue de Passy", "75016", 48.8570, 2.2800),
    ("rue des Batignolles", "75017", 48.8840, 2.3200),
    ("avenue de Villiers", "75017", 48.8830, 2.3050),
    ("rue Lepic", "75018", 48.8850, 2.3350),
    ("rue Caulaincourt", "75018", 48.8880, 2.3350),
    ("avenue Secrétan", "75019", 48.8810, 2.3740),
    ("rue de Belleville", "75020", 48.8720, 2.3850),
    ("rue des Pyrénées", "75020", 48.8600, 2.4020),
    ("rue de Ménilmontant", "75020", 48.8680, 2.3920),
]
# The first five keep the names and addresses of earlier demos.
FIRST_CLIENTS = [
    ("Jeanne", "Dupont", 12, 20),
    ("Paul", "Lambert", 4, 31),
    ("Hélène", "Roux", 31, 16),
    ("Michel", "Fontaine", 8, 10),
    ("Anne", "Girard", 17, 21),
]
FIRST_NAMES = [
    "Marie", "Pierre", "Camille", "Nicolas", "Isabelle", "François", "Élise", "Philippe",
    "Sylvie", "Olivier", "Catherine", "Laurent", "Nathalie", "Éric", "Valérie", "Stéphane",
    "Sandrine", "Christophe", "Céline", "Antoine", "Martine", "Guillaume", "Brigitte",
    "Vincent", "Monique",
]  # fmt: skip
LAST_NAMES = [
    "Durand", "Leroy", "Simon", "Laurent", "Michel", "Garcia", "David", "Bertrand", "Morel",
    "Fournier", "Bonnet", "Dupuis", "Boyer", "Guérin", "Muller", "Henry", "Roussel", "Perrin",
    "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Robin", "Masson", "Sanchez",
    "Gérard", "Nguyen", "Denis", "Lemaire", "Duval", "Joly", "Roger", "Roche", "Roy", "Noël",
    "Meyer", "Lucas", "Brunet", "Schmitt", "Colin", "Vidal", "Caron", "Picard", "Marchand",
    "Dufour",
]  # fmt: skip
CLIENT_COUNT = 50


@dataclass(frozen=True)
class DemoClient:
    first_name: str
    last_name: str
    line1: str
    postal_code: str
    latitude: float
    longitude: float


def demo_clients() -> list[DemoClient]:
    """Fifty households spread over the twenty arrondissements."""
    people = []
    for index in range(CLIENT_COUNT):
        if index < len(FIRST_CLIENTS):
            first, last, number, street_index = FIRST_CLIENTS[index]
        else:
            first, last = FIRST_NAMES[index % len(FIRST_NAMES)], LAST_NAMES[index % len(LAST_NAMES)]
            number, street_index = 2 + (index * 13) % 87, (index - 5) % len(STREETS)
        street, postal_code, latitude, longitude = STREETS[street_index]
        people.append(
            DemoClient(first, last, f"{number} {street}", postal_code, latitude, longitude)
        )
    return people


async def seed_demo(runtime: Runtime) -> list[str]:
    """Creates what is missing of the demo; returns the logins to print.

    Runs without a server: the events it writes are published on a bus of its
    own, connected for the run (with Redis, running servers hear of them).
    """
    agency = await Agency.get_or_none(name=DEMO_AGENCY)
    if agency is None:
        # A prefix served already (by a test agency, say) is left to its agency.
        served = AgencyPostalPrefix.filter(prefix__in=DEMO_PREFIXES)
        taken = {str(prefix) for prefix in await served.values_list("prefix", flat=True)}
        agency = await create_agency(
            DEMO_AGENCY,
            [p for p in DEMO_PREFIXES if p not in taken] or DEMO_PREFIXES,
            sap_number="SAP123456789",
            siret="12345678200010",
            sap_declared_on=date(2019, 3, 14),
        )
        agency.address_line1, agency.postal_code, agency.city = (
            "5 rue du Faubourg",
            "75010",
            "Paris",
        )
        await agency.save()
    for role, email, first, last in STAFF:
        if not await Account.filter(email=email).exists():
            await create_user(runtime, agency.id, role, email, DEMO_PASSWORD, first, last)
    for index, (first, last) in enumerate(WORKERS, start=1):
        email = worker_email(index)
        if not await Account.filter(email=email).exists():
            await create_user(
                runtime,
                agency.id,
                Role.WORKER,
                email,
                DEMO_PASSWORD,
                first,
                last,
                employee_number=f"M{index:04d}",
            )
    advisor = await Account.get(email=STAFF[1][1])
    await _clients(runtime, agency, advisor)
    await help_demo.seed_shared_articles()
    await help_demo.seed_agency_content(agency.id)
    await _premium_support(agency, advisor)
    bus = Bus(runtime.settings.broadcast_url, runtime.settings.bus_namespace)
    await bus.connect()
    try:
        own = dataclasses.replace(runtime, bus=bus)
        await demo_day.todays_visits(own, agency, [worker_email(i) for i in range(1, 13)])
        await demo_day.weekly_plans(own, agency, advisor)
    finally:
        await bus.disconnect()
    return demo_logins()


# The demo's premium household (a call-back in the demo day) and the agency's dedicated line.
PREMIUM_CLIENT = 3
SUPPORT_LINE = "+33142000000"


async def _premium_support(agency: Agency, advisor: Account) -> None:
    now = utcnow()
    await AgencyCare.get_or_create(
        agency_id=agency.id, defaults={"premium_support_phone": SUPPORT_LINE, "updated_at": now}
    )
    client = await Client.get_or_none(agency_id=agency.id, client_number=f"D{PREMIUM_CLIENT:06d}")
    if client is not None:
        await ClientPremium.get_or_create(
            client_id=client.id, defaults={"set_by_id": advisor.id, "since": now}
        )


def worker_email(index: int) -> str:
    return f"intervenant{index}@demo.passage.example"


def client_email(index: int) -> str:
    return f"client{index}@demo.passage.example"


async def _clients(runtime: Runtime, agency: Agency, advisor: Account) -> None:
    password_hash = None
    for index, person in enumerate(demo_clients(), start=1):
        email = client_email(index)
        if await Account.filter(email=email).exists():
            continue
        password_hash = password_hash or await runtime.passwords.hash(DEMO_PASSWORD)
        async with in_transaction():
            now = utcnow()
            account = await Account.create(
                email=email,
                password_hash=password_hash,
                role=Role.CLIENT,
                first_name=person.first_name,
                last_name=person.last_name,
                phone=f"+336120000{index:02d}",
                agency=agency,
                password_changed_at=now,
                email_verified_at=now,
            )
            client = await Client.create(
                account=account,
                agency=agency,
                client_number=f"D{index:06d}",
                advisor=advisor,
                billing_line1=person.line1,
                billing_postal_code=person.postal_code,
                billing_city="Paris",
            )
            await Address.create(
                client=client,
                line1=person.line1,
                postal_code=person.postal_code,
                city="Paris",
                latitude=person.latitude,
                longitude=person.longitude,
                is_billing=True,
            )


def demo_logins() -> list[str]:
    return [
        f"Demo agency: {DEMO_AGENCY} (postal codes {', '.join(DEMO_PREFIXES)})",
        f"Password for every demo account: {DEMO_PASSWORD}",
        f"  admin    {STAFF[0][1]}",
        f"  advisor  {STAFF[1][1]}",
        f"  workers  {worker_email(1)} … intervenant{len(WORKERS)}@…",
        f"  clients  {client_email(1)} … client{CLIENT_COUNT}@…",
    ]


async def seed_if_empty(runtime: Runtime) -> list[str]:
    """Seeds an empty database; returns the demo logins whenever the demo is there."""
    if not await Agency.exists():
        try:
            return await seed_demo(runtime)
        except SetupError:
            # Another process started at the same time and is seeding: let it finish.
            pass
    return demo_logins() if await Agency.exists(name=DEMO_AGENCY) else []
