"""Demo data for `make run` and `passage seed-demo`: idempotent, believable, French."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from models.accounts import Account, Agency, Client
from models.enums import Role
from resolvers.runtime import Runtime
from resolvers.staff import SetupError, create_agency, create_user
from services.clock import utcnow

DEMO_AGENCY = "Passage Paris Centre"
DEMO_PASSWORD = "Demo-Passage-2026!"
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
CLIENTS = [
    ("Jeanne", "Dupont", "12 rue de Charonne", "75011", "Paris"),
    ("Paul", "Lambert", "4 avenue Mozart", "75016", "Paris"),
    ("Hélène", "Roux", "31 rue des Martyrs", "75009", "Paris"),
    ("Michel", "Fontaine", "8 rue de Vaugirard", "75006", "Paris"),
    ("Anne", "Girard", "17 boulevard Voltaire", "75011", "Paris"),
]


async def seed_demo(runtime: Runtime) -> list[str]:
    """Creates what is missing of the demo; returns the logins to print."""
    agency = await Agency.get_or_none(name=DEMO_AGENCY)
    if agency is None:
        agency = await create_agency(
            DEMO_AGENCY, ["75", "92", "93", "94"], sap_number="SAP123456789", siret="12345678900012"
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
        email = f"intervenant{index}@demo.passage.example"
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
    password_hash = await runtime.passwords.hash(DEMO_PASSWORD)
    for index, (first, last, line1, postal, city) in enumerate(CLIENTS, start=1):
        email = f"client{index}@demo.passage.example"
        if await Account.filter(email=email).exists():
            continue
        async with in_transaction():
            now = utcnow()
            account = await Account.create(
                email=email,
                password_hash=password_hash,
                role=Role.CLIENT,
                first_name=first,
                last_name=last,
                phone=f"+336120000{index:02d}",
                agency=agency,
                password_changed_at=now,
                email_verified_at=now,
            )
            await Client.create(
                account=account,
                agency=agency,
                client_number=f"D{index:06d}",
                advisor=advisor,
                billing_line1=line1,
                billing_postal_code=postal,
                billing_city=city,
            )
    return demo_logins()


def demo_logins() -> list[str]:
    return [
        f"Demo agency: {DEMO_AGENCY} (postal codes 75, 92, 93, 94)",
        f"Password for every demo account: {DEMO_PASSWORD}",
        f"  admin    {STAFF[0][1]}",
        f"  advisor  {STAFF[1][1]}",
        "  workers  intervenant1@demo.passage.example … intervenant12@…",
        "  clients  client1@demo.passage.example … client5@…",
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
