"""The words of a digest e-mail around its items (French); its layout is
notifications/templates/digest.*."""

from __future__ import annotations

from datetime import date

from models.enums import DigestFrequency
from notifications.texts.notice import day

SUBJECTS = {
    DigestFrequency.DAILY: "Votre résumé de la journée",
    DigestFrequency.WEEKLY: "Votre résumé de la semaine",
}


def period_label(period: str) -> str:
    """A digest period key (notifications.notify.period_of) in words: "de la semaine 9 de
    2026", "de la journée du 02/03/2026"."""
    if period.startswith("D"):
        return "de la journée du " + day(date.fromisoformat(period[1:]))
    year, week = period[1:].split("-")
    return f"de la semaine {int(week)} de {year}"
