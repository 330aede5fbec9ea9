"""Ratings of visits and their comments."""

from __future__ import annotations

from datetime import datetime

from models.events import Event
from models.ratings import Rating
from resolvers.privacy.registry import ExportPart, Household, iso, register


async def export(h: Household) -> ExportPart:
    rows = (
        await Rating.filter(client_id=h.client_id)
        .order_by("id")
        .values("score", "comment", "created_at", "updated_at", "intervention__scheduled_start")
    )
    return ExportPart(
        [
            {
                "visit": iso(row["intervention__scheduled_start"]),
                "score": row["score"],
                "comment": row["comment"],
                "createdAt": iso(row["created_at"]),
                "updatedAt": iso(row["updated_at"]),
            }
            for row in rows
        ]
    )


async def erase(h: Household, now: datetime) -> list[Event]:
    # Scores stay for the workers' averages, no longer tied to words of the household.
    await Rating.filter(client_id=h.client_id).update(comment="")
    return []


register("ratings", export=export, erase=erase)
