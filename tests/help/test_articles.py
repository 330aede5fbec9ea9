"""Writing articles: Markdown served raw and as sanitized HTML, input checks, shared articles."""

from __future__ import annotations

from models.help import HelpArticle
from simulation.seed.help_demo import seed_shared_articles
from tests.help.factories import CREATE_ARTICLE, PUBLISH_ARTICLE, article, cast

ARTICLE = """
query Article($id: ID, $slug: String) {
  helpArticle(id: $id, slug: $slug) { id slug title body bodyHtml shared status }
}
"""

UPDATE = """
mutation Update($input: UpdateHelpArticleInput!) {
  updateHelpArticle(input: $input) {
    helpArticle { id slug title body bodyHtml category }
    userErrors { field message code }
  }
}
"""

UNPUBLISH = """
mutation Unpublish($input: HelpContentInput!) {
  unpublishHelpArticle(input: $input) { helpArticle { id status } userErrors { code } }
}
"""

DELETE = """
mutation Delete($input: HelpContentInput!) {
  deleteHelpArticle(input: $input) { deletedId userErrors { field code } }
}
"""

HOSTILE = """# Conseils

<script>alert("xss")</script>

Un <span onclick="steal()">texte</span> et <img src=x onerror="alert(1)"> une image.

[cliquez](javascript:alert(1)) [encore](JaVaScRiPt:alert(2)) [code](&#106;avascript:alert(3))
[données](data:text/html;base64,PHNjcmlwdD4=) [site](https://www.service-public.fr "Service")
[aide](/aide/bien-demarrer) <a href="javascript:alert(4)">brut</a>

**Gras** et *italique*.
"""


async def test_markdown_is_served_raw_and_as_sanitized_html(api, team):
    written = await article(api, team, "Conseils piégés", HOSTILE)
    read = (await api.data(ARTICLE, {"id": written["id"]}, token=team.client))["helpArticle"]
    assert read["body"] == HOSTILE.strip()
    html = read["bodyHtml"].lower()
    assert "<script" not in html and "alert(&quot;xss&quot;)" not in html
    assert "onclick" not in html and "onerror" not in html and "<img" not in html
    assert "<span" not in html and "javascript:" not in html and "data:" not in html
    assert "un texte et" in html
    assert (
        '<a href="https://www.service-public.fr" title="Service" rel="nofollow noopener">site</a>'
        in read["bodyHtml"]
    )
    assert '<a href="/aide/bien-demarrer" rel="nofollow noopener">aide</a>' in read["bodyHtml"]
    assert "<strong>Gras</strong>" in read["bodyHtml"] and "<h1>Conseils</h1>" in read["bodyHtml"]
    # The text of an unsafe link stays, without the link.
    assert "cliquez" in read["bodyHtml"] and "brut" in read["bodyHtml"]
    assert read["bodyHtml"].count("<a ") == 2


async def test_articles_are_found_by_slug_and_updated_by_the_admin(api, team):
    written = await article(api, team, "Comment réserver une intervention ?", "Texte.")
    assert written["slug"] == "comment-reserver-une-intervention"
    twin = await article(api, team, "Comment réserver une intervention ?", "Autre texte.")
    assert twin["slug"] == "comment-reserver-une-intervention-2"
    by_slug = await api.data(ARTICLE, {"slug": written["slug"]}, token=team.client)
    assert by_slug["helpArticle"]["id"] == written["id"]

    updated = await api.data(
        UPDATE,
        {"input": {"id": written["id"], "body": "Nouveau *texte*.", "category": "VISITS"}},
        token=team.admin,
    )
    assert updated["updateHelpArticle"]["helpArticle"]["bodyHtml"] == (
        "<p>Nouveau <em>texte</em>.</p>\n"
    )
    taken = await api.data(
        UPDATE, {"input": {"id": twin["id"], "slug": written["slug"]}}, token=team.admin
    )
    assert [e["code"] for e in taken["updateHelpArticle"]["userErrors"]] == ["SLUG_TAKEN"]

    unpublished = await api.data(UNPUBLISH, {"input": {"id": written["id"]}}, token=team.admin)
    assert unpublished["unpublishHelpArticle"]["helpArticle"]["status"] == "DRAFT"
    hidden = await api.data(ARTICLE, {"id": written["id"]}, token=team.client)
    assert hidden["helpArticle"] is None
    seen_by_staff = await api.data(ARTICLE, {"id": written["id"]}, token=team.advisor)
    assert seen_by_staff["helpArticle"]["status"] == "DRAFT"

    deleted = await api.data(DELETE, {"input": {"id": twin["id"]}}, token=team.admin)
    assert deleted["deleteHelpArticle"]["deletedId"] == twin["id"]
    gone = await api.data(DELETE, {"input": {"id": twin["id"]}}, token=team.admin)
    assert gone["deleteHelpArticle"]["userErrors"] == [{"field": ["id"], "code": "NOT_FOUND"}]


async def test_bad_article_input_is_refused_with_user_errors(api, team):
    async def codes(**values) -> list[str]:
        data = {"kind": "FAQ", "category": "BILLING", "title": "Une question ?", "body": "Oui."}
        data.update(values)
        result = await api.data(CREATE_ARTICLE, {"input": data}, token=team.admin)
        assert result["createHelpArticle"]["helpArticle"] is None
        return [error["code"] for error in result["createHelpArticle"]["userErrors"]]

    assert await codes(title="Oh") == ["INVALID_LENGTH"]
    assert await codes(title="x" * 201) == ["INVALID_LENGTH"]
    # A NUL is refused at the edge, for every field (schema/engine/edge.py).
    data = {"kind": "FAQ", "category": "BILLING", "title": "Titre\x00nul", "body": "Oui."}
    code = await api.error_code(CREATE_ARTICLE, {"input": data}, token=team.admin)
    assert code == "BAD_USER_INPUT"
    assert await codes(body="   ") == ["INVALID_LENGTH"]
    assert await codes(body="x" * 20_001) == ["INVALID_LENGTH"]
    for slug in ("Majuscules", "a", "avec espace", "tiret-", "accent-é", "x" * 81, "--"):
        assert await codes(slug=slug) == ["INVALID_SLUG"], slug
    first = await article(api, team, "Question unique", "Réponse.", slug="question-unique")
    assert first["slug"] == "question-unique"
    assert await codes(slug="question-unique") == ["SLUG_TAKEN"]
    assert (
        await api.error_code(
            CREATE_ARTICLE,
            {"input": {"kind": "NOPE", "category": "BILLING", "title": "abc", "body": "d"}},
            token=team.admin,
        )
        == "BAD_USER_INPUT"
    )
    bad_id = {"input": {"id": "not-an-id"}}
    assert await api.error_code(PUBLISH_ARTICLE, bad_id, token=team.admin) == "BAD_USER_INPUT"
    assert await api.error_code(ARTICLE, {}, token=team.client) == "BAD_USER_INPUT"
    both = {"id": first["id"], "slug": "question-unique"}
    assert await api.error_code(ARTICLE, both, token=team.client) == "BAD_USER_INPUT"


async def test_shared_articles_are_read_by_all_and_replaced_by_an_agency_version(
    api, team, settings
):
    await seed_shared_articles()
    other = await cast(api, settings)
    shared = await api.data(ARTICLE, {"slug": "poils-animaux"}, token=other.client)
    assert shared["helpArticle"]["shared"] is True
    assert "poils" in shared["helpArticle"]["body"]

    refused = await api.data(
        UPDATE, {"input": {"id": shared["helpArticle"]["id"], "title": "Mien"}}, token=team.admin
    )
    assert [e["code"] for e in refused["updateHelpArticle"]["userErrors"]] == ["SHARED_ARTICLE"]

    own = await article(
        api, team, "Poils d'animaux : nos astuces", "Version de l'agence.", slug="poils-animaux"
    )
    mine = await api.data(ARTICLE, {"slug": "poils-animaux"}, token=team.client)
    assert mine["helpArticle"]["id"] == own["id"]
    theirs = await api.data(ARTICLE, {"slug": "poils-animaux"}, token=other.client)
    assert theirs["helpArticle"]["id"] == shared["helpArticle"]["id"]
    # The shared one is no longer listed for the agency that replaced it.
    search = 'query { helpArticles(search: "poils animaux", first: 50) { edges { node { id } } } }'
    listed = await api.data(search, token=team.client)
    ids = [edge["node"]["id"] for edge in listed["helpArticles"]["edges"]]
    assert own["id"] in ids and shared["helpArticle"]["id"] not in ids
    # Seeding again creates nothing.
    assert await seed_shared_articles() == 0


async def test_the_demo_has_a_help_centre_seeded_once(api, server, home_agency):
    from models.help import NewsItem, Webinar
    from simulation.seed.demo import DEMO_PASSWORD, client_email, seed_demo
    from tests import factories

    runtime = server.app.state.runtime
    await seed_demo(runtime)
    counts = [await HelpArticle.all().count(), await NewsItem.all().count()]
    counts.append(await Webinar.all().count())
    await seed_demo(runtime)
    assert [
        await HelpArticle.all().count(),
        await NewsItem.all().count(),
        await Webinar.all().count(),
    ] == counts
    token = await factories.log_in(api, client_email(1), DEMO_PASSWORD)
    demo = await api.data(DEMO_READ, token=token)
    assert len(demo["helpArticles"]["edges"]) >= 8
    assert demo["newsItems"]["edges"][0]["node"]["title"] == "Nouveau : le repassage à domicile"
    assert demo["webinars"]["edges"][0]["node"]["seatsLeft"] == 50
    faq = await api.data(SEARCH_DEMO, token=token)
    assert faq["helpArticles"]["edges"][0]["node"]["slug"] == "avance-immediate-credit-impot"


DEMO_READ = """
query {
  helpArticles(first: 50) { edges { node { slug } } }
  newsItems { edges { node { title } } }
  webinars { edges { node { title seatsLeft } } }
}
"""
SEARCH_DEMO = """
query { helpArticles(search: "avance immédiate crédit d'impot", first: 3) {
  edges { node { slug } } } }
"""
