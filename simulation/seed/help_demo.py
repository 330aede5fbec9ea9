"""Help-centre content: the shared starter library (services/help_library), and demo news.

The shared articles (no agency) are the ones personalised tips point at; any
agency may replace one by writing an article with the same slug. Idempotent:
an article is created when its slug is missing, a news item when its title is,
and a webinar when the demo agency has none to come.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from models.help import HelpArticle, HelpArticleKind, HelpCategory, NewsItem, NewsKind, Webinar
from services import search_text
from services.clock import utcnow
from services.help_library import LIBRARY, LibraryArticle


def _fields(entry: LibraryArticle) -> dict[str, Any]:
    return {
        "kind": HelpArticleKind.FAQ if entry.faq else HelpArticleKind.ARTICLE,
        "category": HelpCategory(entry.category),
        "title": entry.title,
        "body": entry.body,
        "search_terms": entry.terms,
        "title_search": search_text.stored(entry.title),
        "search_text": search_text.stored(f"{entry.title}\n{entry.terms}\n{entry.body}"),
    }


async def seed_shared_articles() -> int:
    """Writes the starter library as shared articles; returns how many were created.

    An article of an earlier release is brought up to date (its text, terms and
    category); agencies' own versions are never touched.
    """
    now = utcnow()
    existing = {row.slug: row for row in await HelpArticle.filter(agency_id=None)}
    created = 0
    for entry in LIBRARY:
        wanted = _fields(entry)
        row = existing.get(entry.slug)
        if row is None:
            await HelpArticle.create(
                agency_id=None,
                slug=entry.slug,
                published_at=now,
                created_at=now,
                updated_at=now,
                **wanted,
            )
            created += 1
        elif any(getattr(row, name) != value for name, value in wanted.items()):
            await HelpArticle.filter(id=row.id).update(updated_at=now, **wanted)
    return created


async def seed_agency_content(agency_id: int) -> None:
    """A news item and an upcoming webinar for the demo agency."""
    now = utcnow()
    title = "Nouveau : le repassage à domicile"
    if not await NewsItem.exists(agency_id=agency_id, title=title):
        await NewsItem.create(
            agency_id=agency_id,
            kind=NewsKind.SERVICE_CHANGE,
            title=title,
            body="Votre intervenant peut désormais s'occuper du **repassage** pendant sa visite. "
            "Parlez-en à votre conseiller.",
            published_at=now,
            created_at=now,
            updated_at=now,
        )
    if not await Webinar.exists(agency_id=agency_id, starts_at__gt=now):
        starts = (now + timedelta(days=14)).replace(hour=17, minute=0, second=0, microsecond=0)
        await Webinar.create(
            agency_id=agency_id,
            title="Tout savoir sur l'avance immédiate du crédit d'impôt",
            description="Trente minutes pour comprendre l'avance immédiate, suivies de vos "
            "questions.",
            starts_at=starts,
            duration_minutes=45,
            ends_at=starts + timedelta(minutes=45),
            link="https://webinaires.passage.example/avance-immediate",
            capacity=50,
            published_at=now,
            created_at=now,
            updated_at=now,
        )
