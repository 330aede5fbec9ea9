"""One clock for the whole code base, so rules are written against aware UTC times."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
