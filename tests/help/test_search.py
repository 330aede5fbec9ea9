"""Searching the help centre: accents and case ignored, several words, ranking, pages."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from models.help import HelpArticle, HelpArticleKind, HelpCategory
from resolvers.help.admin import index_article
from schema.core.ids import from_global_id
from services import search_text
from tests.help.factories import CATEGORIES, Cast, article, cast

SEARCH = """
query Search($search: String, $category: HelpCategoryCode, $first: Int, $after: String) {
  helpArticles(search: $search, category: $category, first: $first, after: $after) {
    edges { cursor node { id slug title shared } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}
"""


@pytest.fixture(scope="module")
async def team(server, team: Cast) -> Cast:
    """The help cast, with articles to find."""
    api = server.api
    await article(api, team, "Détacher un tapis", "Le vinaigre blanc et la patience.")
    await article(
        api,
        team,
        "Entretenir le parquet ciré",
        "Un chiffon doux, jamais d'eau en excès. Pour les tâches : savon noir.",
        category="HOUSEKEEPING_TIPS",
    )
    await article(
        api,
        team,
        "Tâches de café sur le canapé",
        "Tamponnez la tâche, sans frotter, avec de l'eau gazeuse.",
    )
    await article(
        api,
        team,
        "Nettoyer les vitres",
        "Pour des vitres sans traces : eau chaude et quelques gouttes de liquide vaisselle. "
        "Le café froid n'y est pour rien.",
        category="VISITS",
    )
    await article(api, team, "Brouillon sur le café", "Pas encore publié.", publish=False)
    return team


async def titles(api, token: str, **variables) -> list[str]:
    """The agency's own articles found: the shared starter library may be seeded too."""
    result = await api.data(SEARCH, variables, token=token)
    return [
        edge["node"]["title"]
        for edge in result["helpArticles"]["edges"]
        if not edge["node"]["shared"]
    ]


async def test_accents_and_case_are_ignored_both_ways(api, team):
    assert await titles(api, team.client, search="TACHES") == [
        "Tâches de café sur le canapé",
        "Entretenir le parquet ciré",
    ]
    assert await titles(api, team.client, search="détâcher") == ["Détacher un tapis"]
    assert await titles(api, team.client, search="Cire") == ["Entretenir le parquet ciré"]


async def test_several_words_rank_by_words_found_then_title_matches(api, team):
    # Both words are in the first; one word, in the body only, in the two others, which
    # then come most recently updated first.
    assert await titles(api, team.client, search="tâche café") == [
        "Tâches de café sur le canapé",
        "Nettoyer les vitres",
        "Entretenir le parquet ciré",
    ]
    # A word found in a title ranks above the same word found in a body only.
    assert (await titles(api, team.client, search="vitres café"))[0] == "Nettoyer les vitres"
    # Word starts match ("parq" finds "parquet"); stop words alone find nothing.
    assert await titles(api, team.client, search="parq") == ["Entretenir le parquet ciré"]
    assert await titles(api, team.client, search="comment le la de") == []
    assert await titles(api, team.client, search="introuvable") == []


async def test_drafts_are_found_by_staff_only(api, team):
    assert "Brouillon sur le café" not in await titles(api, team.client, search="café")
    assert "Brouillon sur le café" in await titles(api, team.advisor, search="café")
    assert "Brouillon sur le café" in await titles(api, team.admin, search="café")


async def test_search_results_come_in_pages(api, team):
    words = "café tâche tapis brouillon"
    assert len(await titles(api, team.admin, search=words)) == 5
    # The shared starter library may hold some of these words too: page through it all.
    found = await api.data(SEARCH, {"search": words, "first": 100}, token=team.admin)
    everything = [edge["node"]["title"] for edge in found["helpArticles"]["edges"]]
    seen, after, pages = [], None, 0
    while True:
        result = await api.data(
            SEARCH,
            {"search": words, "first": 2, "after": after},
            token=team.admin,
        )
        connection = result["helpArticles"]
        seen += [edge["node"]["title"] for edge in connection["edges"]]
        assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
        pages += 1
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert pages == (len(everything) + 1) // 2
    assert seen == everything


async def test_listing_without_search_is_alphabetical_and_filtered_by_category(api, team):
    visits = await titles(api, team.client, category="VISITS", first=100)
    assert "Nettoyer les vitres" in visits and "Détacher un tapis" not in visits
    listed = await titles(api, team.client, first=100)
    mine = ["Détacher un tapis", "Entretenir le parquet ciré", "Nettoyer les vitres"]
    mine.append("Tâches de café sur le canapé")  # accents do not move it after the t's
    assert [title for title in listed if title in mine] == mine
    assert "Brouillon sur le café" not in listed


async def test_categories_count_the_published_articles_a_reader_sees(api, team):
    rows = (await api.data(CATEGORIES, token=team.client))["helpCategories"]
    by_code = {row["code"]: row for row in rows}
    assert by_code["HOUSEKEEPING_TIPS"]["label"] == "Conseils d'entretien"
    assert by_code["HOUSEKEEPING_TIPS"]["articleCount"] >= 3
    assert by_code["VISITS"]["articleCount"] >= 1
    assert len(rows) == 10


async def test_search_limits_and_bad_cursors_are_refused(api, team):
    too_long = {"search": "a" * 201}
    assert await api.error_code(SEARCH, too_long, token=team.client) == "BAD_USER_INPUT"
    too_many = {"search": " ".join(f"mot{i}" for i in range(9))}
    assert await api.error_code(SEARCH, too_many, token=team.client) == "BAD_USER_INPUT"
    assert await api.error_code(SEARCH, {"first": 101}, token=team.client) == "BAD_USER_INPUT"
    assert await api.error_code(SEARCH, {"after": "nope"}, token=team.client) == "BAD_USER_INPUT"


RANKED = """
query Ranked($search: String, $after: String) {
  helpArticles(search: $search, first: 7, after: $after) {
    edges { node { id title shared } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def test_the_database_ranks_as_the_rule_says(api, settings):
    """Many articles sharing words, some updated at the same moment: page after page, the
    order is the rule's (words found, then found in the title, the latest update, the
    latest id), worked out here from every article."""
    team = await cast(api, settings)
    pick = random.Random(17)
    vocabulary = ["vitres", "parquet", "tapis", "linge", "four", "rideaux"]
    moments = [datetime(2024, 5, 1, tzinfo=UTC) + timedelta(hours=h) for h in range(4)]
    rows = []
    for i in range(45):
        article = HelpArticle(
            agency_id=team.agency_id,
            slug=f"classement-{i}",
            kind=HelpArticleKind.ARTICLE,
            category=HelpCategory.HOUSEKEEPING_TIPS,
            title=" ".join(["Fiche", *pick.sample(vocabulary, pick.randint(0, 2))]),
            body=" ".join(["Conseils", *pick.sample(vocabulary, pick.randint(0, 3))]),
            published_at=moments[0],
            created_at=moments[0],
            updated_at=pick.choice(moments),  # ties: the id decides
        )
        index_article(article)
        rows.append(article)
    await HelpArticle.bulk_create(rows)
    own = await HelpArticle.filter(agency_id=team.agency_id)
    for search in ("vitres parquet", "tapis linge four", "rideaux", "vitre four parq"):
        words = search_text.query_words(search)

        def score(row: HelpArticle, words: list[str] = words) -> tuple[int, int, datetime, int]:
            found = sum(f" {word}" in row.search_text for word in words)
            titled = sum(f" {word}" in row.title_search for word in words)
            return found, titled, row.updated_at, row.id

        expected = [row.id for row in sorted(own, key=score, reverse=True) if score(row)[0] > 0]
        assert len(expected) > 7  # more than a page
        seen, after = [], None
        while True:
            result = await api.data(RANKED, {"search": search, "after": after}, token=team.client)
            connection = result["helpArticles"]
            seen += [
                from_global_id(edge["node"]["id"])[1]
                for edge in connection["edges"]
                if not edge["node"]["shared"]
            ]
            if not connection["pageInfo"]["hasNextPage"]:
                break
            after = connection["pageInfo"]["endCursor"]
        assert seen == expected, search
