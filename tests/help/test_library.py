"""The starter library: what a newcomer types finds what they look for."""

from __future__ import annotations

import pytest

from services.help_library import LIBRARY
from simulation.seed.help_demo import seed_shared_articles
from tests.help.factories import CATEGORIES, Cast

SEARCH = """
query Search($search: String, $category: HelpCategoryCode) {
  helpArticles(search: $search, category: $category, first: 100) {
    edges { node { slug title category searchTerms shared } }
  }
}
"""
CREATE = """
mutation Create($input: CreateHelpArticleInput!) {
  createHelpArticle(input: $input) { helpArticle { id slug searchTerms } userErrors { code field } }
}
"""
PUBLISH = """
mutation Publish($input: HelpContentInput!) {
  publishHelpArticle(input: $input) { userErrors { code } }
}
"""


@pytest.fixture(scope="module")
async def team(team: Cast) -> Cast:
    """The help cast, with the starter library in the database."""
    await seed_shared_articles()
    return team


async def slugs(api, token: str, search: str) -> list[str]:
    result = await api.data(SEARCH, {"search": search}, token=token)
    return [edge["node"]["slug"] for edge in result["helpArticles"]["edges"]]


def test_the_library_holds_at_least_25_articles_each_with_terms_and_a_category():
    assert len(LIBRARY) >= 25
    assert len({entry.slug for entry in LIBRARY}) == len(LIBRARY)
    for entry in LIBRARY:
        assert entry.terms.strip() and entry.category and entry.body.strip(), entry.slug


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("meuble", {"entretien-meubles-bois", "entretien-cuir", "entretien-tissus-ameublement"}),
        ("écologique", {"produits-ecolabel", "vinaigre-bicarbonate-savon-noir"}),
        ("sinistre", {"que-faire-apres-un-dommage", "suivi-declaration-sinistre"}),
        ("avance immédiate", {"avance-immediate-credit-impot", "activer-avance-immediate"}),
        ("attestation", {"attestation-fiscale", "factures-et-attestations"}),
        ("parquet", {"entretien-parquet"}),
        ("marbre", {"entretien-marbre-pierre"}),
        ("digicode", {"codes-acces-securite"}),
    ],
)
async def test_a_newcomers_searches_find_the_relevant_articles(api, team, search, expected):
    found = await slugs(api, team.client, search)
    assert expected <= set(found), found
    # The most relevant comes first: one of the expected articles leads the list.
    assert found[0] in expected


async def test_categories_of_care_eco_products_and_damage_are_filled(api, team):
    rows = (await api.data(CATEGORIES, token=team.client))["helpCategories"]
    counts = {row["code"]: row["articleCount"] for row in rows}
    assert counts["FURNITURE_CARE"] >= 8
    assert counts["ECO_PRODUCTS"] >= 3
    assert counts["DAMAGE"] >= 2
    assert counts["BILLING"] >= 3


async def test_an_agency_edits_a_shared_article_with_its_own_terms(api, team):
    created = await api.data(
        CREATE,
        {
            "input": {
                "kind": "ARTICLE",
                "category": "FURNITURE_CARE",
                "title": "Nos conseils pour le parquet",
                "body": "Notre agence utilise un savon spécial parquet fourni par vos soins.",
                "slug": "entretien-parquet",
                "searchTerms": "lames chevrons point-de-hongrie",
            }
        },
        token=team.admin,
    )
    article = created["createHelpArticle"]["helpArticle"]
    assert created["createHelpArticle"]["userErrors"] == []
    assert article["searchTerms"] == "lames chevrons point-de-hongrie"
    await api.data(PUBLISH, {"input": {"id": article["id"]}}, token=team.admin)
    found = await api.data(SEARCH, {"search": "chevrons"}, token=team.client)
    nodes = [edge["node"] for edge in found["helpArticles"]["edges"]]
    assert [(n["slug"], n["shared"]) for n in nodes] == [("entretien-parquet", False)]


async def test_seeding_again_creates_nothing(team):
    assert await seed_shared_articles() == 0
