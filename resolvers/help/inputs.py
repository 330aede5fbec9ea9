"""Checks shared by the help-centre mutations: texts, slugs, links, dates, and who edits.

Each check appends French user errors and returns the cleaned value.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from resolvers.core import guards
from resolvers.core.errors import UserError, user_error
from resolvers.core.runtime import Viewer

TITLE_MIN, TITLE_MAX = 3, 200
BODY_MAX = 20_000
SLUG_MIN, SLUG_MAX = 3, 80
LINK_MAX = 500
HORIZON = timedelta(days=2 * 365)
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def editor(viewer: Viewer | None) -> Viewer:
    """Help content is managed by the ADMIN of an agency (FORBIDDEN for anyone else)."""
    return guards.admin(viewer)


def _has_control(text: str, allow_newlines: bool) -> bool:
    allowed = {"\n", "\r", "\t"} if allow_newlines else set()
    return any(unicodedata.category(c) == "Cc" and c not in allowed for c in text)


def title(value: str, errors: list[UserError], field: str = "title") -> str:
    text = value.strip()
    if not TITLE_MIN <= len(text) <= TITLE_MAX:
        errors.append(
            user_error(field, f"De {TITLE_MIN} à {TITLE_MAX} caractères.", "INVALID_LENGTH")
        )
    elif _has_control(text, allow_newlines=False):
        errors.append(user_error(field, "Caractères non autorisés.", "INVALID_CHARACTERS"))
    return text


def body(value: str, errors: list[UserError], field: str = "body") -> str:
    text = value.strip()
    if not 1 <= len(text) <= BODY_MAX:
        errors.append(user_error(field, f"De 1 à {BODY_MAX} caractères.", "INVALID_LENGTH"))
    elif _has_control(text, allow_newlines=True):
        errors.append(user_error(field, "Caractères non autorisés.", "INVALID_CHARACTERS"))
    return text


TERMS_MAX = 500


def terms(value: str, errors: list[UserError], field: str = "searchTerms") -> str:
    """Words readers may type that the text does not hold (synonyms, materials…)."""
    text = " ".join(value.split())
    if len(text) > TERMS_MAX:
        errors.append(user_error(field, f"{TERMS_MAX} caractères au plus.", "INVALID_LENGTH"))
    elif _has_control(text, allow_newlines=False):
        errors.append(user_error(field, "Caractères non autorisés.", "INVALID_CHARACTERS"))
    return text


def slug(value: str, errors: list[UserError]) -> str:
    if not SLUG_MIN <= len(value) <= SLUG_MAX or not SLUG.fullmatch(value):
        errors.append(
            user_error(
                "slug",
                f"De {SLUG_MIN} à {SLUG_MAX} caractères : lettres minuscules sans accents, "
                "chiffres et tirets (ex. « bien-demarrer »).",
                "INVALID_SLUG",
            )
        )
    return value


def https_link(value: str, errors: list[UserError], field: str = "link") -> str:
    """An absolute https URL with a host, no credentials, no spaces."""
    text = value.strip()
    try:
        parts = urlsplit(text)
        valid = (
            len(text) <= LINK_MAX
            and parts.scheme == "https"
            and bool(parts.hostname)
            and parts.username is None
            and parts.password is None
            and not any(c.isspace() or not c.isprintable() for c in text)
        )
        if valid:
            _ = parts.port  # raises on a bad port
    except ValueError:
        valid = False
    if not valid:
        errors.append(
            user_error(
                field,
                f"Une adresse https:// complète, {LINK_MAX} caractères au plus.",
                "INVALID_URL",
            )
        )
    return text


def future(
    value: datetime, now: datetime, errors: list[UserError], field: str, *, allow_past: bool = False
) -> datetime:
    """A date with a time zone, in the future (unless allowed) and within two years."""
    if value.tzinfo is None:
        errors.append(user_error(field, "Précisez le fuseau horaire.", "INVALID_DATE"))
    elif not allow_past and value <= now:
        errors.append(user_error(field, "La date doit être dans le futur.", "DATE_IN_PAST"))
    elif value > now + HORIZON:
        errors.append(user_error(field, "Pas plus de deux ans à l'avance.", "DATE_TOO_FAR"))
    return value


def in_range(value: int, low: int, high: int, errors: list[UserError], field: str) -> int:
    if not low <= value <= high:
        errors.append(user_error(field, f"Entre {low} et {high}.", "OUT_OF_RANGE"))
    return value


def not_found(field: str = "id") -> UserError:
    return user_error(field, "Introuvable.", "NOT_FOUND")
