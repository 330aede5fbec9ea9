"""Accent- and case-free words for a search that behaves the same on SQLite and PostgreSQL.

Documents and queries go through the same `words()`: NFKD without combining marks
(é → e), ligatures spelt out (œ → oe), case folded, anything but letters and digits
a separator, and a final plural `s` or `x` dropped from longer words, so "Poils"
finds "poil" and "tâches" finds "tache". A stored text is its words joined with
spaces and padded with one space at each end, so `LIKE '% word%'` matches a word
or the start of one ("aspir" finds "aspirateur") and nothing in the middle of one.
"""

from __future__ import annotations

import functools
import re
import unicodedata

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 8
MIN_WORD_CHARS = 2

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"})
_SEPARATORS = re.compile(r"[^a-z0-9]+")

# Words too common in French questions to tell articles apart.
STOP_WORDS = frozenset(
    (
        "au", "aux", "avec", "ce", "ces", "comment", "dans", "de", "des", "du", "elle", "en",
        "est", "et", "il", "je", "la", "le", "les", "leur", "lui", "ma", "mais", "me", "mes",
        "moi", "mon", "ne", "nos", "notre", "nous", "on", "ou", "par", "pas", "pour", "qu", "que",
        "qui", "quoi", "quand", "sa", "se", "ses", "son", "sur", "ta", "te", "tes", "toi", "ton",
        "tu", "un", "une", "vos", "votre", "vous", "ai", "as", "avez", "faire", "fait", "peut",
        "puis", "quel", "quelle", "quels", "quelles",
    )
)  # fmt: skip


def fold(text: str) -> str:
    """Lower-case ASCII letters, digits and spaces only."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _SEPARATORS.sub(" ", bare).strip()


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


def words(text: str) -> list[str]:
    return [_stem(word) for word in fold(text).split()]


def stored(text: str) -> str:
    """The search column of `text`: its words, space padded at both ends."""
    return f" {' '.join(words(text))} "


def query_words(query: str) -> list[str]:
    """The distinct words a query searches for, in order, without stop words.

    Callers check the limits on the raw query first (MAX_QUERY_CHARS, MAX_QUERY_WORDS).
    """
    return list(_query_words(query))


@functools.lru_cache(maxsize=1024)
def _query_words(query: str) -> tuple[str, ...]:
    # Folding decomposes the query a character at a time, on every search; a help centre's
    # searches repeat, and a query is MAX_QUERY_CHARS long at most: 1,024 kept are a few
    # hundred KiB at most.
    found: list[str] = []
    for word in words(query):
        if len(word) >= MIN_WORD_CHARS and word not in STOP_WORDS and word not in found:
            found.append(word)
    return tuple(found)


def slugify(text: str, max_length: int = 80) -> str:
    slug = "-".join(fold(text).split())[:max_length].strip("-")
    return slug
