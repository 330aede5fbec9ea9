"""What a household is told when it declares an absence (French)."""

from __future__ import annotations

from datetime import date, datetime

from notifications.texts.notice import Notice, day, letter


def declared(
    first_name: str, first: date, last: date, visits: list[datetime], reschedule: bool
) -> Notice:
    period = f"du {day(first)} au {day(last)}"
    if not visits:
        detail = "Aucune intervention n'était prévue pendant cette période."
    else:
        when = "\n".join(f"  - le {day(v.date())} à {v.strftime('%H:%M')}" for v in visits)
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
        body=letter(
            first_name,
            f"Nous avons bien noté votre absence {period}.\n\n{detail}\n\n"
            "Votre planning hebdomadaire reprendra normalement à votre retour.",
        ),
        sms=f"Absence {period} enregistrée : {len(visits)} intervention(s) concernée(s).",
    )
