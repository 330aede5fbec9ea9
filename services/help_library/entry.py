"""One article of the starter library."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LibraryArticle:
    slug: str
    faq: bool  # a question as title, its answer as body
    category: str  # a models.help.HelpCategory value
    title: str
    terms: str
    body: str
