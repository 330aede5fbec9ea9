"""A calendar month of billing ("2026-10"), parsed from input and bounded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from resolvers.core.errors import BadInput


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        try:
            parsed = datetime.strptime(text.strip(), "%Y-%m")
        except ValueError:
            raise BadInput("Mois attendu au format AAAA-MM.") from None
        if not 2000 <= parsed.year <= 2100:
            raise BadInput("Année hors limites.")
        return cls(parsed.year, parsed.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def next_first_day(self) -> date:
        return (self.first_day + timedelta(days=32)).replace(day=1)

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) of the month in the agency's time zone."""
        start = datetime.combine(self.first_day, datetime.min.time(), tz)
        return start, datetime.combine(self.next_first_day, datetime.min.time(), tz)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def french(self) -> str:
        return f"{FRENCH_MONTHS[self.month - 1]} {self.year}"


FRENCH_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
