"""Reading the help centre: who may, which articles they see, search and categories.

Readers are the clients and the staff (ADVISOR, ADMIN) of an agency; workers and
strangers are not (seed: resources are "exclusives" to the agency's clients).
A reader sees the agency's own articles and the shared ones (no agency); an
agency article with the slug of a shared one takes its place. Drafts (no
published_at) are seen by the agency staff only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import (
    Case,
    CombinedExpression,
    Connector,
    Expression,
    Q,
    Subquery,
    When,
)
from tortoise.functions import Count, Length
from tortoise.queryset import QuerySet

from models.enums import Role
from models.help import HelpArticle, HelpCategory
from resolvers.core import guards
from resolvers.core.errors import BadInput, Forbidden
from resolvers.core.lookups import client_id_for
from resolvers.core.prepared import PreparedRows, numbered
from resolvers.core.runtime import Viewer
from services import search_text
from services.clock import utcnow

CATEGORY_LABELS = {
    HelpCategory.GETTING_STARTED: "Premiers pas",
    HelpCategory.VISITS: "Interventions et planning",
    HelpCategory.BILLING: "Factures et paiements",
    HelpCategory.TAX_CREDIT: "Crédit d'impôt et avance immédiate",
    HelpCategory.ACCOUNT: "Compte et sécurité",
    HelpCategory.HOUSEKEEPING_TIPS: "Conseils d'entretien",
    HelpCategory.CONTACT: "Contacter l'agence",
    HelpCategory.FURNITURE_CARE: "Entretien du mobilier et des sols",
    HelpCategory.ECO_PRODUCTS: "Produits écologiques",
    HelpCategory.DAMAGE: "Dommages et sinistres",
}


@dataclass(frozen=True)
class Reader:
    """Someone allowed to read an agency's help centre."""

    account_id: int
    agency_id: int
    role: Role
    client_id: int | None

    @property
    def is_staff(self) -> bool:
        return self.role.is_staff


@dataclass(frozen=True)
class CategoryCount:
    category: HelpCategory
    label: str
    article_count: int


async def reader_or_none(viewer: Viewer) -> Reader | None:
    if viewer.agency_id is None or viewer.role is Role.WORKER:
        return None
    client_id = await client_id_for(viewer)
    if viewer.role is Role.CLIENT and client_id is None:
        return None
    return Reader(viewer.account_id, viewer.agency_id, viewer.role, client_id)


async def reader(viewer: Viewer | None) -> Reader:
    found = await reader_or_none(guards.signed_in(viewer))
    if found is None:
        raise Forbidden("Le centre d'aide est réservé aux clients et au personnel de l'agence.")
    return found


def visible_articles(reader: Reader, now: datetime | None = None) -> QuerySet[HelpArticle]:
    """Articles the reader may see, shared ones hidden by an agency article of their slug."""
    return _visible({"agency_id": reader.agency_id, "now": now or utcnow()}, reader.is_staff)


def _visible(inputs: Mapping[str, Any], staff: bool) -> QuerySet[HelpArticle]:
    """`visible_articles` from named inputs (`agency_id`, `now`), for SQL written once."""
    own = HelpArticle.filter(agency_id=inputs["agency_id"])
    if not staff:
        own = own.filter(published_at__lte=inputs["now"])
    shadowing = Subquery(own.values("slug"))
    shared = Q(agency_id=None, published_at__lte=inputs["now"]) & ~Q(slug__in=shadowing)
    mine = Q(agency_id=inputs["agency_id"])
    if not staff:
        mine &= Q(published_at__lte=inputs["now"])
    return HelpArticle.filter(mine | shared)


def check_query(text: str) -> list[str]:
    """The words of a search, or BAD_USER_INPUT past the limits."""
    if len(text) > search_text.MAX_QUERY_CHARS:
        raise BadInput(f"Recherche trop longue ({search_text.MAX_QUERY_CHARS} caractères au plus).")
    if len(text.split()) > search_text.MAX_QUERY_WORDS:
        raise BadInput(f"Recherche trop longue ({search_text.MAX_QUERY_WORDS} mots au plus).")
    return search_text.query_words(text)


# The columns an article is read with (schema/help/queries.py ARTICLE_ROWS reads them).
ARTICLE_FIELDS = (
    "id",
    "agency_id",
    "slug",
    "kind",
    "category",
    "title",
    "body",
    "search_terms",
    "published_at",
    "updated_at",
)
_ARTICLES = PreparedRows(HelpArticle, ARTICLE_FIELDS)


async def list_articles(
    viewer: Viewer | None,
    search: str | None,
    category: HelpCategory | None,
    offset: int,
    size: int,
    columns: tuple[str, ...] | None = None,
) -> list[dict[str, Any]]:
    """One page (size + 1 rows, the extra one says there is more) of articles, as rows
    with `columns` (by default `ARTICLE_FIELDS`).

    With `search`, ranked by the number of query words found, then by those found
    in the title, then the most recently updated; otherwise in title order.
    """
    who = await reader(viewer)
    words = check_query(search) if search is not None and search.strip() else None
    inputs: dict[str, Any] = {"agency_id": who.agency_id, "now": utcnow()}
    if category is not None:
        inputs["category"] = category
    shape = (who.is_staff, category is not None)

    def scope(values: Mapping[str, Any]) -> QuerySet[HelpArticle]:
        found = _visible(values, who.is_staff)
        return found if category is None else found.filter(category=values["category"])

    if words is None:
        return await _ARTICLES.fetch(
            ("title order", *shape),
            lambda v: scope(v).order_by("title_search", "id").offset(v["skip"]).limit(v["take"]),
            {**inputs, "skip": offset, "take": size + 1},
            columns,
        )
    if not words:  # only stop words or one-letter words
        return []
    # Ranked and cut to the page by the database: a common word among hundreds of
    # articles reads one page, not every article that has it.
    return await _ARTICLES.fetch(
        ("ranked", *shape, len(words)),
        _ranking(scope, len(words)),
        {**inputs, **_rank_inputs(words), "skip": offset, "take": size + 1},
        columns,
    )


# The values a mark takes, as inputs (a constant would be written into the SQL, which could
# then not be kept): one character for a word found, none for a word missing, so that the
# sum of the marks' lengths is the number of words found, on every database.
_MARKS = {"found_mark": "1", "missing_mark": ""}


def _rank_inputs(words: list[str]) -> dict[str, Any]:
    # A word or the start of one (services/search_text.py).
    return {**numbered("word", (f" {word}" for word in words)), **_MARKS}


def _ranking(
    scope: Callable[[Mapping[str, Any]], QuerySet[HelpArticle]], n: int
) -> Callable[[Mapping[str, Any]], QuerySet[HelpArticle]]:
    """The page of the visible articles with one of `n` words at least, best first: most
    words found, then most found in the title, the latest update, the latest id."""

    def build(v: Mapping[str, Any]) -> QuerySet[HelpArticle]:
        def count(column: str) -> Expression:
            """The number of the words `column` has: the sum of their marks' lengths."""
            total: Expression | None = None
            for i in range(n):
                has = Q(**{f"{column}__contains": v[f"word_{i}"]})
                mark = Case(When(has, then=v["found_mark"]), default=v["missing_mark"])
                # Tortoise resolves any expression a function is given; its annotation
                # names fewer (docs/compat.md).
                length = Length(mark)  # type: ignore[arg-type]
                total = (
                    length if total is None else CombinedExpression(total, Connector.add, length)
                )
            assert total is not None  # n >= 1: a search has a word at least
            return total

        any_word = Q(*(Q(search_text__contains=v[f"word_{i}"]) for i in range(n)), join_type="OR")
        return (
            scope(v)
            .filter(any_word)
            .annotate(found=count("search_text"), titled=count("title_search"))
            .order_by("-found", "-titled", "-updated_at", "-id")
            .offset(v["skip"])
            .limit(v["take"])
        )

    return build


async def get_article(
    viewer: Viewer | None, article_id: int | None, slug: str | None
) -> HelpArticle | None:
    """By id or by slug (the agency's own first); null when absent or not visible."""
    if (article_id is None) == (slug is None):
        raise BadInput("Donnez soit `id`, soit `slug`.")
    who = await reader(viewer)
    return await article_for(who, article_id, slug)


async def article_for(who: Reader, article_id: int | None, slug: str | None) -> HelpArticle | None:
    scope = visible_articles(who)
    if article_id is not None:
        return await scope.filter(id=article_id).first()
    if slug is None or len(slug) > 80:
        return None
    rows = await scope.filter(slug=slug)
    rows.sort(key=lambda row: row.agency_id is None)
    return rows[0] if rows else None


async def articles_by_slug(who: Reader, slugs: set[str]) -> dict[str, HelpArticle]:
    """Published articles the reader sees, by slug, the agency's own before shared ones."""
    if not slugs:
        return {}
    rows = await visible_articles(who).filter(slug__in=sorted(slugs), published_at__lte=utcnow())
    found: dict[str, HelpArticle] = {}
    for row in sorted(rows, key=lambda r: r.agency_id is None):
        found.setdefault(row.slug, row)
    return found


async def categories(viewer: Viewer | None) -> list[CategoryCount]:
    """Every category with the number of published articles the reader sees in it."""
    who = await reader(viewer)
    rows = (
        await visible_articles(who)
        .filter(published_at__lte=utcnow())
        .annotate(count=Count("id"))
        .group_by("category")
        .values_list("category", "count")
    )
    counts = {HelpCategory(category): int(count) for category, count in rows}
    return [
        CategoryCount(category, label, counts.get(category, 0))
        for category, label in CATEGORY_LABELS.items()
    ]


async def node_article(viewer: Viewer, pk: int) -> HelpArticle | None:
    who = await reader_or_none(viewer)
    return await article_for(who, pk, None) if who else None
