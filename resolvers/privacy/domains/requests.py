"""Change requests and declared absences."""

from __future__ import annotations

from datetime import datetime

from models.events import Event
from models.households.absences import Absence
from models.requests import ChangeRequest
from resolvers.privacy.registry import ExportPart, Household, register


async def export(h: Household) -> ExportPart:
    requests = (
        await ChangeRequest.filter(client_id=h.client_id)
        .order_by("id")
        .values(
            "kind",
            "status",
            "requested_start",
            "requested_end",
            "weekday",
            "start_minute",
            "duration_minutes",
            "note",
            "decision_reason",
            "created_at",
            "decided_at",
        )
    )
    absences = (
        await Absence.filter(client_id=h.client_id)
        .order_by("id")
        .values("first_day", "last_day", "note", "policy", "created_at")
    )
    return ExportPart({"changeRequests": requests, "absences": absences})


async def erase(h: Household, now: datetime) -> list[Event]:
    await ChangeRequest.filter(client_id=h.client_id).update(note="", decision_reason="")
    await Absence.filter(client_id=h.client_id).update(note="")
    return []


register("requests", export=export, erase=erase)
