"""The help centre's starter library, in French, shipped with Passage.

`passage migrate` writes these articles as shared ones (no agency); an agency edits
one by writing its own article with the same slug. Each article has a category and
search terms: words readers type that its text may not hold.
"""

from __future__ import annotations

from services.help_library.care import CARE_ARTICLES
from services.help_library.entry import LibraryArticle
from services.help_library.service import SERVICE_ARTICLES

LIBRARY: tuple[LibraryArticle, ...] = (*SERVICE_ARTICLES, *CARE_ARTICLES)

__all__ = ["LIBRARY", "LibraryArticle"]
