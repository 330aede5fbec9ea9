"""Dates and times written the French way, on the agency's wall clock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def day(moment: datetime, time_zone: str) -> str:
    """ "1er décembre 2026", "24 novembre 2026"."""
    local = moment.astimezone(ZoneInfo(time_zone))
    number = "1er" if local.day == 1 else str(local.day)
    return f"{number} {MONTHS[local.month - 1]} {local.year}"


def day_and_time(moment: datetime, time_zone: str) -> str:
    """ "jeudi 3 décembre 2026 à 18 h 30"."""
    local = moment.astimezone(ZoneInfo(time_zone))
    return f"{WEEKDAYS[local.weekday()]} {day(moment, time_zone)} à {local:%H} h {local:%M}"
