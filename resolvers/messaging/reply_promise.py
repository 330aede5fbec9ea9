"""The reply promise (seed: "réponse sous 24 heures ouvrées"), premium clients, overdue waits.

A client message that waits for the agency is due `MESSAGE_REPLY_HOURS` working
hours later (`MESSAGE_PREMIUM_REPLY_HOURS` for a premium client), counted on the
agency's opening hours and wall clock, French public holidays excluded.

Every process runs the overdue loop. Raising the event is a compare-and-set on
the conversation row (`overdue_at IS NULL` for the same `response_due_at`), so
however many processes run it, each wait raises one CONVERSATION_OVERDUE at most.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from models.accounts.people import Client
from models.enums import EventType
from models.events import Event
from models.messaging import ClientPremium, Conversation
from resolvers.agency.opening_hours import opening_hours
from resolvers.core import guards
from resolvers.core.errors import UserError, user_error
from resolvers.core.lookups import agency_time_zone
from resolvers.core.runtime import Runtime, Viewer
from services.clock import utcnow
from services.working_hours import add_working_hours
from subscriptions import events

BATCH = 200


async def is_premium(client_id: int) -> bool:
    return await ClientPremium.exists(client_id=client_id)


async def response_due(rt: Runtime, agency_id: int, client_id: int, sent_at: datetime) -> datetime:
    """When the agency must have answered a client message sent at `sent_at`."""
    settings = rt.settings
    hours = (
        settings.message_premium_reply_hours
        if await is_premium(client_id)
        else settings.message_reply_hours
    )
    zone = await agency_time_zone(agency_id)
    return add_working_hours(sent_at, hours, await opening_hours(agency_id), zone)


@dataclass(frozen=True)
class PremiumResult:
    client_id: int | None
    premium: bool
    user_errors: list[UserError]


async def set_premium(viewer: Viewer | None, client_id: int, premium: bool) -> PremiumResult:
    """Staff of the client's agency mark a client premium, or not any more.

    The promise of a message already waiting is kept; the next wait uses the new one.
    """
    staff = guards.staff(viewer)
    client = await Client.get_or_none(id=client_id, agency_id=staff.agency_id)
    if client is None:
        return PremiumResult(
            None, False, [user_error("clientId", "Client introuvable.", "NOT_FOUND")]
        )
    if premium:
        await ClientPremium.get_or_create(
            client_id=client.id, defaults={"set_by_id": staff.account_id, "since": utcnow()}
        )
    else:
        await ClientPremium.filter(client_id=client.id).delete()
    return PremiumResult(client.id, premium, [])


async def sweep(rt: Runtime) -> int:
    """Raises CONVERSATION_OVERDUE for each wait whose promise has just been missed."""
    now = utcnow()
    overdue = await Conversation.filter(
        response_due_at__lte=now, overdue_at=None, waiting_since__isnull=False
    ).limit(BATCH)
    written: list[Event] = []
    for conversation in overdue:
        async with in_transaction():
            claimed = await Conversation.filter(
                id=conversation.id,
                overdue_at=None,
                response_due_at=conversation.response_due_at,
            ).update(overdue_at=now)
            if claimed:
                written.append(
                    await events.record_event(
                        EventType.CONVERSATION_OVERDUE,
                        now,
                        agency_id=conversation.agency_id,
                        subject_id=conversation.id,
                    )
                )
    if written:
        await events.publish(rt.bus, written)
    return len(written)
