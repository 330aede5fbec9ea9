"""Personalised tips: each rule, the reason it gives, and what it links to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from models.accounts.people import Client
from models.enums import InterventionStatus
from models.ratings import Rating
from models.visits.visits import Intervention, ServiceType
from resolvers.help import tips as rules
from resolvers.visits.planning import billing_address
from simulation.seed.help_demo import seed_shared_articles
from tests.clock import PARIS
from tests.help.factories import REGISTER, Cast, article, cast, later, webinar

TIPS = """
query { tips { key title reason article { slug title shared } webinar { id title registered } } }
"""


async def tips_of(api, team: Cast) -> dict[str, dict[str, Any]]:
    return {tip["key"]: tip for tip in (await api.data(TIPS, token=team.client))["tips"]}


async def age_client(team: Cast, days: int) -> None:
    client = await Client.get(id=team.client_pk)
    client.created_at = datetime.now(UTC) - timedelta(days=days)
    await client.save(update_fields=["created_at"])


async def visit(team: Cast, days_ago: int, status=InterventionStatus.COMPLETED) -> Intervention:
    client = await Client.get(id=team.client_pk)
    start = datetime.now(UTC) - timedelta(days=days_ago)
    return await Intervention.create(
        agency_id=client.agency_id,
        client=client,
        address=await billing_address(client),
        service_type=await ServiceType.get(code="WINDOWS"),
        scheduled_start=start,
        scheduled_end=start + timedelta(hours=2),
        status=status,
    )


async def test_a_new_client_is_shown_how_to_get_started(api, settings):
    await seed_shared_articles()
    team = await cast(api, settings)
    found = await tips_of(api, team)
    assert set(found) == {"GETTING_STARTED"}
    tip = found["GETTING_STARTED"]
    today = datetime.now(PARIS)  # the household's date, not UTC's (New Year's night)
    assert tip["reason"].startswith("Vous êtes client depuis le ")
    assert str(today.year) in tip["reason"]
    assert tip["article"] == {
        "slug": "bien-demarrer",
        "title": "Bien démarrer avec votre agence",
        "shared": True,
    }
    # An agency's own article of that slug replaces the shared one.
    own = await article(api, team, "Bienvenue chez nous", "Nos conseils.", slug="bien-demarrer")
    replaced = await tips_of(api, team)
    assert replaced["GETTING_STARTED"]["article"]["title"] == own["title"]
    assert replaced["GETTING_STARTED"]["article"]["shared"] is False


async def test_no_visit_for_30_days_suggests_booking_one(api, settings):
    await seed_shared_articles()
    team = await cast(api, settings)
    await age_client(team, 45)
    never = await tips_of(api, team)
    assert "GETTING_STARTED" not in never
    assert never["EXTRA_VISIT"]["reason"].startswith(
        "Aucune intervention chez vous depuis votre inscription le "
    )
    assert never["EXTRA_VISIT"]["article"]["slug"] == "reserver-une-intervention-supplementaire"

    await visit(team, days_ago=40)
    await visit(team, days_ago=35, status=InterventionStatus.CANCELLED)  # does not count
    old = await tips_of(api, team)
    assert old["EXTRA_VISIT"]["reason"].startswith("Votre dernière intervention date du ")
    assert old["EXTRA_VISIT"]["reason"].endswith(", il y a plus de 30 jours.")

    await visit(team, days_ago=3)
    assert "EXTRA_VISIT" not in await tips_of(api, team)


async def test_a_recent_low_rating_points_to_the_advisor(api, settings):
    await seed_shared_articles()
    team = await cast(api, settings)
    await age_client(team, 60)
    rated = await visit(team, days_ago=2)
    now = datetime.now(UTC)
    rating = await Rating.create(
        intervention=rated,
        client_id=team.client_pk,
        agency_id=team.agency_id,
        score=2,
        created_at=now,
        updated_at=now,
    )
    tip = (await tips_of(api, team))["CONTACT_ADVISOR"]
    assert tip["reason"].startswith("Vous avez donné la note 2/5 le ")
    assert tip["article"]["slug"] == "contacter-votre-conseiller"

    rating.score = 4
    await rating.save(update_fields=["score"])
    assert "CONTACT_ADVISOR" not in await tips_of(api, team)
    rating.score, rating.updated_at = 1, now - timedelta(days=31)
    await rating.save(update_fields=["score", "updated_at"])
    assert "CONTACT_ADVISOR" not in await tips_of(api, team)


async def test_an_upcoming_webinar_is_suggested_until_the_client_registers(api, settings):
    team = await cast(api, settings)
    await age_client(team, 60)
    await visit(team, days_ago=1)
    planned = await webinar(api, team, title="Repasser sans peine")
    await webinar(api, team, publish=False, title="Pas encore publié")
    await webinar(api, team, title="Trop loin", startsAt=later(days=60))
    found = await tips_of(api, team)
    assert list(found) == ["WEBINAR_INVITATION"]
    tip = found["WEBINAR_INVITATION"]
    assert tip["webinar"] == {
        "id": planned["id"],
        "title": "Repasser sans peine",
        "registered": False,
    }
    assert tip["title"] == "Webinaire : Repasser sans peine"
    assert " à " in tip["reason"] and tip["reason"].endswith("et vous n'êtes pas encore inscrit.")

    await api.data(REGISTER, {"input": {"webinarId": planned["id"]}}, token=team.client)
    assert await tips_of(api, team) == {}


def test_a_client_with_pets_gets_the_pet_hair_article():
    now = datetime.now(UTC)
    profile = rules.ProfileSnapshot(
        now=now,
        time_zone="Europe/Paris",
        client_since=now - timedelta(days=400),
        last_visit_at=now - timedelta(days=2),
        last_low_rating=None,
        webinars_not_registered=(),
        needs=frozenset({"PETS"}),
    )
    suggested = rules.suggest(profile)
    assert [(t.key, t.article_slug) for t in suggested] == [("PET_HAIR", rules.PET_HAIR)]
    assert suggested[0].reason == "Vous avez indiqué avoir des animaux à la maison."
    assert rules.suggest(profile.__class__(**{**profile.__dict__, "needs": frozenset()})) == []


PROFILE = """
mutation Profile($input: UpdateHouseholdProfileInput!) {
  updateHouseholdProfile(input: $input) { userErrors { code } }
}
"""


async def test_a_household_that_declares_a_cat_gets_the_pet_tip_with_its_reason(api, settings):
    await seed_shared_articles()
    team = await cast(api, settings)
    await age_client(team, 400)
    await visit(team, days_ago=3)
    assert "PET_HAIR" not in await tips_of(api, team)
    changed = await api.data(
        PROFILE,
        {"input": {"pets": "un chat", "instructions": "Parquet ciré dans le salon"}},
        token=team.client,
    )
    assert changed["updateHouseholdProfile"]["userErrors"] == []
    found = await tips_of(api, team)
    assert (
        found["PET_HAIR"]["reason"] == "Vous avez indiqué avoir des animaux à la maison (un chat)."
    )
    assert found["PET_HAIR"]["article"]["slug"] == rules.PET_HAIR
    assert found["CARE_PARQUET"]["reason"] == "Votre profil mentionne « parquet »."
    assert found["CARE_PARQUET"]["article"]["slug"] == "entretien-parquet"


async def test_declared_allergies_point_at_eco_labelled_products(api, settings):
    await seed_shared_articles()
    team = await cast(api, settings)
    await age_client(team, 400)
    await visit(team, days_ago=3)
    await api.data(PROFILE, {"input": {"allergies": "acariens, parfums"}}, token=team.client)
    tip = (await tips_of(api, team))["ECO_PRODUCTS"]
    assert "acariens, parfums" in tip["reason"]
    assert tip["article"]["slug"] == "produits-ecolabel"
