"""Help-centre lists cost a fixed number of SQL statements, whatever their length."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from models.help import HelpArticle, HelpArticleKind, HelpCategory, Webinar
from resolvers.help.admin import index_article
from tests.factories import QueryCounter, unique
from tests.help.factories import Cast, cast

WEBINARS = """
query { webinars(first: 100) { edges { node { id registered seatsLeft link } } } }
"""
SEARCH = """
query Search($search: String) {
  helpArticles(search: $search, first: 100) { edges { node { id title bodyHtml shared } } }
}
"""

# What a search box shows: no body, so the page is read with the ranking.
TITLES = """
query Titles($search: String) {
  helpArticles(search: $search, first: 100) { edges { node { id title shared } } }
}
"""


async def fill(team: Cast, count: int) -> None:
    now = datetime.now(UTC)
    webinars, articles = [], []
    for i in range(count):
        starts = now + timedelta(days=1, hours=i)
        webinars.append(
            Webinar(
                agency_id=team.agency_id,
                title=f"Atelier {i}",
                description="",
                starts_at=starts,
                duration_minutes=30,
                ends_at=starts + timedelta(minutes=30),
                link="https://visio.example.com/a",
                capacity=10,
                published_at=now,
                created_at=now,
                updated_at=now,
            )
        )
        article = HelpArticle(
            agency_id=team.agency_id,
            slug=f"conseil-{i}",
            kind=HelpArticleKind.FAQ,
            category=HelpCategory.HOUSEKEEPING_TIPS,
            title=f"Conseil numéro {i} pour le linge",
            body="Repassez le **linge** encore humide.",
            published_at=now,
            created_at=now,
            updated_at=now,
        )
        index_article(article)
        articles.append(article)
    await Webinar.bulk_create(webinars)
    await HelpArticle.bulk_create(articles)


async def test_lists_cost_the_same_statements_for_3_or_60_rows(api, settings):
    small, large = await cast(api, settings), await cast(api, settings)
    await fill(small, 3)
    await fill(large, 60)
    counter = QueryCounter()
    db_log = logging.getLogger("tortoise.db_client")
    previous = db_log.level
    db_log.setLevel(logging.DEBUG)
    db_log.addHandler(counter)
    counts: dict[tuple[str, str], int] = {}
    try:
        for name, team, size in (("small", small, 3), ("large", large, 60)):
            for label, document, variables in (
                ("webinars", WEBINARS, {}),
                ("search", SEARCH, {"search": "linge repassez numero"}),
                ("titles", TITLES, {"search": "linge repassez numero"}),
            ):
                request_id = unique("help-request-")
                result = await api.data(
                    document, variables, token=team.client, headers={"X-Request-ID": request_id}
                )
                # The agency's own rows: the shared starter library may be seeded too.
                edges = next(iter(result.values()))["edges"]
                assert len([e for e in edges if not e["node"].get("shared")]) == size
                counts[(name, label)] = counter.beyond_the_kept(request_id)
    finally:
        db_log.removeHandler(counter)
        db_log.setLevel(previous)
    for label in ("webinars", "search", "titles"):
        assert counts[("small", label)] == counts[("large", label)], counts
    # Reader, page, seat counts and the client's own seats (the session is kept a second,
    # so whether a request reads it depends on the clock: not counted).
    assert counts[("large", "webinars")] <= 5, counts
    # The page, ranked and cut by the database, with the body or without: one statement.
    assert counts[("large", "search")] == 1, counts
    assert counts[("large", "titles")] == 1, counts
