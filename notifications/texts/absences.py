"""What a household is told when it declares an absence (French)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from notifications.emails import SIGNATURE


@dataclass(frozen=True)
class Notice:
    kind: str
    subject: str
    body: str
    sms: str


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def declared(
    first_name: str, first: date, last: date, visits: list[datetime], reschedule: bool
) -> Notice:
    period = f"du {_day(first)} au {_day(last)}"
    if not visits:
        detail = "Aucune intervention n'était prévue pendant cette période."
    else:
        when = "\n".join(f"  - le {_day(v.date())} à {v.strftime('%H:%M')}" for v in visits)
        if reschedule:
            detail = (
                f"Ces interventions sont à replanifier :\n{when}\n\nProposez-nous un nouveau "
                "créneau pour chacune depuis votre espace client (changement de créneau)."
            )
        else:
            detail = f"Ces interventions sont annulées :\n{when}"
    return Notice(
        kind="absence_declared",
        subject="Votre absence est enregistrée",
        body=f"Bonjour {first_name},\n\nNous avons bien noté votre absence {period}.\n\n"
        f"{detail}\n\nVotre planning hebdomadaire reprendra normalement à votre retour."
        + SIGNATURE,
        sms=f"Absence {period} enregistrée : {len(visits)} intervention(s) concernée(s).",
    )
