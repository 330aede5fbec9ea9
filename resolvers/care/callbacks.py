"""Call-back requests of premium households (seed: "accompagnement téléphonique dédié aux
clients premium, prise en charge prioritaire de toute demande urgente ou complexe").

A premium household asks to be called back: topic, urgency, the slots when it can be
reached. The request is due within the premium reply promise (half of it when urgent),
counted in the agency's working hours (public holidays excluded), and waits at the head
of the staff queue: urgent first, then the soonest due. Staff log the call's outcome.
A missed due time raises CALLBACK_OVERDUE once, like a conversation's (reply_promise.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from models.accounts.people import Account, Agency, Client
from models.care.callbacks import CallbackRequest
from models.enums import (
    CallbackOutcome,
    CallbackTopic,
    CallbackUrgency,
    EventType,
    NotificationTopic,
)
from models.events import Event
from models.households.contact import UrgentPhone
from notifications import texts
from notifications.notify import notify_client
from resolvers.agency.opening_hours import opening_hours
from resolvers.core import guards
from resolvers.core.errors import UserError, user_error
from resolvers.core.runtime import Runtime, Viewer
from resolvers.messaging.reply_promise import is_premium
from services import french_dates
from services.clock import utcnow
from services.identity import normalize_phone
from services.working_hours import OpenSpan, add_working_hours
from subscriptions import events

MAX_SLOTS = 5
MAX_SLOT = timedelta(hours=12)
SLOTS_WITHIN = timedelta(days=14)
MAX_NOTE = 500
MAX_PENDING = 3  # per household
BATCH = 200


@dataclass(frozen=True)
class RequestData:
    topic: CallbackTopic
    urgency: CallbackUrgency
    slots: tuple[tuple[datetime, datetime], ...]
    note: str = ""
    phone: str | None = None


@dataclass(frozen=True)
class CallbackResult:
    request: CallbackRequest | None
    user_errors: list[UserError]


def _fail(field: str, message: str, code: str) -> CallbackResult:
    return CallbackResult(None, [user_error(field, message, code)])


def due_at(
    created: datetime,
    urgency: CallbackUrgency,
    premium_hours: float,
    spans: tuple[OpenSpan, ...],
    time_zone: str,
) -> datetime:
    """The premium promise in working hours; half of it for an urgent matter."""
    hours = premium_hours / 2 if urgency is CallbackUrgency.URGENT else premium_hours
    return add_working_hours(created, hours, spans, time_zone)


def _slot_errors(data: RequestData, now: datetime) -> list[UserError]:
    if not 1 <= len(data.slots) <= MAX_SLOTS:
        return [user_error("slots", "De 1 à 5 créneaux.", "INVALID_SLOTS")]
    for index, (start, end) in enumerate(data.slots):
        if start.tzinfo is None or end.tzinfo is None:
            return [user_error(f"slots.{index}", "Heure avec fuseau requise.", "INVALID_SLOT")]
        if not (start < end <= start + MAX_SLOT and now < end <= now + SLOTS_WITHIN):
            return [
                user_error(
                    f"slots.{index}",
                    "Un créneau à venir, de moins de 12 heures, dans les 14 jours.",
                    "INVALID_SLOT",
                )
            ]
    if len(data.note) > MAX_NOTE:
        return [user_error("note", f"{MAX_NOTE} caractères au plus.", "TOO_LONG")]
    return []


async def _phone(account: Account, given: str | None) -> str | None:
    if given is not None:
        return normalize_phone(given)
    urgent = await UrgentPhone.get_or_none(account_id=account.id)
    return urgent.phone if urgent else (account.phone or None)


async def request(rt: Runtime, viewer: Viewer | None, data: RequestData) -> CallbackResult:
    household = guards.household(viewer)
    client = await Client.get(account_id=household.account_id)
    if not await is_premium(client.id):
        return _fail(
            "topic", "Le rappel téléphonique est réservé aux clients premium.", "PREMIUM_ONLY"
        )
    now = utcnow()
    errors = _slot_errors(data, now)
    if errors:
        return CallbackResult(None, errors)
    account = await Account.get(id=household.account_id)
    phone = await _phone(account, data.phone)
    if phone is None:
        return _fail("phone", "Indiquez un numéro où vous joindre.", "INVALID_PHONE")
    pending = CallbackRequest.filter(client_id=client.id, handled_at=None)
    if await pending.count() >= MAX_PENDING:
        return _fail("topic", "Trois demandes de rappel en attente au plus.", "TOO_MANY")
    zone = str((await Agency.get(id=client.agency_id)).time_zone)
    due = due_at(
        now,
        data.urgency,
        rt.settings.message_premium_reply_hours,
        await opening_hours(client.agency_id),
        zone,
    )
    async with in_transaction():
        row = await CallbackRequest.create(
            agency_id=client.agency_id,
            client_id=client.id,
            topic=data.topic,
            urgency=data.urgency,
            slots="\n".join(f"{s.isoformat()}/{e.isoformat()}" for s, e in data.slots),
            note=data.note.strip(),
            phone=phone,
            created_at=now,
            due_at=due,
        )
        notice = texts.claims.callback_taken(
            account.first_name, french_dates.day_and_time(due, zone)
        )
        await notify_client(account, NotificationTopic.CALLBACK, notice)
        event = await _event(EventType.CALLBACK_REQUESTED, row, now)
    rt.mailer.wake()
    await events.publish(rt.bus, [event])
    return CallbackResult(row, [])


async def _event(kind: EventType, row: CallbackRequest, now: datetime) -> Event:
    return await events.record_event(
        kind, now, agency_id=row.agency_id, client_id=row.client_id, subject_id=row.id
    )


async def log_call(
    rt: Runtime,
    viewer: Viewer | None,
    request_id: int,
    outcome: CallbackOutcome,
    note: str,
) -> CallbackResult:
    """Staff record how the call went; the request leaves the queue."""
    staff = guards.staff(viewer)
    if len(note) > MAX_NOTE:
        return _fail("note", f"{MAX_NOTE} caractères au plus.", "TOO_LONG")
    if not await CallbackRequest.exists(id=request_id, agency_id=staff.agency_id):
        return _fail("requestId", "Demande de rappel introuvable.", "NOT_FOUND")
    now = utcnow()
    async with in_transaction():
        claimed = await CallbackRequest.filter(id=request_id, handled_at=None).update(
            outcome=outcome,
            outcome_note=note.strip(),
            handled_by_id=staff.account_id,
            handled_at=now,
        )
        if not claimed:
            return _fail("requestId", "Cet appel est déjà consigné.", "ALREADY_LOGGED")
        row = await CallbackRequest.get(id=request_id)
        account = await Account.get(client__id=row.client_id)
        notice = texts.claims.callback_logged(account.first_name, outcome)
        await notify_client(account, NotificationTopic.CALLBACK, notice)
        event = await _event(EventType.CALLBACK_LOGGED, row, now)
    rt.mailer.wake()
    await events.publish(rt.bus, [event])
    return CallbackResult(row, [])


async def sweep(rt: Runtime) -> int:
    """Raises CALLBACK_OVERDUE (staff only) for each request whose due time just passed."""
    now = utcnow()
    late = await CallbackRequest.filter(due_at__lte=now, overdue_at=None, handled_at=None).limit(
        BATCH
    )
    written: list[Event] = []
    for row in late:
        async with in_transaction():
            claimed = await CallbackRequest.filter(id=row.id, overdue_at=None).update(
                overdue_at=now
            )
            if claimed:
                written.append(
                    await events.record_event(
                        EventType.CALLBACK_OVERDUE, now, agency_id=row.agency_id, subject_id=row.id
                    )
                )
    if written:
        await events.publish(rt.bus, written)
    return len(written)
