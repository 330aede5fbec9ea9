"""Visits: when, where, by whom, check-in times; future ones are cancelled on erasure."""

from __future__ import annotations

from datetime import datetime

from models.enums import EventType, InterventionStatus
from models.events import Event
from models.households.profile import VisitNote
from models.visits.visits import Intervention, RecurringPlan
from resolvers.privacy.registry import ExportPart, Household, iso, register
from subscriptions import events

ERASURE_REASON = "Compte client supprimé à sa demande."


async def export(h: Household) -> ExportPart:
    rows = (
        await Intervention.filter(client_id=h.client_id)
        .order_by("scheduled_start")
        .values(
            "id",
            "scheduled_start",
            "scheduled_end",
            "status",
            "checked_in_at",
            "checked_out_at",
            "instructions",
            "cancellation_reason",
            "service_type__label",
            "worker__account__first_name",
            "address__line1",
            "address__postal_code",
            "address__city",
        )
    )
    notes = dict(
        await VisitNote.filter(intervention__client_id=h.client_id).values_list(
            "intervention_id", "body"
        )
    )
    visits = [
        {
            "scheduledStart": iso(row["scheduled_start"]),
            "scheduledEnd": iso(row["scheduled_end"]),
            "status": str(row["status"]),
            "checkedInAt": iso(row["checked_in_at"]),
            "checkedOutAt": iso(row["checked_out_at"]),
            "service": row["service_type__label"],
            "worker": row["worker__account__first_name"],
            "address": f"{row['address__line1']}, {row['address__postal_code']} "
            f"{row['address__city']}",
            "instructions": row["instructions"],
            "cancellationReason": row["cancellation_reason"],
            "note": notes.get(row["id"], ""),
        }
        for row in rows
    ]
    plans = await RecurringPlan.filter(client_id=h.client_id).values(
        "weekday", "start_minute", "duration_minutes", "valid_from", "valid_to", "instructions"
    )
    return ExportPart({"visits": visits, "weeklyPlans": plans})


async def erase(h: Household, now: datetime) -> list[Event]:
    await RecurringPlan.filter(client_id=h.client_id).update(
        valid_to=now.date(), materialised_until=now.date(), instructions=""
    )
    future = await Intervention.filter(
        client_id=h.client_id, status=InterventionStatus.SCHEDULED, scheduled_start__gt=now
    ).order_by("scheduled_start")
    recorded = []
    for visit in future:
        visit.status = InterventionStatus.CANCELLED
        visit.cancellation_reason = ERASURE_REASON
        await visit.save(update_fields=["status", "cancellation_reason", "updated_at"])
        recorded.append(await events.record(EventType.CANCELLED, visit, now))
    # Check-in positions are those of the worker at the household's home.
    await Intervention.filter(client_id=h.client_id).update(
        instructions="",
        check_in_latitude=None,
        check_in_longitude=None,
        check_out_latitude=None,
        check_out_longitude=None,
    )
    await VisitNote.filter(intervention__client_id=h.client_id).delete()
    return recorded


register("visits", export=export, erase=erase)
