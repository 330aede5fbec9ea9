"""What a household is told when its worker arrives and leaves (seed: "confirmation par SMS
de l'arrivée de leur intervenant, ainsi qu'un message de fin de mission").

Times are shown on the agency's wall clock. The worker is named by first name
only, and subjects carry no personal data, as for every e-mail Passage sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from notifications.emails import SIGNATURE


@dataclass(frozen=True)
class Notice:
    kind: str
    sms: str
    subject: str
    body: str


def clock(moment: datetime, time_zone: str) -> str:
    return moment.astimezone(ZoneInfo(time_zone)).strftime("%H:%M")


def duration(length: timedelta) -> str:
    """Whole minutes, as "2h05"."""
    minutes = max(0, int(length.total_seconds() // 60))
    return f"{minutes // 60}h{minutes % 60:02d}"


def arrival(client_first_name: str, worker_first_name: str, at: datetime, tz: str) -> Notice:
    sentence = f"Votre intervenant(e) {worker_first_name} est arrivé(e) à {clock(at, tz)}."
    return Notice(
        kind="visit_arrival",
        sms=sentence,
        subject="Votre intervenant(e) est arrivé(e)",
        body=f"Bonjour {client_first_name},\n\n{sentence}\n\nVous suivez l'intervention en "
        "direct depuis votre espace client." + SIGNATURE,
    )


def departure(
    client_first_name: str, worker_first_name: str, arrived: datetime, left: datetime, tz: str
) -> Notice:
    sentence = (
        f"{worker_first_name} a terminé son intervention à {clock(left, tz)} "
        f"(durée : {duration(left - arrived)})."
    )
    return Notice(
        kind="visit_departure",
        sms=sentence,
        subject="Votre intervention est terminée",
        body=f"Bonjour {client_first_name},\n\n{sentence}\n\nUne remarque sur cette intervention ? "
        "Écrivez à votre agence depuis votre espace client." + SIGNATURE,
    )
