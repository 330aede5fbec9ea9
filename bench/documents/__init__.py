"""The read corpus: documents as the dashboard, the household space and a partner write them.

Each `Document` is one `.graphql` file of this folder, the viewer who sends it and its
variables, a function of the `World` that `seed` wrote. `seed` writes, through the models,
one agency whose data every document returns rows from, at fixed dates (a day in 2031 for
the staff board, March 2024 for the household's calendar, the year 2024 for billing), so
that what the documents return does not depend on the day the seed runs.

Importing this module does nothing; `seed` needs the ORM initialised (`bench.common.orm`)
on a migrated database, SQLite or PostgreSQL, and no server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

# The staff board's day: far ahead, so no job of a running server (lateness, reminders)
# touches its visits while the documents are read.
BOARD_DAY = datetime(2031, 3, 11, tzinfo=UTC)
BOARD_VISITS = 50
# The day the pending change requests are about (their visits).
REQUESTS_DAY = datetime(2031, 3, 18, tzinfo=UTC)
# The household's calendar: a past month of done visits, most rated with a comment.
CALENDAR_FROM = datetime(2024, 3, 1, tzinfo=UTC)
CALENDAR_TO = datetime(2024, 4, 1, tzinfo=UTC)
CALENDAR_VISITS = 20
YEAR = 2024
HELP_SEARCH = "crédit d'impôt"
SCORES = [5, 4, 5, 2, 5, 4, 3, 5, 1, 4, 5, 5, 4, 2, 5, 4]  # the first 16 visits are rated
COMMENTS = [
    "Parfait, comme toujours.",
    "Très bien, un peu en retard.",
    "Impeccable, merci Claire !",
    "Les vitres n'ont pas été faites.",
    "Rien à redire.",
    "Bien, mais la cuisine est restée en désordre.",
    "Correct.",
    "Excellent travail, très soigneux.",
    "Intervenante absente une heure, personne ne nous a prévenus.",
    "Bien dans l'ensemble.",
    "Super, le repassage est parfait.",
    "Très agréable et efficace.",
    "Bon travail.",
    "Salle de bains oubliée.",
    "Merci pour le coup de main avant les fêtes.",
    "Bien.",
]


@dataclass
class World:
    """What `seed` wrote: the tokens of each viewer and the ids the variables need."""

    tokens: dict[str, str]  # viewer ("staff", "client", "worker") -> bearer token
    agency_id: int
    client_id: int  # the household of the calendar, invoices and briefing
    client_account_id: int
    advisor_account_id: int  # the "staff" viewer
    worker_id: int  # a worker of the board (the "worker" viewer)
    visit_id: int  # a rated visit of the calendar, with a note (the visit's detail)
    rating_id: int
    invoice_id: int
    conversation_id: int
    change_request_id: int  # a pending one
    board_day: datetime = BOARD_DAY
    requests_day: datetime = REQUESTS_DAY
    calendar_from: datetime = CALENDAR_FROM
    calendar_to: datetime = CALENDAR_TO
    year: int = YEAR
    counts: dict[str, int] = field(default_factory=dict)  # rows written, by kind

    def token(self, viewer: str) -> str:
        return self.tokens[viewer]


def gid(type_name: str, pk: int) -> str:
    """A global id, as the API writes it (base64url of "Type:pk", unpadded)."""
    import base64

    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


@dataclass(frozen=True)
class Document:
    name: str
    text: str
    viewer: str
    variables: Callable[[World], dict[str, Any]]


def _text(name: str) -> str:
    return (HERE / f"{name}.graphql").read_text()


def _doc(name: str, viewer: str, variables: Callable[[World], dict[str, Any]]) -> Document:
    return Document(name, _text(name), viewer, variables)


def _none(world: World) -> dict[str, Any]:
    return {}


def _calendar(world: World) -> dict[str, Any]:
    return {"from": world.calendar_from.isoformat(), "to": world.calendar_to.isoformat()}


def _board(world: World) -> dict[str, Any]:
    day = world.board_day
    return {"from": day.isoformat(), "to": (day + timedelta(days=1)).isoformat(), "first": 50}


def _visit(world: World) -> dict[str, Any]:
    return {"id": gid("Intervention", world.visit_id)}


def _requests(world: World) -> dict[str, Any]:
    day = world.requests_day
    return {"from": day.isoformat(), "to": (day + timedelta(days=1)).isoformat()}


def _year(world: World) -> dict[str, Any]:
    return {"year": world.year}


def _help(world: World) -> dict[str, Any]:
    return {"search": HELP_SEARCH}


def _nodes(world: World) -> dict[str, Any]:
    return {
        "visit": gid("Intervention", world.visit_id),
        "request": gid("ChangeRequest", world.change_request_id),
        "conversation": gid("Conversation", world.conversation_id),
        "client": gid("Client", world.client_id),
        "worker": gid("Worker", world.worker_id),
    }


def _home(world: World) -> dict[str, Any]:
    return {**_calendar(world), "year": world.year, "withRatings": True, "withInvoices": False}


CORPUS: list[Document] = [
    _doc("calendar_ratings", "client", _calendar),
    _doc("visit_detail", "client", _visit),
    _doc("history", "client", _none),
    _doc("day_board", "staff", _board),
    _doc("pending_requests", "staff", _requests),
    _doc("conversations_waiting", "staff", _none),
    _doc("invoices", "client", _year),
    _doc("payment_statement", "client", _year),
    _doc("help_search", "client", _help),
    _doc("rating_follow_ups", "staff", _none),
    _doc("dashboard_first_load", "staff", _board),
    _doc("nodes", "staff", _nodes),
    _doc("household_home", "client", _home),
    _doc("worker_day", "worker", _board),
]
BY_NAME = {document.name: document for document in CORPUS}


# --------------------------------------------------------------------------- seed


async def seed(name: str = "Agence Corpus", prefix: str = "75", tag: str = "corpus") -> World:
    """Writes the corpus's agency; the ORM must be initialised on a migrated database.

    `name`, `prefix` and `tag` (of the accounts' e-mails) must be new to the database.
    """
    from bench import common
    from models.enums import InterventionStatus
    from models.visits.visits import ServiceType

    agency_id = await common.agency(name, prefix)
    households = await common.clients(agency_id, 12, tag=f"{tag}-client")
    workers = await common.workers(agency_id, 8, tag=f"{tag}-worker")
    advisor = await common.staff(agency_id, tag=f"{tag}-advisor")
    await _names(households, workers)
    services = {s.code: s.id for s in await ServiceType.filter(active=True).order_by("id")}
    regular = services.get("REGULAR_CLEANING") or next(iter(services.values()))
    other = [pk for pk in services.values() if pk != regular][:2] or [regular]
    counts: dict[str, int] = {}

    (household, address_id), *others = households
    board = await _board_day(agency_id, others, workers, [regular, *other])
    counts["board_visits"] = len(board)
    calendar = await _calendar_visits(agency_id, household, address_id, workers, regular)
    counts["calendar_visits"] = len(calendar)
    ratings = await _ratings(agency_id, household.record_id, calendar, advisor.account_id)
    counts["ratings"] = len(ratings)
    visit_id = calendar[-5].id  # rated (4, "Bien."), with a note
    await _notes(household.record_id, calendar)
    change_request_id, counts["change_requests"] = await _change_requests(
        agency_id, households, workers, regular, advisor.account_id
    )
    conversation_id = await _conversations(agency_id, households, advisor.account_id)
    invoice_id, invoice_count = await _invoices(agency_id, household, advisor.account_id)
    counts["invoices"] = invoice_count
    counts["help_articles"] = await _help_articles(agency_id)
    assert all(v.status is not InterventionStatus.SCHEDULED for v in calendar)
    return World(
        tokens={"staff": advisor.token, "client": household.token, "worker": workers[0].token},
        agency_id=agency_id,
        client_id=household.record_id,
        client_account_id=household.account_id,
        advisor_account_id=advisor.account_id,
        worker_id=workers[0].record_id,
        visit_id=visit_id,
        rating_id=ratings[visit_id],
        invoice_id=invoice_id,
        conversation_id=conversation_id,
        change_request_id=change_request_id,
        counts=counts,
    )


FIRST = ["Jeanne", "Paul", "Hélène", "Michel", "Anne", "Marie", "Pierre", "Camille", "Nicolas",
         "Isabelle", "François", "Élise"]  # fmt: skip
LAST = ["Dupont", "Lambert", "Roux", "Fontaine", "Girard", "Durand", "Leroy", "Simon",
        "Laurent", "Garcia", "David", "Bertrand"]  # fmt: skip
WORKERS = [("Fatou", "Diallo"), ("Sophie", "Bernard"), ("Lucas", "Petit"), ("Amina", "Haddad"),
           ("Julien", "Moreau"), ("Nadia", "Rousseau"), ("Thomas", "Lefèvre"),
           ("Inès", "Garnier")]  # fmt: skip
STREETS = [("rue de Charonne", "75011"), ("rue Oberkampf", "75011"), ("rue Mouffetard", "75005"),
           ("rue des Martyrs", "75009"), ("rue Lepic", "75018"), ("rue Cler", "75007"),
           ("avenue Daumesnil", "75012"), ("rue Daguerre", "75014"), ("rue de Passy", "75016"),
           ("rue de Belleville", "75020"), ("rue du Commerce", "75015"),
           ("rue de Bretagne", "75003")]  # fmt: skip


async def _names(households: list[tuple[Any, int]], workers: list[Any]) -> None:
    """Distinct names and streets: the answers read like an agency's, not one person's."""
    from models.accounts.people import Account, Client
    from models.visits.visits import Address

    for index, (person, address_id) in enumerate(households):
        await Account.filter(id=person.account_id).update(
            first_name=FIRST[index % len(FIRST)], last_name=LAST[index % len(LAST)]
        )
        street, postal_code = STREETS[index % len(STREETS)]
        line1 = f"{3 + 7 * index} {street}"
        await Address.filter(id=address_id).update(line1=line1, postal_code=postal_code)
        await Client.filter(id=person.record_id).update(
            billing_line1=line1, billing_line2="", billing_postal_code=postal_code
        )
    for index, person in enumerate(workers):
        first, last = WORKERS[index % len(WORKERS)]
        await Account.filter(id=person.account_id).update(first_name=first, last_name=last)


async def _board_day(
    agency_id: int, households: list[tuple[Any, int]], workers: list[Any], services: list[int]
) -> list[Any]:
    """The staff board: 50 visits of one day, every state, some late, some flagged."""
    from models.enums import InterventionStatus
    from models.visits.visits import Intervention

    rows = []
    for i in range(BOARD_VISITS):
        person, address_id = households[i % len(households)]
        worker = workers[i % len(workers)]
        start = BOARD_DAY + timedelta(hours=6, minutes=15 * (i // 2) + 5 * (i % 2))
        end = start + timedelta(hours=2 + i % 2)
        status, checked_in, checked_out, late_at = InterventionStatus.SCHEDULED, None, None, None
        if i < 14:
            status = InterventionStatus.COMPLETED
            checked_in, checked_out = start + timedelta(minutes=2), end - timedelta(minutes=4)
        elif i < 22:
            status, checked_in = InterventionStatus.IN_PROGRESS, start + timedelta(minutes=1)
        elif i == 22:
            status = InterventionStatus.MISSED
        elif i == 23:
            status = InterventionStatus.CANCELLED
        if i in (5, 17, 24, 25, 31):
            late_at = start + timedelta(minutes=15)
        rows.append(
            Intervention(
                agency_id=agency_id,
                client_id=person.record_id,
                address_id=address_id,
                worker_id=None if i == 49 else worker.record_id,
                service_type_id=services[i % len(services)],
                scheduled_start=start,
                scheduled_end=end,
                status=status,
                checked_in_at=checked_in,
                checked_out_at=checked_out,
                check_in_distance_m=900 if i in (3, 9, 18) else (40 if checked_in else None),
                position_flagged=i in (3, 9, 18),
                late_at=late_at,
                instructions="Clé chez la gardienne." if i % 3 == 0 else "",
                cancellation_reason="Absence du client." if i == 23 else "",
            )
        )
    await Intervention.bulk_create(rows)
    return list(
        await Intervention.filter(agency_id=agency_id, scheduled_start__gte=BOARD_DAY).order_by(
            "scheduled_start", "id"
        )
    )


async def _calendar_visits(
    agency_id: int, household: Any, address_id: int, workers: list[Any], service: int
) -> list[Any]:
    """The household's March 2024: 20 visits, 18 done, one cancelled, one missed."""
    from models.enums import InterventionStatus
    from models.visits.visits import Intervention

    rows = []
    for i in range(CALENDAR_VISITS):
        start = CALENDAR_FROM + timedelta(days=i + i // 2, hours=8 + (i % 3))
        end = start + timedelta(hours=2)
        status = InterventionStatus.COMPLETED
        checked_in: datetime | None = start + timedelta(minutes=3)
        checked_out: datetime | None = end - timedelta(minutes=5)
        if i == 16:
            status, checked_in, checked_out = InterventionStatus.CANCELLED, None, None
        elif i == 17:
            status, checked_in, checked_out = InterventionStatus.MISSED, None, None
        rows.append(
            Intervention(
                agency_id=agency_id,
                client_id=household.record_id,
                address_id=address_id,
                worker_id=workers[i % 3].record_id,
                service_type_id=service,
                scheduled_start=start,
                scheduled_end=end,
                status=status,
                checked_in_at=checked_in,
                checked_out_at=checked_out,
                instructions="Repasser les chemises." if i % 4 == 0 else "",
                cancellation_reason="Vacances." if i == 16 else "",
            )
        )
    await Intervention.bulk_create(rows)
    return list(
        await Intervention.filter(
            client_id=household.record_id,
            scheduled_start__gte=CALENDAR_FROM,
            scheduled_start__lt=CALENDAR_TO,
        ).order_by("scheduled_start", "id")
    )


async def _ratings(
    agency_id: int, client_id: int, calendar: list[Any], advisor_account_id: int
) -> dict[int, int]:
    """Ratings of the first 16 visits, with comments; follow-ups of the low ones (<= 2)."""
    from models.ratings import Rating, RatingFollowUp

    done = [v for v in calendar if v.checked_out_at is not None]
    for visit, score, comment in zip(done, SCORES, COMMENTS, strict=False):
        when = visit.checked_out_at + timedelta(hours=3)
        await Rating.create(
            intervention_id=visit.id,
            client_id=client_id,
            worker_id=visit.worker_id,
            agency_id=agency_id,
            score=score,
            comment=comment,
            created_at=when,
            updated_at=when,
        )
    ratings = {r.intervention_id: r for r in await Rating.filter(client_id=client_id)}
    for rating in sorted(ratings.values(), key=lambda r: r.id):
        if rating.score <= 2:
            await RatingFollowUp.create(
                rating_id=rating.id,
                advisor_id=advisor_account_id,
                created_at=rating.created_at + timedelta(minutes=1),
            )
    return {visit_id: r.id for visit_id, r in ratings.items()}


async def _notes(client_id: int, calendar: list[Any]) -> None:
    """The household's profile and a note on every other visit (the briefing's)."""
    from models.households.profile import HouseholdProfile, VisitNote

    when = CALENDAR_FROM - timedelta(days=10)
    await HouseholdProfile.create(
        client_id=client_id,
        favour_products="Savon noir, vinaigre blanc",
        avoid_products="Javel",
        preferred_slots="Le matin, avant midi",
        instructions="Commencer par la cuisine. Ne pas déplacer les papiers du bureau.",
        pets="Un chat, craintif",
        allergies="Acariens",
        other_needs="",
        updated_at=when,
    )
    for index, visit in enumerate(calendar):
        if index % 2 == 1:
            await VisitNote.create(
                intervention_id=visit.id,
                body=f"Visite {index + 1} : insister sur la salle de bains, le linge est à "
                "repasser dans la chambre.",
                updated_at=visit.scheduled_start - timedelta(days=1),
            )


NOTES = ["Plutôt le lendemain, si possible.", "Nous serons absents.",
         "Une heure de plus pour le repassage."]  # fmt: skip


async def _change_requests(
    agency_id: int,
    households: list[tuple[Any, int]],
    workers: list[Any],
    service: int,
    advisor_account_id: int,
) -> tuple[int, int]:
    """Six pending requests about visits of REQUESTS_DAY, and two decided ones."""
    from models.enums import ChangeRequestKind, ChangeRequestStatus, InterventionStatus
    from models.requests import ChangeRequest
    from models.visits.visits import Intervention

    created = datetime(2031, 3, 1, 9, 0, tzinfo=UTC)
    first_id = 0
    for i in range(8):
        person, address_id = households[i % 6]
        start = REQUESTS_DAY + timedelta(hours=8 + i)
        visit = await Intervention.create(
            agency_id=agency_id,
            client_id=person.record_id,
            address_id=address_id,
            worker_id=workers[i % len(workers)].record_id,
            service_type_id=service,
            scheduled_start=start,
            scheduled_end=start + timedelta(hours=2),
            status=InterventionStatus.SCHEDULED,
        )
        kind = [ChangeRequestKind.NEW_SLOT, ChangeRequestKind.CANCELLATION,
                ChangeRequestKind.NEW_DURATION][i % 3]  # fmt: skip
        pending = i < 6
        request = await ChangeRequest.create(
            agency_id=agency_id,
            client_id=person.record_id,
            kind=kind,
            status=ChangeRequestStatus.PENDING if pending else ChangeRequestStatus.APPROVED,
            intervention_id=visit.id,
            requested_start=start + timedelta(days=1)
            if kind is ChangeRequestKind.NEW_SLOT
            else None,
            requested_end=start + timedelta(days=1, hours=2)
            if kind is ChangeRequestKind.NEW_SLOT
            else None,
            duration_minutes=180 if kind is ChangeRequestKind.NEW_DURATION else None,
            note=NOTES[i % 3],
            late=i == 4,
            created_at=created + timedelta(hours=i),
            decided_by_id=None if pending else advisor_account_id,
            decided_at=None if pending else created + timedelta(days=1),
        )
        first_id = first_id or request.id
    return first_id, 8


async def _conversations(
    agency_id: int, households: list[tuple[Any, int]], advisor_account_id: int
) -> int:
    """Eight conversations of 3 to 6 messages; five wait for a reply (one premium client)."""
    from models.messaging import ClientPremium, Conversation, Message

    base = datetime(2031, 3, 2, 8, 0, tzinfo=UTC)
    first_id = 0
    for i in range(8):
        person, _ = households[i]
        count = 3 + i % 4
        waiting = i < 5
        start = base + timedelta(hours=5 * i)
        last = start + timedelta(minutes=40 * (count - 1))
        due = datetime(2024, 3, 5, 12, tzinfo=UTC) if i == 2 else last + timedelta(hours=4)
        conversation = await Conversation.create(
            client_id=person.record_id,
            agency_id=agency_id,
            created_at=start,
            last_message_at=last,
            waiting_since=last if waiting else None,
            response_due_at=due if waiting else None,
        )
        first_id = first_id or conversation.id
        for n in range(count):
            # A waiting conversation ends with the household's message, the others with ours.
            from_client = (n % 2 == 0) if not waiting or n < count - 1 else True
            if not waiting and n == count - 1:
                from_client = False
            sent = start + timedelta(minutes=40 * n)
            await Message.create(
                conversation_id=conversation.id,
                author_id=person.account_id if from_client else advisor_account_id,
                from_client=from_client,
                body=(
                    f"Bonjour, pourrait-on décaler la visite de jeudi ? ({i}.{n})"
                    if from_client
                    else f"Bonjour, c'est noté, nous revenons vers vous. ({i}.{n})"
                ),
                sent_at=sent,
                client_read_at=sent if from_client else None,
                agency_read_at=None if from_client and waiting else sent + timedelta(minutes=5),
                response_due_at=due if from_client and waiting and n == count - 1 else None,
            )
    await ClientPremium.create(
        client_id=households[3][0].record_id, set_by_id=advisor_account_id, since=base
    )
    return first_id


async def _invoices(agency_id: int, household: Any, advisor_account_id: int) -> tuple[int, int]:
    """A year of monthly invoices, four lines each, each paid by direct debit."""
    from models.billing.invoices import Invoice, InvoiceLine, Payment
    from models.enums import InvoiceStatus, PaymentMethod, ServiceMode

    first_id = 0
    for month in range(1, 13):
        period_start = date(YEAR, month, 1)
        period_end = (date(YEAR, month + 1, 1) if month < 12 else date(YEAR + 1, 1, 1)) - (
            timedelta(days=1)
        )
        issued_on = period_end + timedelta(days=1)
        minutes, rate, vat_bp = 120, 2800, 1000
        excl = minutes * rate // 60
        vat = excl * vat_bp // 10000
        invoice = await Invoice.create(
            agency_id=agency_id,
            client_id=household.record_id,
            service_mode=ServiceMode.PRESTATAIRE,
            year=YEAR,
            sequence=month,
            number=f"F{YEAR}-{month:05d}",
            issued_at=datetime(issued_on.year, issued_on.month, issued_on.day, 6, tzinfo=UTC),
            issued_on=issued_on,
            due_on=issued_on + timedelta(days=15),
            period_start=period_start,
            period_end=period_end,
            total_excl_cents=4 * excl,
            vat_cents=4 * vat,
            total_incl_cents=4 * (excl + vat),
            eligible_cents=4 * (excl + vat),
            amount_due_cents=4 * (excl + vat),
            status=InvoiceStatus.PAID,
            paid_cents=4 * (excl + vat),
            agency_name="Agence Corpus",
            agency_address="5 rue du Faubourg, 75010 Paris",
            sap_number="SAP123456789",
            client_number=f"C{household.record_id:07d}",
            client_name="Jeanne Dupont",
            client_address="3 rue de Charonne, 75011 Paris",
            created_by_id=advisor_account_id,
        )
        first_id = first_id or invoice.id
        for position in range(4):
            day = period_start + timedelta(days=7 * position + 2)
            await InvoiceLine.create(
                invoice_id=invoice.id,
                position=position + 1,
                label="Ménage régulier",
                service_date=day,
                start_time="09:00",
                end_time="11:00",
                place="3 rue de Charonne, 75011 Paris",
                worker_name="Fatou Diallo",
                employee_number="M00001",
                minutes=minutes,
                hourly_rate_cents=rate,
                vat_rate_bp=vat_bp,
                excl_cents=excl,
                vat_cents=vat,
                incl_cents=excl + vat,
            )
        await Payment.create(
            invoice_id=invoice.id,
            client_id=household.record_id,
            method=PaymentMethod.SEPA_DEBIT,
            amount_cents=4 * (excl + vat),
            received_on=issued_on + timedelta(days=10),
            reference=f"PRLV-{YEAR}-{month:02d}",
            recorded_by_id=advisor_account_id,
            created_at=datetime(issued_on.year, issued_on.month, issued_on.day, 7, tzinfo=UTC)
            + timedelta(days=10),
        )
    return first_id, 12


async def _help_articles(agency_id: int) -> int:
    """The shipped library as shared articles, and two of the agency's own, at fixed dates."""
    from models.help import HelpArticle, HelpArticleKind, HelpCategory
    from services import search_text
    from services.help_library import LIBRARY

    when = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)
    rows = []
    for index, entry in enumerate(LIBRARY):
        rows.append(
            HelpArticle(
                agency_id=None,
                slug=entry.slug,
                kind=HelpArticleKind.FAQ if entry.faq else HelpArticleKind.ARTICLE,
                category=HelpCategory(entry.category),
                title=entry.title,
                body=entry.body,
                search_terms=entry.terms,
                title_search=search_text.stored(entry.title),
                search_text=search_text.stored(f"{entry.title}\n{entry.terms}\n{entry.body}"),
                published_at=when,
                created_at=when,
                updated_at=when + timedelta(minutes=index),
            )
        )
    own = [
        ("credit-impot-agence", "Votre crédit d'impôt avec l'Agence Corpus",
         "crédit d'impôt avance immédiate attestation",
         "Nos factures ouvrent droit au **crédit d'impôt** de 50 %. L'avance immédiate "
         "le déduit de chaque facture."),
        ("cles-agence", "Confier vos clés à l'agence", "clés double trousseau",
         "Nous gardons un double de vos clés dans un coffre, sous un numéro."),
    ]  # fmt: skip
    for index, (slug, title, terms, body) in enumerate(own):
        rows.append(
            HelpArticle(
                agency_id=agency_id,
                slug=slug,
                kind=HelpArticleKind.ARTICLE,
                category=HelpCategory(LIBRARY[0].category),
                title=title,
                body=body,
                search_terms=terms,
                title_search=search_text.stored(title),
                search_text=search_text.stored(f"{title}\n{terms}\n{body}"),
                published_at=when,
                created_at=when,
                updated_at=when + timedelta(days=1, minutes=index),
            )
        )
    await HelpArticle.bulk_create(rows)
    return len(rows)
