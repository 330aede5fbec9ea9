"""Personalised tips: small rules over a snapshot of a client's profile and history.

Seed: "assistance personnalisée". A rule is a plain function of a `ProfileSnapshot`
that returns the tips it suggests, each saying why it is shown; the snapshot is
built once per request from what Passage knows (account age, visits, ratings,
webinars). A new fact about clients (their needs: pets, allergies…) is a new
snapshot field and a new rule, nothing else. A tip points at an article by slug
(the agency's own version first, else the shared one) or at a webinar, and is left
out when its article is not published.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tortoise.expressions import Subquery
from tortoise.functions import Count

from models.accounts.people import Agency, Client
from models.care.claims import Claim
from models.enums import ClaimStatus, InterventionStatus, Role
from models.help import HelpArticle, Webinar, WebinarRegistration
from models.households.profile import HouseholdProfile
from models.ratings import Rating
from models.visits.visits import Intervention
from resolvers.core import guards
from resolvers.core.errors import Forbidden
from resolvers.core.runtime import Viewer
from resolvers.help.articles import articles_by_slug, reader
from resolvers.help.webinars import WebinarView, views
from services import french_dates, search_text
from services.clock import utcnow

FIRST_MONTH = timedelta(days=30)
NO_VISIT_FOR = timedelta(days=30)
LOW_RATING_WITHIN = timedelta(days=30)
LOW_SCORE = 2
WEBINARS_WITHIN = timedelta(days=30)
MAX_WEBINAR_TIPS = 3

# Slugs of the articles tips point at (shared ones come with `passage seed-demo`).
GETTING_STARTED = "bien-demarrer"
EXTRA_VISIT = "reserver-une-intervention-supplementaire"
CONTACT_ADVISOR = "contacter-votre-conseiller"
PET_HAIR = "poils-animaux"
ECO_PRODUCTS = "produits-ecolabel"
CLAIM_STEPS = "suivi-declaration-sinistre"
# A word of the household's profile, and the care article it calls for.
MATERIALS = {
    "parquet": ("Entretenir votre parquet", "entretien-parquet"),
    "marbre": ("Prendre soin du marbre", "entretien-marbre-pierre"),
    "cuir": ("Entretenir le cuir", "entretien-cuir"),
    "carrelage": ("Carrelage et joints", "entretien-carrelage-tomettes"),
    "tomette": ("Carrelage et joints", "entretien-carrelage-tomettes"),
    "inox": ("Inox et électroménager", "entretien-inox-electromenager"),
    "velours": ("Tissus d'ameublement", "entretien-tissus-ameublement"),
}


@dataclass(frozen=True)
class UpcomingWebinar:
    id: int
    title: str
    starts_at: datetime


@dataclass(frozen=True)
class ProfileSnapshot:
    """What the rules may know of a client, read once."""

    now: datetime
    time_zone: str
    client_since: datetime
    last_visit_at: datetime | None  # start of the last visit done or under way
    last_low_rating: tuple[int, datetime] | None  # score and date, within LOW_RATING_WITHIN
    webinars_not_registered: tuple[UpcomingWebinar, ...]
    # What the household declared in its profile (resolvers/households/notes.py): "PETS",
    # "ALLERGIES"; with the words it wrote, quoted in the reasons.
    needs: frozenset[str] = field(default_factory=frozenset)
    declared: dict[str, str] = field(default_factory=dict)
    # Materials and equipment its profile mentions ("parquet", "marbre"…).
    equipment: tuple[str, ...] = ()
    open_claim: bool = False


@dataclass(frozen=True)
class TipDraft:
    key: str
    title: str
    reason: str
    article_slug: str | None = None
    webinar_id: int | None = None


@dataclass(frozen=True)
class Tip:
    key: str
    title: str
    reason: str
    article: HelpArticle | None
    webinar: WebinarView | None


Rule = Callable[[ProfileSnapshot], Iterable[TipDraft]]


def first_month(p: ProfileSnapshot) -> Iterable[TipDraft]:
    if p.now - p.client_since < FIRST_MONTH:
        since = french_dates.day(p.client_since, p.time_zone)
        yield TipDraft(
            "GETTING_STARTED",
            "Bien démarrer avec votre agence",
            f"Vous êtes client depuis le {since} : voici l'essentiel pour bien commencer.",
            article_slug=GETTING_STARTED,
        )


def no_recent_visit(p: ProfileSnapshot) -> Iterable[TipDraft]:
    if p.now - p.client_since < NO_VISIT_FOR:
        return
    if p.last_visit_at is None:
        since = french_dates.day(p.client_since, p.time_zone)
        reason = f"Aucune intervention chez vous depuis votre inscription le {since}."
    elif p.now - p.last_visit_at >= NO_VISIT_FOR:
        last = french_dates.day(p.last_visit_at, p.time_zone)
        reason = f"Votre dernière intervention date du {last}, il y a plus de 30 jours."
    else:
        return
    yield TipDraft(
        "EXTRA_VISIT",
        "Réserver une intervention supplémentaire",
        reason,
        article_slug=EXTRA_VISIT,
    )


def low_rating(p: ProfileSnapshot) -> Iterable[TipDraft]:
    if p.last_low_rating is not None:
        score, given_at = p.last_low_rating
        yield TipDraft(
            "CONTACT_ADVISOR",
            "Parler à votre conseiller",
            f"Vous avez donné la note {score}/5 le {french_dates.day(given_at, p.time_zone)} : "
            "votre conseiller peut en parler avec vous.",
            article_slug=CONTACT_ADVISOR,
        )


def webinar_invitations(p: ProfileSnapshot) -> Iterable[TipDraft]:
    for webinar in p.webinars_not_registered[:MAX_WEBINAR_TIPS]:
        yield TipDraft(
            "WEBINAR_INVITATION",
            f"Webinaire : {webinar.title}",
            f"Le {french_dates.day_and_time(webinar.starts_at, p.time_zone)}, "
            "et vous n'êtes pas encore inscrit.",
            webinar_id=webinar.id,
        )


def pets(p: ProfileSnapshot) -> Iterable[TipDraft]:
    if "PETS" in p.needs:
        said = p.declared.get("PETS")
        yield TipDraft(
            "PET_HAIR",
            "Venir à bout des poils d'animaux",
            "Vous avez indiqué avoir des animaux à la maison" + (f" ({said})." if said else "."),
            article_slug=PET_HAIR,
        )


def allergies(p: ProfileSnapshot) -> Iterable[TipDraft]:
    if "ALLERGIES" in p.needs:
        yield TipDraft(
            "ECO_PRODUCTS",
            "Des produits écologiques et sans allergènes",
            f"Vous avez signalé des allergies ({p.declared.get('ALLERGIES', '')}) : "
            "choisissez des produits labellisés.",
            article_slug=ECO_PRODUCTS,
        )


def equipment(p: ProfileSnapshot) -> Iterable[TipDraft]:
    for word in p.equipment:
        title, slug = MATERIALS[word]
        yield TipDraft(
            f"CARE_{word.upper()}",
            title,
            f"Votre profil mentionne « {word} ».",
            article_slug=slug,
        )


def claim_follow_up(p: ProfileSnapshot) -> Iterable[TipDraft]:
    if p.open_claim:
        yield TipDraft(
            "CLAIM_FOLLOW_UP",
            "Suivre votre déclaration de sinistre",
            "Vous avez une déclaration de sinistre en cours.",
            article_slug=CLAIM_STEPS,
        )


RULES: tuple[Rule, ...] = (
    low_rating,
    claim_follow_up,
    webinar_invitations,
    no_recent_visit,
    first_month,
    pets,
    allergies,
    equipment,
)


def suggest(profile: ProfileSnapshot) -> list[TipDraft]:
    """Every rule's tips, in rule order, once each."""
    drafts: dict[tuple[str, int | None], TipDraft] = {}
    for rule in RULES:
        for draft in rule(profile):
            drafts.setdefault((draft.key, draft.webinar_id), draft)
    return list(drafts.values())


async def _declared(client_id: int) -> tuple[frozenset[str], dict[str, str], tuple[str, ...]]:
    """Needs, their words, and the materials the household's profile mentions."""
    profile = await HouseholdProfile.get_or_none(client_id=client_id)
    if profile is None:
        return frozenset(), {}, ()
    declared = {
        need: text.strip()
        for need, text in (("PETS", profile.pets), ("ALLERGIES", profile.allergies))
        if text.strip()
    }
    free_text = " ".join((profile.instructions, profile.other_needs, profile.favour_products))
    words = set(search_text.words(free_text))
    mentioned = tuple(word for word in MATERIALS if word in words)
    return frozenset(declared), declared, mentioned


async def snapshot(client: Client, time_zone: str) -> ProfileSnapshot:
    now = utcnow()
    last_visits = (
        await Intervention.filter(
            client_id=client.id,
            status__in=[InterventionStatus.COMPLETED, InterventionStatus.IN_PROGRESS],
        )
        .order_by("-scheduled_start")
        .limit(1)
        .values_list("scheduled_start", flat=True)
    )
    ratings = (
        await Rating.filter(
            client_id=client.id, score__lte=LOW_SCORE, updated_at__gte=now - LOW_RATING_WITHIN
        )
        .order_by("-updated_at")
        .limit(1)
        .values_list("score", "updated_at")
    )
    registered = Subquery(WebinarRegistration.filter(client_id=client.id).values("webinar_id"))
    webinars = (
        await Webinar.filter(
            agency_id=client.agency_id,
            published_at__isnull=False,
            starts_at__gt=now,
            starts_at__lte=now + WEBINARS_WITHIN,
        )
        .exclude(id__in=registered)
        .annotate(taken=Count("registrations"))
        .order_by("starts_at", "id")
        .limit(MAX_WEBINAR_TIPS * 3)
    )
    needs, declared, mentioned = await _declared(client.id)
    return ProfileSnapshot(
        needs=needs,
        declared=declared,
        equipment=mentioned,
        open_claim=await Claim.filter(
            client_id=client.id, status__in=[s for s in ClaimStatus if not s.closed]
        ).exists(),
        now=now,
        time_zone=time_zone,
        client_since=client.created_at,
        last_visit_at=last_visits[0] if last_visits else None,  # type: ignore[index,arg-type]
        last_low_rating=(int(ratings[0][0]), ratings[0][1]) if ratings else None,
        webinars_not_registered=tuple(
            UpcomingWebinar(w.id, w.title, w.starts_at)
            for w in webinars
            if w.taken < w.capacity  # type: ignore[attr-defined]
        ),
    )


async def tips(viewer: Viewer | None) -> list[Tip]:
    """The signed-in client's tips; FORBIDDEN for anyone else."""
    signed = guards.signed_in(viewer)
    if signed.role is not Role.CLIENT:
        raise Forbidden("Les conseils personnalisés sont réservés aux clients.")
    who = await reader(signed)
    client = await Client.get(id=who.client_id)
    agency = await Agency.get(id=client.agency_id)
    drafts = suggest(await snapshot(client, agency.time_zone))
    articles = await articles_by_slug(who, {d.article_slug for d in drafts if d.article_slug})
    webinar_ids = [d.webinar_id for d in drafts if d.webinar_id is not None]
    rows = await Webinar.filter(id__in=webinar_ids) if webinar_ids else []
    webinars = {view.webinar.id: view for view in await views(who, rows)}
    found = [
        Tip(
            d.key,
            d.title,
            d.reason,
            articles.get(d.article_slug) if d.article_slug else None,
            webinars.get(d.webinar_id) if d.webinar_id is not None else None,
        )
        for d in drafts
    ]
    return [tip for tip in found if tip.article is not None or tip.webinar is not None]
