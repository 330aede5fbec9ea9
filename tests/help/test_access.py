"""Who may do what in the help centre: every operation against every kind of stranger."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.help.factories import Cast, article, cast, later, webinar

READS = {
    "helpArticles": "query { helpArticles { edges { node { id } } } }",
    "helpArticle": 'query { helpArticle(slug: "bien-demarrer") { id } }',
    "helpCategories": "query { helpCategories { code } }",
    "newsItems": "query { newsItems { edges { node { id } } } }",
    "webinars": "query { webinars { edges { node { id } } } }",
}
TIPS = "query { tips { key } }"
NODE = "query Node($id: ID!) { node(id: $id) { id } }"

# Each admin mutation: its input type, the input it gets (ids: the cast's article, news
# item and webinar), and what it returns.
WEBINAR = {
    "title": "Atelier",
    "durationMinutes": 30,
    "link": "https://visio.example.com/a",
    "capacity": 5,
}
ARTICLE = {"kind": "FAQ", "category": "BILLING", "title": "Question", "body": "R."}
Maker = Callable[[dict[str, str]], dict[str, Any]]
ADMIN_MUTATIONS: dict[str, tuple[str, Maker, str]] = {
    "createHelpArticle": ("CreateHelpArticleInput", lambda ids: ARTICLE, "helpArticle { id }"),
    "updateHelpArticle": (
        "UpdateHelpArticleInput",
        lambda ids: {"id": ids["article"], "title": "Nouveau titre"},
        "helpArticle { id }",
    ),
    "publishHelpArticle": (
        "HelpContentInput",
        lambda ids: {"id": ids["article"]},
        "helpArticle { id }",
    ),
    "unpublishHelpArticle": (
        "HelpContentInput",
        lambda ids: {"id": ids["article"]},
        "helpArticle { id }",
    ),
    "deleteHelpArticle": ("HelpContentInput", lambda ids: {"id": ids["article"]}, "deletedId"),
    "createNewsItem": (
        "CreateNewsItemInput",
        lambda ids: {"kind": "OFFER", "title": "Offre", "body": "-10 %"},
        "newsItem { id }",
    ),
    "updateNewsItem": (
        "UpdateNewsItemInput",
        lambda ids: {"id": ids["news"], "title": "Titre"},
        "newsItem { id }",
    ),
    "publishNewsItem": ("PublishNewsItemInput", lambda ids: {"id": ids["news"]}, "newsItem { id }"),
    "unpublishNewsItem": ("HelpContentInput", lambda ids: {"id": ids["news"]}, "newsItem { id }"),
    "deleteNewsItem": ("HelpContentInput", lambda ids: {"id": ids["news"]}, "deletedId"),
    "createWebinar": (
        "CreateWebinarInput",
        lambda ids: {**WEBINAR, "startsAt": later(days=2)},
        "webinar { id }",
    ),
    "updateWebinar": (
        "UpdateWebinarInput",
        lambda ids: {"id": ids["webinar"], "capacity": 9},
        "webinar { id }",
    ),
    "publishWebinar": ("HelpContentInput", lambda ids: {"id": ids["webinar"]}, "webinar { id }"),
    "unpublishWebinar": ("HelpContentInput", lambda ids: {"id": ids["webinar"]}, "webinar { id }"),
    "deleteWebinar": ("HelpContentInput", lambda ids: {"id": ids["webinar"]}, "deletedId"),
}
CLIENT_MUTATIONS = ("registerForWebinar", "cancelWebinarRegistration")

CREATE_NEWS = """
mutation News($input: CreateNewsItemInput!) {
  createNewsItem(input: $input) { newsItem { id } userErrors { code } }
}
"""
PUBLISH_NEWS = """
mutation Publish($input: PublishNewsItemInput!) {
  publishNewsItem(input: $input) { newsItem { id status } userErrors { code } }
}
"""


def mutation(name: str) -> str:
    if name in CLIENT_MUTATIONS:
        input_type, selection = "WebinarRegistrationInput", "webinar { id }"
    else:
        input_type, _, selection = ADMIN_MUTATIONS[name]
    return (
        f"mutation Op($input: {input_type}!) "
        f"{{ {name}(input: $input) {{ {selection} userErrors {{ field code }} }} }}"
    )


@pytest.fixture(scope="module")
async def teams(server, settings) -> tuple[Cast, Cast, dict[str, str]]:
    api = server.api
    home, other = await cast(api, settings), await cast(api, settings)
    written = await article(api, home, "Article de l'agence", "Texte.")
    news = await api.data(
        CREATE_NEWS,
        {"input": {"kind": "OFFER", "title": "Offre", "body": "Texte"}},
        token=home.admin,
    )
    news_id = news["createNewsItem"]["newsItem"]["id"]
    await api.data(PUBLISH_NEWS, {"input": {"id": news_id}}, token=home.admin)
    planned = await webinar(api, home)
    return home, other, {"article": written["id"], "news": news_id, "webinar": planned["id"]}


async def test_reading_needs_a_client_or_staff_of_the_agency(api, teams):
    home, _, _ = teams
    for name, document in READS.items():
        assert await api.error_code(document) == "UNAUTHENTICATED", name
        assert await api.error_code(document, token=home.worker) == "FORBIDDEN", name
        for token in (home.client, home.advisor, home.admin):
            await api.data(document, token=token)
    assert await api.error_code(TIPS) == "UNAUTHENTICATED"
    for token in (home.worker, home.advisor, home.admin):
        assert await api.error_code(TIPS, token=token) == "FORBIDDEN"
    await api.data(TIPS, token=home.client)


async def test_another_agency_sees_nothing_of_ours(api, teams):
    home, other, ids = teams
    for token in (other.client, other.advisor, other.admin):
        for name in ("helpArticles", "newsItems", "webinars"):
            listed = await api.data(READS[name], token=token)
            found = {edge["node"]["id"] for edge in listed[name]["edges"]}
            assert not found & set(ids.values()), name
        for global_id in ids.values():
            assert (await api.data(NODE, {"id": global_id}, token=token))["node"] is None
        by_id = "query Article($id: ID) { helpArticle(id: $id) { id } }"
        assert (await api.data(by_id, {"id": ids["article"]}, token=token))["helpArticle"] is None
    for global_id in ids.values():
        assert (await api.data(NODE, {"id": global_id}, token=home.worker))["node"] is None
        assert (await api.data(NODE, {"id": global_id}, token=home.client))["node"] == {
            "id": global_id
        }
        assert await api.error_code(NODE, {"id": global_id}) == "UNAUTHENTICATED"


async def test_only_the_admin_of_the_agency_manages_content(api, teams):
    home, other, ids = teams
    for name, (_, make_input, _) in ADMIN_MUTATIONS.items():
        variables = {"input": make_input(ids)}
        document = mutation(name)
        assert await api.error_code(document, variables) == "UNAUTHENTICATED", name
        for token in (home.client, home.worker, home.advisor):
            assert await api.error_code(document, variables, token=token) == "FORBIDDEN", name
        if "id" in variables["input"]:
            result = await api.data(document, variables, token=other.admin)
            assert result[name]["userErrors"] == [{"field": ["id"], "code": "NOT_FOUND"}], name
    # The admin of the agency may do it all (deletions last).
    for name, (_, make_input, _) in sorted(
        ADMIN_MUTATIONS.items(), key=lambda item: item[0].startswith("delete")
    ):
        if name == "unpublishWebinar":
            continue
        result = await api.data(mutation(name), {"input": make_input(ids)}, token=home.admin)
        assert result[name]["userErrors"] == [], name


async def test_only_clients_of_the_agency_register_for_its_webinars(api, teams):
    home, other, _ = teams
    planned = await webinar(api, home, title="Accès")
    variables = {"input": {"webinarId": planned["id"]}}
    for name in CLIENT_MUTATIONS:
        document = mutation(name)
        assert await api.error_code(document, variables) == "UNAUTHENTICATED"
        for token in (home.worker, home.advisor, home.admin):
            assert await api.error_code(document, variables, token=token) == "FORBIDDEN"
        result = await api.data(document, variables, token=other.client)
        assert result[name]["userErrors"] == [{"field": ["webinarId"], "code": "NOT_FOUND"}]
    bad = {"input": {"webinarId": home.admin[:10]}}
    assert await api.error_code(mutation("registerForWebinar"), bad, token=home.client) == (
        "BAD_USER_INPUT"
    )
