"""A household declares itself away (seed: "Démarches simplifiées": holidays, hospital…).

The visits in the period are taken out according to the agency's policy:
CANCEL cancels them (those inside the notice period are late cancellations,
billable per the policy); OFFER_RESCHEDULE cancels them too but lists them as
to be rescheduled, never billable, and invites the client to ask for new slots.
Weekly plans skip the period from then on (resolvers/visits/plans.py), and everything
is in one transaction with its events; the household is notified.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from models.accounts.people import Account, Agency
from models.enums import (
    AbsencePolicy,
    ChangeRequestStatus,
    EventType,
    InterventionStatus,
    NotificationTopic,
)
from models.events import Event
from models.households.absences import Absence, AbsenceVisit
from models.requests import ChangeRequest, LateCancellation
from models.visits.visits import Intervention
from notifications import texts
from notifications.notify import notify_client
from resolvers.agency.policy import Policy, policy_of
from resolvers.core import guards
from resolvers.core.errors import UserError, user_error
from resolvers.core.runtime import Runtime, Viewer
from resolvers.requests.asking import client_of, request_event
from services.clock import utcnow
from subscriptions import events

MAX_DAYS = 366
MAX_NOTE = 500


@dataclass(frozen=True)
class AbsenceResult:
    absence: Absence | None
    visits: list[AbsenceVisit]
    user_errors: list[UserError]


def _check(first: date, last: date, note: str, today: date) -> list[UserError]:
    errors = []
    if first < today:
        errors.append(user_error("from", "L'absence ne peut commencer dans le passé.", "PAST_DATE"))
    if last < first:
        errors.append(user_error("to", "La fin doit suivre le début.", "END_BEFORE_START"))
    elif (last - first).days >= MAX_DAYS:
        errors.append(user_error("to", "Une absence dure un an au plus.", "TOO_LONG"))
    if len(note) > MAX_NOTE:
        errors.append(user_error("note", "500 caractères au plus.", "TOO_LONG"))
    return errors


async def declare(
    rt: Runtime, viewer: Viewer | None, first: date, last: date, note: str
) -> AbsenceResult:
    viewer, client_id = await client_of(viewer)
    if not viewer.email_verified:
        error = user_error(None, "Confirmez d'abord votre adresse e-mail.", "EMAIL_NOT_VERIFIED")
        return AbsenceResult(None, [], [error])
    agency_id = viewer.agency_id or 0
    zone = ZoneInfo((await Agency.get(id=agency_id)).time_zone)
    now = utcnow()
    note = note.strip()
    errors = _check(first, last, note, now.astimezone(zone).date())
    if errors:
        return AbsenceResult(None, [], errors)
    policy = await policy_of(agency_id)
    async with in_transaction():
        absence = await Absence.create(
            agency_id=agency_id,
            client_id=client_id,
            first_day=first,
            last_day=last,
            note=note,
            policy=policy.absence_policy,
            created_at=now,
        )
        visits = await _visits_during(client_id, first, last, zone, now)
        taken, written = await _take_out(absence, visits, policy, now)
        written += await _withdraw_requests(visits, now)
        written.append(
            await events.record_event(
                EventType.ABSENCE_DECLARED,
                now,
                agency_id=agency_id,
                client_id=client_id,
                subject_id=absence.id,
            )
        )
        await _tell_household(viewer, absence, visits, zone)
    await events.publish(rt.bus, written)
    rt.mailer.wake()
    return AbsenceResult(absence, taken, [])


async def _visits_during(
    client_id: int, first: date, last: date, zone: ZoneInfo, now: datetime
) -> list[Intervention]:
    """The household's visits still to come from `first` to `last` (days in the agency's
    zone), locked, the earliest first."""
    start = datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return await (
        Intervention.filter(
            client_id=client_id,
            status=InterventionStatus.SCHEDULED,
            scheduled_start__gte=max(start, now),
            scheduled_start__lt=end,
        )
        .order_by("scheduled_start")
        .select_for_update()
    )


async def _take_out(
    absence: Absence, visits: list[Intervention], policy: Policy, now: datetime
) -> tuple[list[AbsenceVisit], list[Event]]:
    """Cancels the visits as the agency's policy says, each with its event."""
    reschedule = policy.absence_policy is AbsencePolicy.OFFER_RESCHEDULE
    reason = "Absence du client" + (" — à replanifier" if reschedule else "")
    taken, written = [], []
    for visit in visits:
        await Intervention.filter(id=visit.id).update(
            status=InterventionStatus.CANCELLED, cancellation_reason=reason
        )
        visit.status = InterventionStatus.CANCELLED
        late = visit.scheduled_start < now + timedelta(hours=policy.min_notice_hours)
        if late and not reschedule:
            await LateCancellation.create(
                intervention_id=visit.id,
                agency_id=absence.agency_id,
                billable=policy.late_cancellation_billable,
                notice_hours=policy.min_notice_hours,
                created_at=now,
            )
        taken.append(
            await AbsenceVisit.create(
                absence=absence, intervention_id=visit.id, to_reschedule=reschedule
            )
        )
        written.append(await events.record(EventType.CANCELLED, visit, now))
    return taken, written


async def _withdraw_requests(visits: list[Intervention], now: datetime) -> list[Event]:
    """Requests on visits the absence took out have nothing left to change."""
    stale = await ChangeRequest.filter(
        intervention_id__in=[v.id for v in visits], status=ChangeRequestStatus.PENDING
    ).select_for_update()
    written = []
    for request in stale:
        request.status, request.decided_at = ChangeRequestStatus.WITHDRAWN, now
        await request.save(update_fields=["status", "decided_at"])
        written.append(await request_event(EventType.REQUEST_WITHDRAWN, request, now))
    return written


async def _tell_household(
    viewer: Viewer, absence: Absence, visits: list[Intervention], zone: ZoneInfo
) -> None:
    account = await Account.get(id=viewer.account_id)
    notice = texts.absences.declared(
        account.first_name,
        absence.first_day,
        absence.last_day,
        [v.scheduled_start.astimezone(zone) for v in visits],
        absence.policy is AbsencePolicy.OFFER_RESCHEDULE,
    )
    await notify_client(account, NotificationTopic.SCHEDULE, notice)


async def listed(viewer: Viewer | None, client_id: int | None) -> list[Absence]:
    """A client's own absences, or (staff) those of their agency, the latest first."""
    viewer = guards.signed_in(viewer)
    if viewer.is_staff:
        query = Absence.filter(agency_id=viewer.agency_id)
        if client_id is not None:
            query = query.filter(client_id=client_id)
    else:
        _, own = await client_of(viewer)
        query = Absence.filter(client_id=own)
    return await query.order_by("-id").limit(100).prefetch_related("visits")
