"""An agency's opening hours, with the default every new agency gets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from models.agency.hours import OpeningHours
from resolvers.core.prepared import PreparedRows


@dataclass(frozen=True)
class Span:
    weekday: int  # 0 is Monday
    opens_at: time
    closes_at: time


# Monday to Friday 8:00-19:00, Saturday 9:00-12:00: a typical household-services office.
DEFAULT_OPENING_HOURS: tuple[Span, ...] = (
    *(Span(day, time(8), time(19)) for day in range(5)),
    Span(5, time(9), time(12)),
)


# The hours alone (the change-request rules read them joined to their agency and policy:
# resolvers/agency/policy.py rule_settings); the SQL is written once (resolvers/core/prepared.py).
_SPANS = PreparedRows(OpeningHours, ("weekday", "opens_at", "closes_at"))


async def opening_hours(agency_id: int) -> tuple[Span, ...]:
    """The agency's spans ordered by weekday and time, or the default when none is set."""
    rows = await _SPANS.fetch(
        "of agency",
        lambda v: OpeningHours.filter(agency_id=v["agency"]).order_by("weekday", "opens_at"),
        {"agency": agency_id},
    )
    if not rows:
        return DEFAULT_OPENING_HOURS
    return tuple(span_of(row["weekday"], row["opens_at"], row["closes_at"]) for row in rows)


def span_of(weekday: int, opens_at: time, closes_at: time) -> Span:
    """A span as read: times come back with the ORM's UTC zone attached, and are wall-clock
    times."""
    return Span(weekday, opens_at.replace(tzinfo=None), closes_at.replace(tzinfo=None))
