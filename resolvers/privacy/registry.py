"""One exporter and one eraser per domain, so a new domain plugs into both rights at once.

A domain module calls `register(...)` at import; `resolvers.privacy.domains` imports them
all. The export writes `<name>.json` (and any files the domain adds) into the ZIP; the
erasure calls every eraser in one transaction, in registration order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from models.events import Event


@dataclass(frozen=True)
class Household:
    """Whose data: the household and its account (ids only)."""

    client_id: int
    account_id: int
    agency_id: int


@dataclass
class ExportPart:
    """What a domain hands the export: JSON-ready data and files (name, bytes)."""

    data: object
    files: list[tuple[str, bytes]] = field(default_factory=list)


Exporter = Callable[[Household], Awaitable[ExportPart]]
# Erases or pseudonymises; what the law makes the agency keep stays (see docs/privacy.md).
# Returns the events it recorded, published once the erasure is committed.
Eraser = Callable[[Household, datetime], Awaitable[list[Event]]]


@dataclass(frozen=True)
class Domain:
    name: str
    export: Exporter
    erase: Eraser | None


_DOMAINS: dict[str, Domain] = {}


def register(name: str, *, export: Exporter, erase: Eraser | None) -> None:
    """`erase=None` for a domain whose data is all in the legal archive."""
    if name in _DOMAINS:
        raise ValueError(f"privacy domain {name!r} registered twice")
    _DOMAINS[name] = Domain(name, export, erase)


def domains() -> list[Domain]:
    import resolvers.privacy.domains  # noqa: F401  (registers them all)

    return list(_DOMAINS.values())


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
