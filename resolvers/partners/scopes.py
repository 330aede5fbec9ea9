"""Scopes as stored with a key: a sorted, comma-separated list of PartnerScope values."""

from __future__ import annotations

from collections.abc import Iterable

from models.partners import PartnerScope


def encode(scopes: Iterable[PartnerScope]) -> str:
    return ",".join(sorted({PartnerScope(scope).value for scope in scopes}))


def decode(stored: str) -> frozenset[PartnerScope]:
    """Values no longer known (a scope withdrawn) are dropped: a key only loses rights."""
    known = {scope.value for scope in PartnerScope}
    return frozenset(PartnerScope(v) for v in stored.split(",") if v in known)
