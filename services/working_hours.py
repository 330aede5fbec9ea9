"""Working hours: adding N hours of an agency's opening time to an instant.

The reply promise ("réponse sous 24 heures ouvrées") counts only the time the
agency is open: its weekly spans on its own wall clock, minus French public
holidays. Spans are read on the wall clock of each day, so a daylight-saving
change moves them with the clock; the hours counted are real elapsed hours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

import holidays

# A promise never looks further than this for open time (an agency with no open day).
MAX_DAYS = 800


class OpenSpan(Protocol):
    @property
    def weekday(self) -> int: ...  # 0 is Monday

    @property
    def opens_at(self) -> time: ...

    @property
    def closes_at(self) -> time: ...


@lru_cache(maxsize=1)
def _french_holidays() -> holidays.HolidayBase:
    # Public holidays of metropolitan France (fêtes légales, Code du travail L3133-1);
    # years are filled in on first use.
    return holidays.country_holidays("FR")


def is_french_public_holiday(day: date) -> bool:
    return day in _french_holidays()


def add_working_hours(
    start: datetime,
    hours: float,
    spans: Iterable[OpenSpan],
    time_zone: str,
    is_holiday: Callable[[date], bool] = is_french_public_holiday,
) -> datetime:
    """The instant at which `hours` of open time have passed since `start` (UTC).

    An agency with no span at all gets plain hours, so a promise always exists.
    """
    if start.tzinfo is None:
        raise ValueError("start must be an aware datetime")
    remaining = timedelta(hours=hours)
    by_day: dict[int, list[tuple[time, time]]] = {}
    for span in spans:
        if span.opens_at < span.closes_at:
            by_day.setdefault(span.weekday, []).append((span.opens_at, span.closes_at))
    if not by_day:
        return (start + remaining).astimezone(UTC)
    zone = ZoneInfo(time_zone)
    now = start.astimezone(UTC)
    day = start.astimezone(zone).date()
    for _ in range(MAX_DAYS):
        if not is_holiday(day):
            for opens, closes in sorted(by_day.get(day.weekday(), [])):
                open_at = datetime.combine(day, opens, tzinfo=zone).astimezone(UTC)
                close_at = datetime.combine(day, closes, tzinfo=zone).astimezone(UTC)
                begin = max(open_at, now)
                if begin >= close_at:
                    continue
                if remaining <= close_at - begin:
                    return begin + remaining
                remaining -= close_at - begin
        day += timedelta(days=1)
    return (start + timedelta(hours=hours)).astimezone(UTC)
