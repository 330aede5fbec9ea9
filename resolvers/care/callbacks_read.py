"""Reading call-back requests: the staff queue, the household's own, the premium line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Case, When

from models.accounts.people import Client
from models.care.callbacks import CallbackRequest
from models.enums import CallbackOutcome, CallbackTopic, CallbackUrgency, Role
from resolvers.care.settings import settings_of
from resolvers.core import guards
from resolvers.core.errors import Forbidden
from resolvers.core.lookups import client_id_for
from resolvers.core.runtime import Viewer
from resolvers.messaging.reply_promise import is_premium
from services.clock import utcnow

MAX_LISTED = 100


@dataclass(frozen=True)
class CallbackView:
    id: int
    client_id: int
    client_name: str
    topic: CallbackTopic
    urgency: CallbackUrgency
    slots: list[tuple[datetime, datetime]]
    note: str
    phone: str
    created_at: datetime
    due_at: datetime
    overdue: bool
    outcome: CallbackOutcome | None
    outcome_note: str
    handled_at: datetime | None


@dataclass(frozen=True)
class PremiumSupport:
    premium: bool
    phone: str | None  # the agency's dedicated line, for premium households only


def _slots(text: str) -> list[tuple[datetime, datetime]]:
    pairs = (line.split("/") for line in text.splitlines() if "/" in line)
    return [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in pairs]


async def views(rows: list[CallbackRequest]) -> list[CallbackView]:
    now = utcnow()
    names = {
        row["id"]: f"{row['account__first_name']} {row['account__last_name']}"
        for row in await Client.filter(id__in=[r.client_id for r in rows]).values(
            "id", "account__first_name", "account__last_name"
        )
    }
    return [
        CallbackView(
            id=row.id,
            client_id=row.client_id,
            client_name=names.get(row.client_id, ""),
            topic=CallbackTopic(row.topic),
            urgency=CallbackUrgency(row.urgency),
            slots=_slots(row.slots),
            note=row.note,
            phone=row.phone,
            created_at=row.created_at,
            due_at=row.due_at,
            overdue=row.handled_at is None and (row.overdue_at is not None or row.due_at <= now),
            outcome=CallbackOutcome(row.outcome) if row.outcome else None,
            outcome_note=row.outcome_note,
            handled_at=row.handled_at,
        )
        for row in rows
    ]


async def queue(viewer: Viewer | None, first: int) -> list[CallbackView]:
    """Requests waiting for a call: urgent first, then the soonest due (staff)."""
    staff = guards.staff(viewer)
    rows = (
        await CallbackRequest.filter(agency_id=staff.agency_id, handled_at=None)
        .annotate(
            rank=Case(When(urgency=CallbackUrgency.URGENT, then="0"), default="1"),
        )
        .order_by("rank", "due_at", "id")
        .limit(max(0, min(first, MAX_LISTED)))
    )
    return await views(rows)


async def mine(viewer: Viewer | None) -> list[CallbackView]:
    household = guards.household(viewer)
    client_id = await client_id_for(household) or 0
    rows = await CallbackRequest.filter(client_id=client_id).order_by("-id").limit(MAX_LISTED)
    return await views(rows)


async def visible(viewer: Viewer, pk: int) -> CallbackView | None:
    row = await CallbackRequest.get_or_none(id=pk)
    if row is None or not await guards.sees_household_row(viewer, row.agency_id, row.client_id):
        return None
    return (await views([row]))[0]


async def premium_support(viewer: Viewer | None) -> PremiumSupport:
    """The dedicated line, shown to premium households only."""
    household = guards.signed_in(viewer)
    if household.role is not Role.CLIENT or household.agency_id is None:
        raise Forbidden("Réservé aux clients.")
    client_id = await client_id_for(household) or 0
    if not await is_premium(client_id):
        return PremiumSupport(False, None)
    phone = (await settings_of(household.agency_id)).premium_support_phone
    return PremiumSupport(True, phone or None)
